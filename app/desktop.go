package app

import (
	"context"
	"io/fs"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"nexus/engine"
	"nexus/settings"
)

// Title is the main window's title; the window test finds the window by it.
const Title = "Nexus"

// uniqueID names the single-instance lock (a D-Bus name on Linux).
const uniqueID = "dev.nexus.desktop"

// DesktopOptions are what the desktop app needs from main.
type DesktopOptions struct {
	Settings     settings.Settings
	SettingsPath string
	Assets       fs.FS // the built front end
	Icon         []byte
	Logger       *slog.Logger
}

// desktop ties the window lifecycle to the engine and the tray.
type desktop struct {
	opts     DesktopOptions
	engine   *engine.Engine
	app      *App
	rt       Runtime
	tray     *Tray // nil without a tray host
	notifier *DBusNotifier
	// stopMonitor ends the security monitor (in shutdown).
	stopMonitor context.CancelFunc
	quitting    atomic.Bool
	closing     atomic.Bool   // set in shutdown: the window and the tray are going away
	stop        chan struct{} // closed in shutdown: ends the desktop's own goroutines
	log         *slog.Logger
}

// RunDesktop runs the window and the tray until the user quits. When another instance is
// already running it focuses that one and returns nil.
func RunDesktop(opts DesktopOptions) error {
	log := opts.Logger
	if generatingBindings {
		// The bindings generator runs this binary only to read the bound methods: it must not
		// open the user's database or keychain.
		return wails.Run(&options.App{Title: Title, Bind: []any{&App{}}})
	}
	if err := needDisplay(); err != nil {
		return err
	}
	if focusRunningInstance(log) {
		return nil
	}
	e, err := engine.Open(context.Background(), engine.Options{Settings: opts.Settings, Logger: log})
	if err != nil {
		return err
	}
	d := &desktop{opts: opts, engine: e, rt: wailsRuntime{}, log: log, stop: make(chan struct{})}
	d.app = NewApp(e, d.rt, log)
	d.app.settingsPath = opts.SettingsPath
	d.notifier = NewDBusNotifier(d.showSecurity, log)
	d.app.monitor = NewMonitor(d.app.checkNow, d.notifier, func(r checkRun) {
		if !d.closing.Load() {
			d.app.publishSecurity(r)
		}
	}, log)
	if TrayHost() {
		d.tray = NewTray(d.toggleProxy, d.showWindow, d.quit)
	} else {
		log.Info("no tray host on the session bus: closing the window quits")
	}
	w := opts.Settings.Window
	width, height := w.Width, w.Height
	if width < 800 || height < 560 {
		width, height = 1100, 760
	}
	err = wails.Run(&options.App{
		Title:            Title,
		Width:            width,
		Height:           height,
		MinWidth:         800,
		MinHeight:        560,
		StartHidden:      true,
		BackgroundColour: &options.RGBA{R: 246, G: 247, B: 249, A: 255},
		AssetServer:      &assetserver.Options{Assets: opts.Assets},
		OnStartup:        d.startup,
		OnDomReady:       d.domReady,
		OnBeforeClose:    d.beforeClose,
		OnShutdown:       d.shutdown,
		Bind:             []any{d.app},
		// A file or link dropped on the window would take the webview away from the app.
		DragAndDrop:        &options.DragAndDrop{DisableWebViewDrop: true},
		SingleInstanceLock: &options.SingleInstanceLock{UniqueId: uniqueID, OnSecondInstanceLaunch: func(options.SecondInstanceData) { d.showWindow() }},
		Linux:              &linux.Options{Icon: opts.Icon, ProgramName: "nexus"},
	})
	cerr := e.Close()
	if err != nil {
		return err
	}
	return cerr
}

