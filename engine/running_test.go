package engine

import (
	"fmt"
	"net"
	"testing"
)

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

// A start that failed (the port taken) leaves its error in the status until the proxy is
// started again or stopped: a stopped proxy shows no stale error.
func TestStopClearsAFailedStart(t *testing.T) {
	set := testSettings(t)
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", set.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	e := openEngine(t, set, nil)
	if err := e.StartProxy(); err == nil {
		t.Fatal("StartProxy on a taken port succeeded")
	}
	if s := e.Status(t.Context()); s.LastError == "" {
		t.Fatal("no error after a failed start")
	}
	e.StopProxy()
	if s := e.Status(t.Context()); s.LastError != "" {
		t.Errorf("stopped proxy shows %q", s.LastError)
	}
}
