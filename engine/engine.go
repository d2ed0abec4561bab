// Package engine owns the running parts of Nexus — settings, store, recorder, credentials and
// the proxy server — for both the desktop app and the headless `nexus serve`.
package engine

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"nexus/content"
	"nexus/conversation"
	"nexus/credentials"
	"nexus/proxy"
	"nexus/recording"
	"nexus/settings"
	"nexus/store"
	"nexus/store/postgres"
	"nexus/store/sqlite"
	"nexus/store/sqlstore"
)

// Options are what Open needs.
type Options struct {
	Settings settings.Settings
	Logger   *slog.Logger
	// Keychain is the OS keychain; nil means credentials.SystemKeychain.
	Keychain credentials.Keychain
}

// Engine is the running proxy with everything it records to. Create it with Open.
type Engine struct {
	set    settings.Settings
	log    *slog.Logger
	unlock func() // lets go of the data dir (lockDataDir)
	store  store.Store
	queue  *recording.Queue
	vault  *credentials.Vault
	// refresher hands out the vault's credentials, refreshing OAuth tokens.
	refresher *credentials.Refresher
	kcErr     error // why the OS keychain is not used; nil when it is
	server    *proxy.Server
	codec     *content.Codec // seals stored bodies; nil when bodies are not stored
	bodies    *content.Bodies
	storage   BodyStorage
	stopQ     context.CancelFunc
	requests  *requestCount // the store's request count, for Status

	mu        sync.Mutex // guards lastErr and listeners
	lastErr   string
	listeners []func()
}

// Open prepares the data dir, the store, the recorder and the credentials. It does not start
// the proxy.
func Open(ctx context.Context, opts Options) (*Engine, error) {
	set := opts.Settings
	if err := set.Validate(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if err := settings.EnsureDataDir(set.DataDir); err != nil {
		return nil, err
	}
	unlock, err := lockDataDir(set.DataDir)
	if err != nil {
		return nil, err
	}
	opened := false
	defer func() {
		if !opened {
			unlock()
		}
	}()
	limitMemory()
	e := &Engine{set: set, log: log, unlock: unlock}
	kc := e.openVault(opts.Keychain)
	bodies, err := e.openBodies(kc)
	if err != nil {
		return nil, err
	}
	st, err := OpenStore(ctx, set, e.codec, e.log)
	if err != nil {
		return nil, err
	}
	q, err := recording.NewQueue(st, filepath.Join(set.DataDir, "spool"), conversation.DefaultPrices(), log)
	if err != nil {
		st.Close()
		return nil, err
	}
	q.SetBodies(bodies)
	qctx, stopQ := context.WithCancel(context.Background())
	go q.Run(qctx)
	e.store, e.queue, e.bodies, e.stopQ = st, q, bodies, stopQ
	e.checkStoredBodies(ctx)
	e.requests = newRequestCount(st.CountRequests)
	go e.retain(qctx)

	e.refresher = credentials.NewRefresher(e.vault, OAuthClient(set), log)

	upstream, _ := url.Parse(set.Upstream) // validated above
	h := proxy.NewHandler(proxy.Config{
		Upstream:          upstream,
		ClientAuth:        set.ClientAuth,
		ClientKeys:        e.vault,
		Credentials:       vaultCredentials{e.refresher},
		Recorder:          q,
		KeepBodies:        true, // for linking, and for storage when it is on
		Logger:            log,
		RequestTimeout:    time.Duration(set.RequestTimeout),
		StreamIdleTimeout: time.Duration(set.StreamIdleTimeout),
		MaxRetries:        set.MaxRetries,
	})
	e.server = proxy.NewServer(h, log)
	if e.kcErr == nil {
		go e.followKeychain(qctx)
	}
	e.startCredentials(qctx)
	if e.storage.Enabled {
		log.Info("request bodies are stored: redacted, compressed and encrypted with the keychain's data key",
			"retention_days", set.RetentionDays, "retention_max_mb", set.RetentionMaxMB)
	} else {
		log.Warn("request bodies are not stored", "reason", e.storage.Reason)
	}
	opened = true
	return e, nil
}

// ErrDataDirInUse is returned by Open when another Nexus process runs on the data dir.
var ErrDataDirInUse = errors.New("data dir in use")

// keychainPoll is how often the engine rereads the keychain's index, so that accounts added
// and client keys rotated from the CLI apply to the running proxy.
const keychainPoll = 3 * time.Second

func (e *Engine) followKeychain(ctx context.Context) {
	t := time.NewTicker(keychainPoll)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := e.vault.Reload()
		if err != nil && !failing {
			e.log.Warn("rereading the keychain", "error", err)
		}
		failing = err != nil
	}
}

