package cli

import (
	"context"
	"fmt"

	"nexus/engine"
	"nexus/internal/residency"
)

// runServe runs the proxy without a window until ctx ends (SIGINT or SIGTERM in main).
func runServe(ctx context.Context, args []string, stdio IO) error {
	var c commonFlags
	fs := newFlagSet("nexus serve", stdio)
	c.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := c.resolve()
	if err != nil {
		return err
	}
	log := newLogger(stdio.Stderr)
	e, err := engine.Open(ctx, engine.Options{Settings: cfg.Settings, Logger: log})
	if err != nil {
		return err
	}
	if err := e.StartProxy(); err != nil {
		e.Close()
		return err
	}
	// Headless, the window's libraries are mapped but never run: their pages go back.
	if n, err := residency.DropCleanFilePages(); err != nil {
		log.Debug("could not give back unused library pages", "err", err)
	} else {
		log.Debug("gave back unused library pages", "bytes", n)
	}
	st := e.Status(ctx)
	log.Info("nexus serve ready", "url", engine.BaseURL(st.Addr), "client_auth", st.ClientAuth,
		"client_key", st.ClientKeyMasked, "data_dir", cfg.Settings.DataDir)
	if st.ClientAuth && !st.KeychainOK {
		// No keychain keeps the key, so `nexus client-key show` cannot show it: the terminal
		// gets it once, on stdout (never in the log).
		if key, err := e.ClientKey(); err == nil {
			fmt.Fprintf(stdio.Stdout, "client key for this run only (no keychain to keep it): %s\n", key)
		}
	}
	<-ctx.Done()
	log.Info("shutting down")
	if err := e.Close(); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}
