package conversation

import (
	"context"
	"fmt"
)

// Link decides where a request goes (spec §2–§7), in this order: auxiliary requests attach to
// their session; then the hash rules find a parent (exact continuation, two-message or tool
// loop, grandparent); then a sub-agent root, a continuation after compaction, a retried root,
// another root of a session; otherwise the request starts a new conversation.
func Link(ctx context.Context, l Lookup, s Scope, k RequestKeys) (Decision, error) {
	d, err := link(ctx, l, s, k)
	if err != nil {
		return Decision{}, fmt.Errorf("linking request: %w", err)
	}
	return d, nil
}

func link(ctx context.Context, l Lookup, s Scope, k RequestKeys) (Decision, error) {
	if k.Kind == KindAuxiliary {
		return linkAuxiliary(ctx, l, s)
	}
	if parent, rule, ok, err := findParent(ctx, l, s, k); err != nil || ok {
		if err != nil {
			return Decision{}, err
		}
		return continueFrom(ctx, l, s, k, parent, rule)
	}
	for _, try := range []func(context.Context, Lookup, Scope, RequestKeys) (Decision, bool, error){
		compactionBySession, subagentRoot, afterCompaction, retriedRoot, sessionRoot,
	} {
		if d, ok, err := try(ctx, l, s, k); err != nil || ok {
			return d, err
		}
	}
	return Decision{Kind: k.Kind, NewConversation: true, Branch: MainBranch, Rule: RuleNew, Title: k.Title}, nil
}

// linkAuxiliary attaches a side call to the latest request of its session, or to nothing.
func linkAuxiliary(ctx context.Context, l Lookup, s Scope) (Decision, error) {
	d := Decision{Kind: KindAuxiliary, Rule: RuleAuxiliary}
	if s.Session == "" {
		return d, nil
	}
	latest, ok, err := l.SessionLatest(ctx, s)
	if err != nil || !ok {
		return d, err
	}
	d.Conversation, d.Branch = latest.Conversation, latest.Branch
	return d, nil
}

// findParent applies the hash rules in order and picks among the candidates of the first that
// finds any.
func findParent(ctx context.Context, l Lookup, s Scope, k RequestKeys) (Candidate, string, bool, error) {
	twoMessage := RuleTwoMessage
	if k.ToolLoop {
		twoMessage = RuleToolLoop
	}
	steps := []struct {
		rule         string
		h            Hash
		continuation bool // look h up among continuations, else among current hashes
	}{
		{RuleCompaction, k.Base, false}, // the turn a compaction request summarises
		{RuleContinuation, k.Prev1, true},
		{twoMessage, k.Prev2, false},
		{RuleGrandparent, k.Prev4, false},
	}
	for _, st := range steps {
		if st.h.IsZero() {
			continue
		}
		lookup := l.ByCurrent
		if st.continuation {
			lookup = l.ByContinuation
		}
		cands, err := lookup(ctx, s, st.h)
		if err != nil {
			return Candidate{}, "", false, err
		}
		if c, ok := pick(cands, s, k.System); ok {
			return c, st.rule, true, nil
		}
	}
	return Candidate{}, "", false, nil
}