// OpenStore opens the store the settings select: PostgreSQL for a postgres:// DATABASE_URL,
// else the SQLite file in the data dir. codec opens stored content; nil when there is none
// to read (metadata only, or a command that reads no bodies). log gets the store's own
// messages (PostgreSQL's connection); nil discards them, as commands that only read do.
func OpenStore(ctx context.Context, set settings.Settings, codec *content.Codec, log *slog.Logger) (store.Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var opener sqlstore.Opener
	if codec != nil { // a nil *Codec in the interface would look usable
		opener = codec
	}
	if set.DatabaseURL != "" {
		if strings.HasPrefix(set.DatabaseURL, "postgres://") || strings.HasPrefix(set.DatabaseURL, "postgresql://") {
			st, err := postgres.Open(ctx, set.DatabaseURL, opener, log)
			if err != nil {
				return nil, err // not st: a nil *postgres.Store would be a non-nil store.Store
			}
			return st, nil
		}
		return nil, errors.New("DATABASE_URL must be a postgres:// URL, or empty for the embedded SQLite store")
	}
	if err := settings.EnsureDataDir(set.DataDir); err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, set.DataDir, opener)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// openVault opens the OS keychain, making sure the main client key exists, and returns the
// keychain. Without a usable keychain it keeps a client key in memory for this run only, says
// why, and returns nil.
func (e *Engine) openVault(kc credentials.Keychain) credentials.Keychain {
	if kc == nil {
		kc = credentials.SystemKeychain{}
	}
	v, err := credentials.OpenVault(kc)
	if err == nil {
		var created bool
		if created, err = v.EnsureClientKey(credentials.MainClientKey, ""); err == nil {
			if created {
				e.log.Info("created the client key; show it with: nexus client-key show")
			}
			e.vault = v
			return kc
		}
	}
	e.kcErr = err
	e.log.Warn("no usable keychain: accounts are unavailable and the client key lasts for this run only (nexus serve prints it on stdout)", "error", err)
	e.vault, _ = credentials.OpenVault(credentials.NewMemoryKeychain())
	e.vault.EnsureClientKey(credentials.MainClientKey, "")
	return nil
}

// StartProxy starts listening per the settings.
func (e *Engine) StartProxy() error {
	err := e.server.Start(e.set.Host, e.set.Port)
	e.mu.Lock()
	e.lastErr = ""
	if err != nil {
		e.lastErr = err.Error()
	}
	e.mu.Unlock()
	e.changed()
	return err
}

// StopProxy stops listening, letting requests in flight finish for up to 5 seconds.
func (e *Engine) StopProxy() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := e.server.Stop(ctx)
	e.mu.Lock()
	e.lastErr = "" // a failed start's error is not the stopped proxy's
	e.mu.Unlock()
	e.changed()
	return err
}

// Running reports whether the proxy is listening. Unlike Status it asks the store nothing, so
// the tray answers at once even while the database is slow or gone.
func (e *Engine) Running() bool { return e.server.Running() }

// OnChange registers fn to run (on the caller's goroutine) whenever the status may have
// changed.
func (e *Engine) OnChange(fn func()) {
	e.mu.Lock()
	e.listeners = append(e.listeners, fn)
	e.mu.Unlock()
}

func (e *Engine) changed() {
	e.mu.Lock()
	ls := append([]func(){}, e.listeners...)
	e.mu.Unlock()
	for _, fn := range ls {
		fn()
	}
}

// Status is the engine's state for the window, the tray and the CLI. No secrets.
type Status struct {
	Running         bool
	Addr            string // host:port listened on, or configured when stopped
	Port            int
	LastError       string
	ClientAuth      bool
	ClientKeyMasked string
	KeychainOK      bool
	KeychainMessage string
	DefaultAccount  string
	RequestCount    int64
}

// Status reports the current state.
func (e *Engine) Status(ctx context.Context) Status {
	s := Status{Running: e.server.Running(), ClientAuth: e.set.ClientAuth, KeychainOK: e.kcErr == nil,
		DefaultAccount: e.vault.DefaultAccount()}
	if e.kcErr != nil {
		s.KeychainMessage = e.kcErr.Error()
	}
	s.Addr = e.server.Addr()
	if s.Addr == "" {
		s.Addr = net.JoinHostPort(displayHost(e.set.Host), strconv.Itoa(e.set.Port))
	}
	if _, p, err := net.SplitHostPort(s.Addr); err == nil {
		s.Port, _ = strconv.Atoi(p)
	}
	if k, ok := e.vault.ClientKeyInfo(credentials.MainClientKey); ok {
		s.ClientKeyMasked = k.Masked
	}
	e.mu.Lock()
	s.LastError = e.lastErr
	e.mu.Unlock()
	if n, err := e.requests.get(ctx); err == nil {
		s.RequestCount = n
	}
	return s
}

func displayHost(h string) string {
	if h == "" || h == "localhost" {
		return "127.0.0.1"
	}
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
}

// ClientKey returns the main client key, for copying to the clipboard or the CLI.
func (e *Engine) ClientKey() (string, error) {
	return e.vault.ClientKey(credentials.MainClientKey)
}

// Recorded is how many records the recorder has written to the store since the engine
// opened; it only grows. The window uses it to know when to refresh its counts.
func (e *Engine) Recorded() int64 { return e.queue.Written() }

// Store is the engine's store, for read-only queries.
func (e *Engine) Store() store.Store { return e.store }

// Close stops the proxy, drains the recorder into the store (or its spool) and closes the
// store.
func (e *Engine) Close() error {
	perr := e.StopProxy()
	e.stopQ()
	e.queue.Wait()
	serr := e.store.Close()
	e.unlock()
	return errors.Join(perr, serr)
}

// BaseURL is the URL clients use for an address from Status.
func BaseURL(addr string) string { return "http://" + addr }
