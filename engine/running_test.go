package engine

import "testing"

// The tray reads Running; it must follow the proxy without asking the store.
func TestRunningFollowsTheProxy(t *testing.T) {
	e := openEngine(t, testSettings(t), nil)
	if e.Running() {
		t.Fatal("Running before StartProxy = true")
	}
	if err := e.StartProxy(); err != nil {
		t.Fatal(err)
	}
	if !e.Running() {
		t.Error("Running after StartProxy = false")
	}
	// With the store closed, Running still answers.
	if err := e.Store().Close(); err != nil {
		t.Fatal(err)
	}
	if !e.Running() {
		t.Error("Running with the store closed = false")
	}
	if err := e.StopProxy(); err != nil {
		t.Fatal(err)
	}
	if e.Running() {
		t.Error("Running after StopProxy = true")
	}
}