func (d *desktop) startup(ctx context.Context) {
	d.app.setContext(ctx)
	d.engine.OnChange(func() {
		if d.closing.Load() {
			return
		}
		d.app.emitStatus()
		if d.tray != nil {
			d.tray.SetRunning(d.engine.Running())
		}
		d.app.monitor.Trigger() // listeners, keys: what the checklist looks at
	})
	if d.tray != nil {
		d.tray.Start()
	}
	go d.followRecords()
	if d.opts.Settings.ProxyEnabled {
		if err := d.engine.StartProxy(); err != nil {
			d.log.Error("proxy did not start", "error", err)
		}
	} else if d.tray != nil {
		d.tray.SetRunning(false)
	}
	mctx, cancel := context.WithCancel(context.Background())
	d.stopMonitor = cancel
	go d.app.monitor.Run(mctx) // after the proxy started: its listeners are checked
}

// domReady shows the window where it was last, now that the page has painted (no white flash).
func (d *desktop) domReady(ctx context.Context) {
	if w := d.opts.Settings.Window; w.Width > 0 {
		d.rt.WindowSetPosition(ctx, w.X, w.Y)
	}
	d.rt.WindowShow(ctx)
}

// beforeClose saves the window geometry; with a tray the window only hides (the proxy keeps
// running), without one closing quits.
func (d *desktop) beforeClose(ctx context.Context) (prevent bool) {
	d.saveGeometry(ctx)
	if d.tray != nil && !d.quitting.Load() {
		d.rt.WindowHide(ctx)
		return true
	}
	return false
}

func (d *desktop) shutdown(ctx context.Context) {
	d.closing.Store(true)
	close(d.stop)
	if d.stopMonitor != nil {
		d.stopMonitor()
	}
	if d.notifier != nil {
		d.notifier.Close()
	}
	if d.tray != nil {
		d.tray.Stop()
	}
}

// recordsPoll is how often the window's counts follow new records.
const recordsPoll = 2 * time.Second

// followRecords tells the window the status changed when new requests were recorded, so the
// Home view's count follows the traffic. It reads an in-memory counter, not the database.
func (d *desktop) followRecords() {
	t := time.NewTicker(recordsPoll)
	defer t.Stop()
	last := d.engine.Recorded()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
		}
		if n := d.engine.Recorded(); n != last && !d.closing.Load() {
			last = n
			d.app.emitStatus()
			d.app.monitor.Trigger() // 401 bursts and token totals come with records
		}
	}
}

func (d *desktop) showWindow() {
	ctx := d.app.context()
	d.rt.WindowUnminimise(ctx)
	d.rt.WindowShow(ctx)
}

// navigateEvent asks the window to show a view ("security").
const navigateEvent = "navigate"

// showSecurity shows the window on its Security view: the user clicked a notification.
func (d *desktop) showSecurity() {
	if d.closing.Load() {
		return
	}
	d.showWindow()
	d.rt.EventsEmit(d.app.context(), navigateEvent, "security")
}

func (d *desktop) quit() {
	d.quitting.Store(true)
	d.rt.Quit(d.app.context())
}

// toggleProxy starts or stops the proxy and remembers the choice for the next launch.
func (d *desktop) toggleProxy() {
	on := !d.engine.Running()
	if _, err := d.app.SetProxyRunning(on); err != nil {
		d.log.Error("tray toggle", "error", err)
	}
	d.updateSettings(func(s *settings.Settings) { s.ProxyEnabled = on })
}

func (d *desktop) saveGeometry(ctx context.Context) {
	w, h := d.rt.WindowGetSize(ctx)
	x, y := d.rt.WindowGetPosition(ctx)
	if w <= 0 || h <= 0 {
		return
	}
	d.updateSettings(func(s *settings.Settings) { s.Window = settings.Window{X: x, Y: y, Width: w, Height: h} })
}

// updateSettings changes the settings file, not the running configuration: values that came
// from flags or the environment are never written back.
func (d *desktop) updateSettings(change func(*settings.Settings)) {
	s, err := settings.Load(d.opts.SettingsPath)
	if err != nil {
		d.log.Warn("not saving settings: the file is unreadable", "error", err)
		return
	}
	change(&s)
	if err := settings.Save(d.opts.SettingsPath, s); err != nil {
		d.log.Warn("saving settings", "error", err)
	}
}
