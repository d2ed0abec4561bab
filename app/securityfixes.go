package app

import (
	"fmt"
	"path/filepath"
	"strings"

	"nexus/checklist"
	"nexus/settings"
)

// The checklist's one-click fixes. Each is offered only while its item shows the problem
// and the app can act on it; the paths it touches come from the settings, never from the
// window.

// fixer is a fix offered for an item, and how to apply it.
type fixer struct {
	item   string
	action SecurityAction
	apply  func() (string, error)
}

// Fix ids. The window sends them back; keep them stable.
const (
	fixRotateKey        = "rotate-client-key"
	fixDataModes        = "tighten-data-files"
	fixCredentialModes  = "tighten-credential-files"
	fixDeleteImported   = "delete-imported-credential-files"
	fixStoreBodies      = "store-bodies"
	fixLimitRetention   = "limit-retention"
	defaultRetentionDay = 90
)

// fixes lists the fixes the run r calls for.
func (a *App) fixes(r checkRun) []fixer {
	status := map[string]string{}
	for _, it := range r.items {
		status[it.ID] = it.Status
	}
	f := r.facts
	var out []fixer

	rotate := SecurityAction{ID: fixRotateKey, Label: "Rotate the client key",
		Confirm: "Programs using the current client key will be refused until you give them the new one (Home → Copy). Rotate it now?"}
	applyRotate := func() (string, error) {
		if err := a.engine.RotateClientKey(); err != nil {
			return "", err
		}
		return "Rotated the client key. Give your programs the new one: Home → Copy.", nil
	}
	if status["credential-age"] == checklist.Warn && oldClientKey(f) {
		out = append(out, fixer{"credential-age", rotate, applyRotate})
	}
	for _, id := range []string{"auth-failure-burst", "token-spike"} {
		if status[id] == checklist.Warn && f.KeychainErr == "" {
			out = append(out, fixer{id, rotate, applyRotate})
		}
	}

	if status["data-file-modes"] == checklist.Fail && (loose(f.DataDir) || loose(f.Database)) {
		out = append(out, fixer{"data-file-modes",
			SecurityAction{ID: fixDataModes, Label: "Make them private (0700 and 0600)"},
			func() (string, error) { return changedMessage(a.engine.TightenDataModes()) }})
	}

	if d := f.CredentialsDir; d != nil && d.Exists && status["legacy-credential-files"] != checklist.Pass {
		anyLoose := loose(d.File)
		for _, file := range d.Files {
			anyLoose = anyLoose || loose(file)
		}
		if anyLoose {
			out = append(out, fixer{"legacy-credential-files",
				SecurityAction{ID: fixCredentialModes, Label: "Make them readable by you only"},
				func() (string, error) { return changedMessage(a.engine.TightenCredentialFiles()) }})
		}
		if imported := a.engine.ImportedCredentialFiles(); len(imported) > 0 {
			names := baseNames(imported)
			out = append(out, fixer{"legacy-credential-files",
				SecurityAction{ID: fixDeleteImported, Label: fmt.Sprintf("Delete %d imported file(s)", len(imported)),
					Confirm: fmt.Sprintf("Delete %s? The keychain already holds what they contain.", strings.Join(names, ", "))},
				func() (string, error) {
					deleted, err := a.engine.DeleteImportedCredentialFiles()
					if len(deleted) == 0 && err == nil {
						return "No imported file was left to delete.", nil
					}
					return fmt.Sprintf("Deleted %s; the accounts stay in the keychain.", strings.Join(baseNames(deleted), ", ")), err
				}})
		}
	}

	b := f.Bodies
	if !b.Enabled && f.KeychainErr == "" && a.settingTakes(func(s *settings.Settings) { s.StorageEnabled = true },
		func(s settings.Settings) bool { return s.StorageEnabled }) {
		out = append(out, fixer{"body-storage",
			SecurityAction{ID: fixStoreBodies, Label: "Store bodies, encrypted"},
			func() (string, error) {
				return "Saved: Nexus stores request bodies, encrypted and redacted, from its next start.",
					a.saveSetting(func(s *settings.Settings) { s.StorageEnabled = true })
			}})
	}
	if b.Enabled && b.RetentionDays == 0 && b.RetentionMaxMB == 0 && a.settingTakes(
		func(s *settings.Settings) { s.RetentionDays = defaultRetentionDay },
		func(s settings.Settings) bool { return s.RetentionDays > 0 || s.RetentionMaxMB > 0 }) {
		out = append(out, fixer{"body-storage",
			SecurityAction{ID: fixLimitRetention, Label: fmt.Sprintf("Keep %d days", defaultRetentionDay)},
			func() (string, error) {
				return fmt.Sprintf("Saved: bodies are kept %d days, from Nexus's next start.", defaultRetentionDay),
					a.saveSetting(func(s *settings.Settings) { s.RetentionDays = defaultRetentionDay })
			}})
	}
	return out
}

