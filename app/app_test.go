package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/credentials"
	"nexus/engine"
	"nexus/internal/freeport"
	"nexus/settings"
)

// fakeRuntime records the Wails runtime calls the app makes.
type fakeRuntime struct {
	mu        sync.Mutex
	clipboard string
	events    []string
	shown     int
	hidden    int
	quit      int
}

func (f *fakeRuntime) WindowShow(context.Context)       { f.mu.Lock(); f.shown++; f.mu.Unlock() }
func (f *fakeRuntime) WindowHide(context.Context)       { f.mu.Lock(); f.hidden++; f.mu.Unlock() }
func (f *fakeRuntime) WindowUnminimise(context.Context) {}
func (f *fakeRuntime) WindowGetSize(context.Context) (int, int) {
	return 1000, 700
}
func (f *fakeRuntime) WindowGetPosition(context.Context) (int, int) { return 10, 20 }
func (f *fakeRuntime) WindowSetPosition(context.Context, int, int)  {}
func (f *fakeRuntime) EventsEmit(_ context.Context, name string, _ ...any) {
	f.mu.Lock()
	f.events = append(f.events, name)
	f.mu.Unlock()
}
func (f *fakeRuntime) ClipboardSetText(_ context.Context, text string) error {
	f.mu.Lock()
	f.clipboard = text
	f.mu.Unlock()
	return nil
}
func (f *fakeRuntime) Quit(context.Context) { f.mu.Lock(); f.quit++; f.mu.Unlock() }

func newTestApp(t *testing.T) (*App, *engine.Engine, *fakeRuntime, string) {
	t.Helper()
	return newTestAppSettings(t, nil)
}

// newTestAppSettings is newTestApp with the settings edited first (edit may be nil).
func newTestAppSettings(t *testing.T, edit func(*settings.Settings)) (*App, *engine.Engine, *fakeRuntime, string) {
	t.Helper()
	set := settings.Defaults()
	set.Port = freeport.Loopback(t)
	set.DataDir = filepath.Join(t.TempDir(), "data")
	if edit != nil {
		edit(&set)
	}
	kc := credentials.NewMemoryKeychain()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := engine.Open(context.Background(), engine.Options{Settings: set, Logger: log, Keychain: kc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	key, err := e.ClientKey()
	if err != nil {
		t.Fatal(err)
	}
	rt := &fakeRuntime{}
	return NewApp(e, rt, log), e, rt, key
}

func TestStatusNeverCarriesTheClientKey(t *testing.T) {
	a, _, _, key := newTestApp(t)
	st, err := a.Status()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(st)
	if strings.Contains(string(raw), key) || strings.Contains(string(raw), key[len(key)-20:]) {
		t.Fatalf("the status sent to the window contains the client key: %s", raw)
	}
	if st.ClientKeyMasked != credentials.Mask(key) || !strings.HasPrefix(st.ClientKeyMasked, "cnp_live_") {
		t.Errorf("masked key %q", st.ClientKeyMasked)
	}
	if len(st.Connect) != 2 || st.Connect[0].ID != "account" || st.Connect[1].ID != "passthrough" {
		t.Fatalf("connect options %+v", st.Connect)
	}
	want := fmt.Sprintf("export ANTHROPIC_BASE_URL=http://127.0.0.1:%d", st.Port)
	if st.Connect[0].Lines[0] != want || st.Connect[0].Lines[1] != "export ANTHROPIC_API_KEY="+st.ClientKeyMasked {
		t.Errorf("account lines %q", st.Connect[0].Lines)
	}
	if !strings.Contains(st.Connect[1].Lines[1], `ANTHROPIC_CUSTOM_HEADERS="x-nexus-client-key: `+st.ClientKeyMasked+`"`) {
		t.Errorf("passthrough lines %q", st.Connect[1].Lines)
	}
}

func TestCopyPutsTheRealKeyOnTheClipboard(t *testing.T) {
	a, _, rt, key := newTestApp(t)
	if err := a.CopyConnectLines("account"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rt.clipboard, "export ANTHROPIC_API_KEY="+key+"\n") ||
		!strings.HasPrefix(rt.clipboard, "export ANTHROPIC_BASE_URL=http://127.0.0.1:") {
		t.Errorf("clipboard %q", rt.clipboard)
	}
	if err := a.CopyClientKey(); err != nil || rt.clipboard != key {
		t.Errorf("copy key: %v %q", err, rt.clipboard)
	}
	if err := a.CopyConnectLines("nope"); err == nil {
		t.Error("an unknown connect option was copied")
	}
}

func TestSetProxyRunning(t *testing.T) {
	a, _, _, _ := newTestApp(t)
	st, err := a.SetProxyRunning(true)
	if err != nil || !st.Running {
		t.Fatalf("start: %v %+v", err, st)
	}
	resp, err := http.Get(st.Address + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := a.SetProxyRunning(true); err == nil {
		t.Error("starting twice did not fail")
	}
	st, err = a.SetProxyRunning(false)
	if err != nil || st.Running {
		t.Fatalf("stop: %v %+v", err, st)
	}
	if _, err := http.Get(st.Address + "/health"); err == nil {
		t.Error("still answering after stop")
	}
}

func TestCloseWithoutTrayQuitsAndSavesGeometry(t *testing.T) {
	a, e, rt, _ := newTestApp(t)
	path := filepath.Join(t.TempDir(), "settings.json")
	d := &desktop{opts: DesktopOptions{SettingsPath: path}, engine: e, app: a, rt: rt, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if prevent := d.beforeClose(context.Background()); prevent {
		t.Error("without a tray, closing the window must quit")
	}
	s, err := settings.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Window != (settings.Window{X: 10, Y: 20, Width: 1000, Height: 700}) {
		t.Errorf("saved window %+v", s.Window)
	}
}

func TestWindowFollowsNewRecords(t *testing.T) {
	a, e, rt, key := newTestApp(t)
	d := &desktop{engine: e, app: a, rt: rt, log: slog.New(slog.NewTextHandler(io.Discard, nil)), stop: make(chan struct{})}
	st, err := a.SetProxyRunning(true)
	if err != nil {
		t.Fatal(err)
	}
	go d.followRecords()
	defer close(d.stop)
	req, _ := http.NewRequest("POST", st.Address+"/v1/messages", strings.NewReader(`{}`))
	req.Header.Set("x-api-key", key+"-wrong") // refused, and still recorded
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(3 * recordsPoll)
	for {
		rt.mu.Lock()
		n := len(rt.events)
		rt.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no status event after a request was recorded")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got, _ := a.Status(); got.RequestCount < 1 {
		t.Errorf("request count %d after a recorded request", got.RequestCount)
	}
}

// Without a display the window is refused with a clear error (GTK would panic, exit 2).
func TestNeedDisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the display check is Linux's")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	if err := needDisplay(); err != errNoDisplay {
		t.Fatalf("no display: %v", err)
	}
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	if err := needDisplay(); err != nil {
		t.Fatalf("with Wayland: %v", err)
	}
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("DISPLAY", ":99")
	if err := needDisplay(); err != nil {
		t.Fatalf("with X11: %v", err)
	}
}
