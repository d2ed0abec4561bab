// Package archtest keeps the architecture as drawn in DESIGN.md: imports point inward
// (main → app/cli → engine → {proxy, recording, store, credentials, settings} → conversation →
// stdlib), only main and app import Wails, and conversation uses the standard library only.
package archtest

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// allowed lists, for each package of the module, the module's packages it may import
// directly. A package missing from the table fails the test: add it with its arrows.
var allowed = map[string][]string{
	"nexus":                              {"app", "cli"},
	"nexus/app":                          {"engine", "settings", "checklist", "store", "content", "conversation"},
	"nexus/cli":                          {"engine", "settings", "credentials", "store", "checklist", "internal/residency"},
	"nexus/engine":                       {"proxy", "recording", "store", "store/sqlite", "store/postgres", "store/sqlstore", "credentials", "settings", "conversation", "content", "checklist"},
	"nexus/recording":                    {"proxy", "store", "conversation", "content"},
	"nexus/proxy":                        {"conversation"},
	"nexus/store":                        {"conversation"},
	"nexus/store/sqlstore":               {"store", "conversation"},
	"nexus/content":                      {"store", "conversation"},
	"nexus/store/sqlite":                 {"store", "store/sqlstore"},
	"nexus/store/postgres":               {"store", "store/sqlstore"},
	"nexus/store/storetest":              {"store", "store/sqlstore", "content", "conversation"},
	"nexus/credentials":                  {},
	"nexus/checklist":                    {},
	"nexus/settings":                     {},
	"nexus/conversation":                 {},
	"nexus/internal/fakeapi":             {},
	"nexus/internal/fakeapi/cmd/fakeapi": {"internal/fakeapi"},
	"nexus/internal/archtest":            {},
	"nexus/internal/freeport":            {}, // tests only
	"nexus/internal/residency":           {},
	"nexus/internal/syncbuf":             {}, // tests only
	"nexus/bench":                        {"store/sqlite"},
	"nexus/bench/bareproxy":              {},
	"nexus/bench/storage":                {"content", "conversation", "store", "store/sqlite", "store/postgres"},
}

// mayImportWails are the only packages that may depend on Wails, directly or not.
var mayImportWails = []string{"nexus", "nexus/app"}

func goList(t *testing.T, format string) [][]string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("go", "list", "-f", format, "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		rows = append(rows, strings.Fields(line))
	}
	return rows
}

func TestImportsFollowTheArrows(t *testing.T) {
	for _, row := range goList(t, `{{.ImportPath}} {{join .Imports " "}}`) {
		pkg, imports := row[0], row[1:]
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("package %s is not in the architecture table (internal/archtest): add it with its allowed imports", pkg)
			continue
		}
		for _, imp := range imports {
			inner, isOurs := strings.CutPrefix(imp, "nexus/")
			if !isOurs {
				continue
			}
			if !slices.Contains(ok, inner) {
				t.Errorf("%s imports %s: against the arrows of DESIGN.md", pkg, imp)
			}
		}
	}
}

func TestOnlyMainAndAppDependOnWails(t *testing.T) {
	for _, row := range goList(t, `{{.ImportPath}} {{join .Deps " "}}`) {
		pkg, deps := row[0], row[1:]
		if slices.Contains(mayImportWails, pkg) {
			continue
		}
		for _, d := range deps {
			if strings.HasPrefix(d, "github.com/wailsapp/") || d == "fyne.io/systray" {
				t.Errorf("%s depends on %s: only main and app may use Wails and the tray", pkg, d)
			}
		}
	}
}

func TestConversationUsesTheStandardLibraryOnly(t *testing.T) {
	for _, row := range goList(t, `{{.ImportPath}} {{join .Deps " "}}`) {
		if row[0] != "nexus/conversation" {
			continue
		}
		for _, d := range row[1:] {
			if first, _, _ := strings.Cut(d, "/"); strings.Contains(first, ".") || strings.HasPrefix(d, "nexus/") {
				t.Errorf("conversation depends on %s: it must use the standard library only", d)
			}
		}
		return
	}
	t.Fatal("nexus/conversation not found by go list")
}