// pick chooses among candidates (newest first): auxiliary requests are never parents; a
// candidate of the same session wins, then one with the same system prompt, then the newest.
func pick(cands []Candidate, s Scope, system Hash) (Candidate, bool) {
	best, bestScore := -1, -1
	for i, c := range cands {
		if c.Kind == KindAuxiliary {
			continue
		}
		score := 0
		if s.Session != "" && c.SessionID == s.Session {
			score += 2
		}
		if !system.IsZero() && c.System == system {
			score++
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return Candidate{}, false
	}
	return cands[best], true
}

// continueFrom links a request to the parent the hash rules found.
func continueFrom(ctx context.Context, l Lookup, s Scope, k RequestKeys, parent Candidate, rule string) (Decision, error) {
	d := Decision{
		Kind:            KindTurn,
		Conversation:    parent.Conversation,
		Branch:          parent.Branch,
		ParentRequestID: parent.RequestID,
		Rule:            rule,
		Title:           k.Title,
	}
	switch {
	case k.Kind == KindCompaction:
		// A compaction step belongs to its parent's branch; it never opens a user branch.
		d.Kind, d.Rule = KindCompaction, RuleCompaction
		return d, nil
	case parent.Kind == KindSubagent:
		d.Kind = KindSubagent
	}
	var err error
	d.Branch, err = branchFor(ctx, l, s, parent, k.Current, branchPrefix)
	return d, err
}

// compactionBySession attaches a compaction request that no hash links to the latest request
// of its session.
func compactionBySession(ctx context.Context, l Lookup, s Scope, k RequestKeys) (Decision, bool, error) {
	if k.Kind != KindCompaction || s.Session == "" {
		return Decision{}, false, nil
	}
	latest, ok, err := l.SessionLatest(ctx, s)
	if err != nil || !ok {
		return Decision{}, false, err
	}
	return Decision{
		Kind:            KindCompaction,
		Conversation:    latest.Conversation,
		Branch:          latest.Branch,
		ParentRequestID: latest.RequestID,
		Rule:            RuleSession,
		Title:           k.Title,
	}, true, nil
}

// subagentRoot starts a sub-thread when the request's only user message is the prompt of an
// unclaimed Agent/Task call.
func subagentRoot(ctx context.Context, l Lookup, s Scope, k RequestKeys) (Decision, bool, error) {
	if k.Kind != KindTurn || k.UserMessages != 1 || k.FirstUser.IsZero() {
		return Decision{}, false, nil
	}
	call, ok, err := l.AgentCall(ctx, s, k.FirstUser)
	if err != nil || !ok {
		return Decision{}, false, err
	}
	return Decision{
		Kind:               KindSubagent,
		NewConversation:    true,
		Branch:             MainBranch,
		Rule:               RuleSubagent,
		ParentConversation: call.Conversation,
		ParentRequest:      call.RequestID,
		AgentOrdinal:       call.Ordinal,
		Title:              k.Title,
	}, true, nil
}

// afterCompaction continues the conversation whose compaction answer contains the request's
// summary, on a new compact branch (or on the branch of an identical earlier request: a retry).
func afterCompaction(ctx context.Context, l Lookup, s Scope, k RequestKeys) (Decision, bool, error) {
	if k.Kind != KindTurn || k.Summary == "" {
		return Decision{}, false, nil
	}
	cands, err := l.Compactions(ctx, s)
	if err != nil {
		return Decision{}, false, err
	}
	var found []Candidate
	for _, c := range cands {
		if containsProbe(c.Text, k.Summary) {
			found = append(found, c.Candidate)
		}
	}
	c, ok := pick(found, s, k.System)
	if !ok {
		return Decision{}, false, nil
	}
	branch, err := branchFor(ctx, l, s, c, k.Current, CompactBranch)
	return Decision{
		Kind:            KindTurn,
		Conversation:    c.Conversation,
		Branch:          branch,
		ParentRequestID: c.RequestID,
		Rule:            RuleCompaction,
		Title:           k.Title,
	}, true, err
}

// retriedRoot joins a request identical to an earlier root of the same session (or, without
// session ids, one sent within RetryWindow): a client's retry, on the same branch.
func retriedRoot(ctx context.Context, l Lookup, s Scope, k RequestKeys) (Decision, bool, error) {
	if k.Kind != KindTurn || k.Messages == 0 {
		return Decision{}, false, nil
	}
	cands, err := l.ByCurrent(ctx, s, k.Current)
	if err != nil {
		return Decision{}, false, err
	}
	for _, c := range cands {
		same := s.Session != "" && c.SessionID == s.Session ||
			s.Session == "" && c.SessionID == "" && s.At.Sub(c.At) <= RetryWindow
		if c.Kind == KindAuxiliary || c.Kind == KindCompaction || !same {
			continue
		}
		return Decision{
			Kind:         c.Kind,
			Conversation: c.Conversation,
			Branch:       c.Branch,
			Rule:         RuleSession,
			Title:        k.Title,
		}, true, nil
	}
	return Decision{}, false, nil
}

// sessionRoot puts a request that starts over into its session's conversation, on a new
// branch (spec §7: every turn of a session lands in one conversation). Either the session's
// first prompt sent again with another text (a rewind to it, an edit): a branch of its own; or
// a restart after a compaction whose summary was not found (answers not stored, or too old):
// a compact branch under the session's latest request. Sub-threads share the session id and
// are never joined. Any other request no hash links starts a conversation, as before: its
// parent may yet be written, and the store adopts only requests of RuleNew and RuleGrandparent.
// That includes the later turns of a restart (they repeat its first message, summary and
// all) written before their parent: a restart is the first of its session with that message.
func sessionRoot(ctx context.Context, l Lookup, s Scope, k RequestKeys) (Decision, bool, error) {
	if k.Kind != KindTurn || s.Session == "" || k.Messages != 1 && !k.AfterCompaction {
		return Decision{}, false, nil
	}
	if k.Messages > 1 {
		later, err := l.SessionFirstUser(ctx, s, k.FirstUser)
		if err != nil || later {
			return Decision{}, false, err
		}
	}
	latest, ok, err := l.SessionConversation(ctx, s)
	if err != nil || !ok {
		return Decision{}, false, err
	}
	used, err := l.Branches(ctx, latest.Conversation)
	if err != nil {
		return Decision{}, false, err
	}
	d := Decision{
		Kind:         KindTurn,
		Conversation: latest.Conversation,
		Branch:       newBranch(branchPrefix, used),
		Rule:         RuleSession,
		Title:        k.Title,
	}
	if k.AfterCompaction {
		d.Branch, d.ParentRequestID = newBranch(CompactBranch, used), latest.RequestID
	}
	return d, true, nil
}
