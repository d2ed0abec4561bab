package credentials

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchDebounce is how long a legacy file must stay quiet before it is imported: editors
// write in several steps.
const watchDebounce = 150 * time.Millisecond

// DirWatcher imports the legacy credential files of a directory into a Vault, at start and
// whenever one is created or changed.
type DirWatcher struct {
	v   *Vault
	dir string
	log *slog.Logger
	// OnImport, if set, is called after each import attempt (for tests and the window).
	OnImport func(Imported, error)

	mu     sync.Mutex // guards timers
	timers map[string]*time.Timer
	imu    sync.Mutex // held while a file is imported: one at a time
}

// NewDirWatcher returns a watcher of dir importing into v.
func NewDirWatcher(v *Vault, dir string, log *slog.Logger) *DirWatcher {
	if log == nil {
		log = slog.Default()
	}
	return &DirWatcher{v: v, dir: dir, log: log, timers: map[string]*time.Timer{}}
}

// Run imports the files already there, then watches the directory itself (editors save by
// rename) until ctx ends or the watch fails. It returns an error only when the watch cannot
// start.
func (w *DirWatcher) Run(ctx context.Context) error {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching the credentials directory: %w", err)
	}
	defer fw.Close()
	// Watch before the first scan, so that a file written in between is not missed.
	if err := fw.Add(w.dir); err != nil {
		return fmt.Errorf("watching the credentials directory %s: %w", w.dir, err)
	}
	files, err := LegacyFiles(w.dir)
	if err != nil {
		return err
	}
	for _, p := range files {
		w.importFile(ctx, p)
	}
	defer w.stopTimers()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			if !strings.HasSuffix(ev.Name, LegacySuffix) || !ev.Has(fsnotify.Create|fsnotify.Write|fsnotify.Chmod) {
				continue // a removal or the old name of a rename: nothing to import
			}
			w.schedule(ctx, ev.Name)
		case err, ok := <-fw.Errors:
			if !ok {
				return nil
			}
			w.log.Warn("watching the credentials directory", "dir", w.dir, "error", err)
		}
	}
}

// schedule imports path once it has been quiet for watchDebounce.
func (w *DirWatcher) schedule(ctx context.Context, path string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.timers[path]; ok {
		t.Reset(watchDebounce)
		return
	}
	w.timers[path] = time.AfterFunc(watchDebounce, func() {
		w.mu.Lock()
		delete(w.timers, path)
		w.mu.Unlock()
		if ctx.Err() == nil {
			w.importFile(ctx, path)
		}
	})
}

func (w *DirWatcher) stopTimers() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for p, t := range w.timers {
		t.Stop()
		delete(w.timers, p)
	}
}

func (w *DirWatcher) importFile(ctx context.Context, path string) {
	w.imu.Lock()
	defer w.imu.Unlock()
	if ctx.Err() != nil {
		return
	}
	if filepath.Dir(path) != filepath.Clean(w.dir) {
		return
	}
	im, err := ImportLegacyFile(w.v, path, false)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return // gone again before it was read (a temporary file, or removed)
	case err != nil:
		w.log.Error("importing a legacy credential file", "file", path, "error", err)
	case im.Changed:
		w.log.Info("imported a legacy credential file into the keychain", "file", path, "account", im.Account,
			"kind", string(im.Kind), "client_key", im.ClientKey)
		w.log.Warn(im.Warning(), "file", path, "mode", fmt.Sprintf("%04o", im.Mode.Perm()),
			"group_or_world_readable", im.Readable())
	}
	if w.OnImport != nil {
		w.OnImport(im, err)
	}
}
