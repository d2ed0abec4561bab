package app

import (
	"context"
	"fmt"
	"time"

	"nexus/checklist"
)

// SecurityReport is the security checklist as the Security view shows it. It holds no
// secret: evidence names files, addresses, accounts and counts, never a key.
type SecurityReport struct {
	// CheckedAt is when the checklist ran (RFC 3339).
	CheckedAt string         `json:"checked_at"`
	Items     []SecurityItem `json:"items"`
}

// SecurityItem is one check's result, with the fixes the app can apply itself.
type SecurityItem struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"` // "pass", "warn" or "fail"
	Critical bool   `json:"critical"`
	Evidence string `json:"evidence"`
	Fix      string `json:"fix"`
	// Actions are one-click fixes; none when the user must act.
	Actions []SecurityAction `json:"actions"`
	// Pending says a change is saved but not yet in effect (e.g. until a restart); "" otherwise.
	Pending string `json:"pending"`
}

// SecurityAction is a fix the app applies when the user clicks it.
type SecurityAction struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Confirm is the question to ask first, for a fix that cannot be undone; "" for none.
	Confirm string `json:"confirm"`
}

// FixResult is what applying a fix did, and the checklist after it.
type FixResult struct {
	Message string         `json:"message"`
	Report  SecurityReport `json:"report"`
}

// securityEvent is the event that carries each new SecurityReport to the window.
const securityEvent = "security"

// SecurityChecklist returns the latest checklist, running it first when it has not run yet.
func (a *App) SecurityChecklist() (SecurityReport, error) {
	return a.report(a.monitor.Latest(a.context())), nil
}

// RecheckSecurity runs the checklist now and returns it.
func (a *App) RecheckSecurity() (SecurityReport, error) {
	return a.report(a.monitor.CheckNow(a.context())), nil
}

// ApplySecurityFix applies the one-click fix id, when the latest checklist offers it, then
// runs the checklist again. The error says why the fix could not be applied.
func (a *App) ApplySecurityFix(id string) (FixResult, error) {
	ctx := a.context()
	run := a.monitor.Latest(ctx)
	var fix *fixer
	for _, f := range a.fixes(run) {
		if f.action.ID == id {
			fix = &f
			break
		}
	}
	if fix == nil {
		// Stale window (the problem is gone) or a made-up id: apply nothing.
		return FixResult{Report: a.report(a.monitor.CheckNow(ctx))}, fmt.Errorf("the fix %q is not offered now", id)
	}
	msg, err := fix.apply()
	a.log.Info("security fix applied", "fix", id, "error", err)
	report := a.report(a.monitor.CheckNow(ctx))
	if err != nil {
		return FixResult{Report: report}, err
	}
	return FixResult{Message: msg, Report: report}, nil
}

// checkNow runs the checklist over the engine's facts.
func (a *App) checkNow(ctx context.Context) checkRun {
	f := a.engine.Facts(ctx)
	return checkRun{at: f.Now, facts: f, items: checklist.Run(f)}
}

// report maps a run to the window's DTO, with the fixes that apply now.
func (a *App) report(r checkRun) SecurityReport {
	actions := map[string][]SecurityAction{}
	for _, f := range a.fixes(r) {
		actions[f.item] = append(actions[f.item], f.action)
	}
	out := SecurityReport{CheckedAt: r.at.UTC().Format(time.RFC3339), Items: make([]SecurityItem, 0, len(r.items))}
	for _, it := range r.items {
		acts := actions[it.ID]
		if acts == nil {
			acts = []SecurityAction{}
		}
		out.Items = append(out.Items, SecurityItem{ID: it.ID, Title: it.Title, Status: it.Status, Critical: it.Critical,
			Evidence: it.Evidence, Fix: it.Fix, Actions: acts, Pending: a.pending(it.ID)})
	}
	return out
}

// publishSecurity sends a run to the window.
func (a *App) publishSecurity(r checkRun) {
	a.rt.EventsEmit(a.context(), securityEvent, a.report(r))
}
