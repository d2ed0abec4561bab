package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"nexus/checklist"
	"nexus/credentials"
	"nexus/settings"
)

// sqliteFile is the embedded store's file in the data dir (store/sqlite.FileName).
const sqliteFile = "nexus.db"

// runCheck prints the security checklist and exits 1 when a critical item fails.
func runCheck(args []string, stdio IO) error {
	var c commonFlags
	fs := newFlagSet("nexus check", stdio)
	c.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := c.resolve()
	if err != nil {
		return err
	}
	items := checklist.Run(gatherFacts(cfg.Settings, credentials.SystemKeychain{}))
	if *asJSON {
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Items []checklist.Item `json:"items"`
		}{items}); err != nil {
			return err
		}
	} else if err := printChecklist(stdio, items); err != nil {
		return err
	}
	if checklist.CriticalFailed(items) {
		return exitError(1)
	}
	return nil
}

func printChecklist(stdio IO, items []checklist.Item) error {
	tw := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tID\tTITLE")
	for _, it := range items {
		status := strings.ToUpper(it.Status)
		if it.Critical && it.Status == checklist.Fail {
			status += "!"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", status, it.ID, it.Title)
		if it.Status != checklist.Pass {
			fmt.Fprintf(tw, "\t\t  evidence: %s\n", it.Evidence)
			if it.Fix != "" {
				fmt.Fprintf(tw, "\t\t  fix: %s\n", it.Fix)
			}
		}
	}
	return tw.Flush()
}

// gatherFacts reads what the checks need: the settings, the keychain kc, file modes. It
// gathers no secret: DATABASE_URL is reduced to hosts and sslmode, DASHBOARD_API_KEY to
// whether it is set.
func gatherFacts(s settings.Settings, kc credentials.Keychain) checklist.Facts {
	f := checklist.Facts{
		Now:             time.Now(),
		ClientAuth:      s.ClientAuth,
		Host:            s.Host,
		HostLoopback:    s.Host == "" || settings.IsLoopbackHost(s.Host),
		DashboardKeySet: s.DashboardAPIKey != "",
		DataDir:         statFile(s.DataDir),
		Database:        statFile(filepath.Join(s.DataDir, sqliteFile)),
		DB:              databaseFacts(s.DatabaseURL),
		Upstream:        s.Upstream,
	}
	if v, err := credentials.OpenVault(kc); err != nil {
		f.KeychainErr = err.Error()
	} else {
		for _, a := range v.Accounts() {
			f.Accounts = append(f.Accounts, checklist.Credential{Name: a.Name, Kind: string(a.Kind), Created: a.Created})
		}
		if k, ok := v.ClientKeyInfo(credentials.MainClientKey); ok {
			f.ClientKeys = append(f.ClientKeys, checklist.Credential{Name: k.ID, Kind: "client_key", Created: k.Created})
		}
	}
	if s.CredentialsDir != "" {
		f.CredentialsDir = legacyDirFacts(s.CredentialsDir)
	}
	return f
}

func statFile(path string) checklist.File {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return checklist.File{Path: path}
	case err != nil:
		return checklist.File{Path: path, Exists: true, Err: err.Error()}
	}
	return checklist.File{Path: path, Exists: true, Mode: fi.Mode()}
}

// legacyDirFacts describes dir and its *.credentials.json files.
func legacyDirFacts(dir string) *checklist.Dir {
	d := &checklist.Dir{File: statFile(dir)}
	if !d.Exists || d.Err != "" {
		return d
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.credentials.json"))
	if err != nil {
		d.Err = err.Error()
		return d
	}
	for _, n := range names {
		d.Files = append(d.Files, statFile(n))
	}
	return d
}

// databaseFacts reduces DATABASE_URL to its hosts and sslmode: the URL may hold a password.
func databaseFacts(raw string) checklist.Database {
	if raw == "" {
		return checklist.Database{}
	}
	db := checklist.Database{Set: true}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return db
	}
	db.Postgres = true
	q := u.Query()
	db.SSLMode = q.Get("sslmode")
	hosts := u.Host
	if h := q.Get("host"); h != "" {
		hosts = h // pgx: a host parameter overrides the URL's
	}
	for _, h := range strings.Split(hosts, ",") {
		if h == "" {
			continue
		}
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		db.Hosts = append(db.Hosts, strings.Trim(h, "[]"))
	}
	return db
}
