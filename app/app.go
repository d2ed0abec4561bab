// Package app is the Wails-bound façade of Nexus: the methods the window calls, their DTOs,
// the window lifecycle and the tray. It validates, maps to DTOs and delegates to the engine.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"nexus/engine"
)

// Version is the app version shown in the window.
const Version = "0.1.0"

// App is bound to the window: every exported method is callable from the front end, and an
// error rejects the JavaScript promise with its message.
type App struct {
	engine *engine.Engine
	rt     Runtime
	log    *slog.Logger
	// monitor runs the security checklist; settingsPath is the settings file the checklist's
	// fixes change ("" for none), getenv the environment that overrides it.
	monitor      *Monitor
	settingsPath string
	getenv       func(string) string

	mu  sync.Mutex // guards ctx
	ctx context.Context
}

// NewApp returns the bound façade over e.
func NewApp(e *engine.Engine, rt Runtime, log *slog.Logger) *App {
	a := &App{engine: e, rt: rt, log: log, getenv: os.Getenv}
	a.monitor = NewMonitor(a.checkNow, nil, nil, log)
	return a
}

func (a *App) setContext(ctx context.Context) {
	a.mu.Lock()
	a.ctx = ctx
	a.mu.Unlock()
}

func (a *App) context() context.Context {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ctx == nil {
		return context.Background()
	}
	return a.ctx
}

// Ready is called by the front end once it has mounted. It returns the app version.
func (a *App) Ready() string {
	a.log.Info("frontend ready")
	return Version
}

// Status returns what the Home view shows.
func (a *App) Status() (Status, error) {
	return toStatus(a.engine.Status(a.context())), nil
}

// SetProxyRunning starts or stops the proxy and returns the new status. A failure to start
// (port in use) is an error naming the cause.
func (a *App) SetProxyRunning(on bool) (Status, error) {
	var err error
	if on {
		err = a.engine.StartProxy()
	} else {
		err = a.engine.StopProxy()
	}
	st := toStatus(a.engine.Status(a.context()))
	if err != nil {
		return st, fmt.Errorf("%s the proxy: %w", map[bool]string{true: "starting", false: "stopping"}[on], err)
	}
	return st, nil
}

// CopyConnectLines puts the lines of connect option id, with the real client key, on the
// clipboard. The key itself never reaches the front end.
func (a *App) CopyConnectLines(id string) error {
	key, err := a.engine.ClientKey()
	if err != nil {
		return err
	}
	st := a.engine.Status(a.context())
	for _, opt := range connectOptions(engine.BaseURL(st.Addr), key) {
		if opt.ID == id {
			return a.copy(joinLines(opt.Lines))
		}
	}
	return fmt.Errorf("no connect option %q", id)
}

// CopyClientKey puts the client key on the clipboard.
func (a *App) CopyClientKey() error {
	key, err := a.engine.ClientKey()
	if err != nil {
		return err
	}
	return a.copy(key)
}

func (a *App) copy(text string) error {
	if err := a.rt.ClipboardSetText(a.context(), text); err != nil {
		return errors.New("the clipboard is not available")
	}
	return nil
}

// emitStatus tells the window the status changed.
func (a *App) emitStatus() {
	a.rt.EventsEmit(a.context(), "status", toStatus(a.engine.Status(a.context())))
}
