package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"nexus/credentials"
)

// openVault opens the OS keychain for a credentials command; without one it fails with the
// cause and the fix, and nothing is stored anywhere else.
func openVault() (*credentials.Vault, error) {
	return credentials.OpenVault(credentials.SystemKeychain{})
}

func runCredentials(ctx context.Context, args []string, stdio IO) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: credentials needs a subcommand: add-key, login, import, list, remove, default", errUsage)
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "add-key":
		name, err := oneName("credentials add-key", rest)
		if err != nil {
			return err
		}
		if err := credentials.ValidateName(name); err != nil { // before waiting on stdin
			return err
		}
		key, err := readSecret(stdio.Stdin)
		if err != nil {
			return err
		}
		v, err := openVault()
		if err != nil {
			return err
		}
		if err := v.AddAPIKey(name, key); err != nil {
			return err
		}
		fmt.Fprintf(stdio.Stderr, "saved API key for account %q in the keychain\n", name)
		return nil
	case "login":
		return runLogin(ctx, rest, stdio)
	case "import":
		return runImport(rest, stdio)
	case "list":
		fs := newFlagSet("nexus credentials list", stdio)
		asJSON := fs.Bool("json", false, "print one JSON document")
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		v, err := openVault()
		if err != nil {
			return err
		}
		return printAccounts(stdio.Stdout, v.Accounts(), *asJSON)
	case "remove":
		name, err := oneName("credentials remove", rest)
		if err != nil {
			return err
		}
		v, err := openVault()
		if err != nil {
			return err
		}
		return v.Remove(name)
	case "default":
		name, err := oneName("credentials default", rest)
		if err != nil {
			return err
		}
		v, err := openVault()
		if err != nil {
			return err
		}
		return v.SetDefault(name)
	}
	return fmt.Errorf("%w: unknown credentials subcommand %q", errUsage, sub)
}

func oneName(cmd string, args []string) (string, error) {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return "", fmt.Errorf("%w: nexus %s NAME", errUsage, cmd)
	}
	return args[0], nil
}

// readSecret reads one line from stdin: secrets never come from argv, where other users can
// see them in the process list.
func readSecret(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the key from stdin: %w", err)
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return "", errors.New("no key on stdin: pipe it in, e.g. nexus credentials add-key NAME < keyfile")
	}
	return line, nil
}

// accountJSON is the contract of `nexus credentials list --json`.
type accountJSON struct {
	Name      string  `json:"name"`
	Kind      string  `json:"kind"`
	Masked    string  `json:"masked"`
	ExpiresAt *string `json:"expires_at"`
	Default   bool    `json:"default"`
	CreatedAt string  `json:"created_at"`
	// NeedsLogin and RefreshError say why an OAuth account cannot refresh.
	NeedsLogin   bool   `json:"needs_login"`
	RefreshError string `json:"refresh_error,omitempty"`
}

// expiresAt is an OAuth account's token expiry in RFC 3339, nil for API keys.
func expiresAt(a credentials.AccountView) *string {
	if a.Kind != credentials.KindOAuth || a.ExpiresAt == 0 {
		return nil
	}
	s := time.UnixMilli(a.ExpiresAt).UTC().Format(time.RFC3339)
	return &s
}

func printAccounts(w io.Writer, accounts []credentials.AccountView, asJSON bool) error {
	if asJSON {
		out := struct {
			Accounts []accountJSON `json:"accounts"`
		}{Accounts: []accountJSON{}}
		for _, a := range accounts {
			out.Accounts = append(out.Accounts, accountJSON{Name: a.Name, Kind: string(a.Kind), Masked: a.Masked,
				ExpiresAt: expiresAt(a), Default: a.Default, CreatedAt: a.Created.Format(time.RFC3339),
				NeedsLogin: a.NeedsLogin, RefreshError: a.RefreshError})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(accounts) == 0 {
		fmt.Fprintln(w, "no accounts; add one with: nexus credentials add-key NAME < keyfile")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tKEY\tDEFAULT\tEXPIRES")
	for _, a := range accounts {
		def, exp := "", ""
		if a.Default {
			def = "yes"
		}
		if e := expiresAt(a); e != nil {
			exp = *e
		}
		if a.NeedsLogin {
			exp += " (needs login: nexus credentials login " + a.Name + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Name, a.Kind, a.Masked, def, exp)
	}
	return tw.Flush()
}

func runClientKey(args []string, stdio IO) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: nexus client-key show|rotate", errUsage)
	}
	v, err := openVault()
	if err != nil {
		return err
	}
	switch args[0] {
	case "show":
		if _, err := v.EnsureClientKey(credentials.MainClientKey, ""); err != nil {
			return err
		}
	case "rotate":
		if _, err := v.EnsureClientKey(credentials.MainClientKey, ""); err != nil {
			return err
		}
		if err := v.RotateClientKey(credentials.MainClientKey); err != nil {
			return err
		}
		fmt.Fprintln(stdio.Stderr, "rotated: the old client key no longer works (a running Nexus switches within a few seconds); update your clients")
	default:
		return fmt.Errorf("%w: nexus client-key show|rotate", errUsage)
	}
	key, err := v.ClientKey(credentials.MainClientKey)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdio.Stdout, key)
	return nil
}