// oldClientKey reports whether a client key is older than the rotation schedule.
func oldClientKey(f checklist.Facts) bool {
	for _, k := range f.ClientKeys {
		if !k.Created.IsZero() && f.Now.Sub(k.Created) > checklist.MaxCredentialAge {
			return true
		}
	}
	return false
}

// loose reports whether a file that exists can be read by its group or others.
func loose(f checklist.File) bool { return f.Exists && f.Err == "" && f.Mode.Perm()&0o077 != 0 }

func changedMessage(changed []string, err error) (string, error) {
	if len(changed) == 0 {
		return "Nothing needed changing.", err
	}
	return "Changed " + strings.Join(changed, "; ") + ".", err
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// fileSettings is the settings file with the environment applied: what the next start runs
// with. ok is false without a settings file path (tests, the bindings build).
func (a *App) fileSettings() (settings.Settings, bool) {
	if a.settingsPath == "" {
		return settings.Settings{}, false
	}
	s, err := settings.Load(a.settingsPath)
	if err != nil {
		return settings.Settings{}, false
	}
	if err := settings.ApplyEnv(&s, a.getenv); err != nil {
		return settings.Settings{}, false
	}
	return s, true
}

// settingTakes reports whether saving change in the settings file would give settings that
// satisfy want at the next start (the environment wins over the file), and the file does not
// say so already (then the change is pending).
func (a *App) settingTakes(change func(*settings.Settings), want func(settings.Settings) bool) bool {
	now, ok := a.fileSettings()
	if !ok || want(now) {
		return false
	}
	s, err := settings.Load(a.settingsPath)
	if err != nil {
		return false
	}
	change(&s)
	if err := settings.ApplyEnv(&s, a.getenv); err != nil {
		return false
	}
	return want(s)
}

// saveSetting changes the settings file (never the values that came from flags or the
// environment).
func (a *App) saveSetting(change func(*settings.Settings)) error {
	if a.settingsPath == "" {
		return fmt.Errorf("no settings file")
	}
	s, err := settings.Load(a.settingsPath)
	if err != nil {
		return fmt.Errorf("reading the settings: %w", err)
	}
	change(&s)
	if err := settings.Save(a.settingsPath, s); err != nil {
		return fmt.Errorf("saving the settings: %w", err)
	}
	return nil
}

// pending says, for item id, what the settings file changes at the next start; "" if nothing.
func (a *App) pending(id string) string {
	if id != "body-storage" {
		return ""
	}
	next, ok := a.fileSettings()
	if !ok {
		return ""
	}
	cur := a.engine.Settings()
	var changes []string
	if next.StorageEnabled != cur.StorageEnabled {
		changes = append(changes, map[bool]string{true: "storing bodies", false: "metadata only"}[next.StorageEnabled])
	}
	if next.RetentionDays != cur.RetentionDays || next.RetentionMaxMB != cur.RetentionMaxMB {
		changes = append(changes, "the new retention limits")
	}
	if len(changes) == 0 {
		return ""
	}
	return "Saved in the settings: " + strings.Join(changes, " and ") + " from Nexus's next start."
}
