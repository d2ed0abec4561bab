package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"nexus/credentials"
	"nexus/engine"
)

// runLogin is `nexus credentials login NAME`: a PKCE login whose code the user pastes on
// stdin. The keychain is checked before the user is sent to log in.
func runLogin(ctx context.Context, args []string, stdio IO) error {
	name, err := oneName("credentials login", args)
	if err != nil {
		return err
	}
	if err := credentials.ValidateName(name); err != nil {
		return err
	}
	cfg, err := (&commonFlags{}).resolve()
	if err != nil {
		return err
	}
	v, err := openVault()
	if err != nil {
		return err
	}
	client := engine.OAuthClient(cfg.Settings)
	l := client.StartLogin()
	fmt.Fprintf(stdio.Stderr, "Open this URL in a browser, log in to your Claude account, then paste the code shown (CODE#STATE) here:\n")
	fmt.Fprintln(stdio.Stdout, l.URL)
	pasted, err := readLine(stdio.Stdin)
	if err != nil {
		return err
	}
	if pasted == "" {
		return errors.New("no code on stdin: paste the code shown after login (CODE#STATE)")
	}
	t, err := client.Finish(ctx, l, pasted)
	if err != nil {
		return err
	}
	if err := v.AddOAuth(name, t); err != nil {
		return err
	}
	fmt.Fprintf(stdio.Stderr, "logged in: saved OAuth tokens for account %q in the keychain (access token expires %s)\n",
		name, t.Expires().UTC().Format("2006-01-02 15:04:05 UTC"))
	return nil
}

func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading stdin: %w", err)
	}
	return strings.TrimSpace(line), nil
}

// runImport is `nexus credentials import DIR [--delete-after-import]`. Each file is
// validated in full before anything of it is stored; one bad file does not stop the others.
func runImport(args []string, stdio IO) error {
	var dir string
	deleteAfter := false
	for _, a := range args {
		switch {
		case a == "--delete-after-import" || a == "-delete-after-import":
			deleteAfter = true
		case strings.HasPrefix(a, "-"):
			return fmt.Errorf("%w: unknown flag %s: nexus credentials import DIR [--delete-after-import]", errUsage, a)
		case dir != "":
			return fmt.Errorf("%w: nexus credentials import DIR [--delete-after-import]", errUsage)
		default:
			dir = a
		}
	}
	if dir == "" {
		return fmt.Errorf("%w: nexus credentials import DIR [--delete-after-import]", errUsage)
	}
	files, err := credentials.LegacyFiles(dir)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no *%s files in %s", credentials.LegacySuffix, dir)
	}
	v, err := openVault()
	if err != nil {
		return err
	}
	var failed []string
	for _, p := range files {
		im, err := credentials.ImportLegacyFile(v, p, deleteAfter)
		if err != nil {
			fmt.Fprintf(stdio.Stderr, "nexus: %v\n", err)
			failed = append(failed, p)
			if errors.Is(err, credentials.ErrUnavailable) {
				break
			}
			continue
		}
		what := "imported"
		if !im.Changed {
			what = "already imported (unchanged)"
		}
		fmt.Fprintf(stdio.Stderr, "%s %s as %s account %q", what, p, im.Kind, im.Account)
		if im.ClientKey != "" {
			fmt.Fprintf(stdio.Stderr, ", with its client key %q bound to it", im.ClientKey)
		}
		fmt.Fprintln(stdio.Stderr)
		fmt.Fprintf(stdio.Stderr, "  %s\n", im.Warning())
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d files not imported", len(failed), len(files))
	}
	return nil
}
