// Package cli is Nexus's command line: it parses the command of DESIGN.md's contract and runs
// it, headless commands here and the desktop app through the function main passes in.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// IO is where a command reads and writes.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Desktop runs the desktop app with cfg until it quits.
type Desktop func(cfg Config, log *slog.Logger) error

// errUsage marks errors that come from wrong arguments (exit code 2).
var errUsage = errors.New("usage")

// errFlags is the usage error of a flag the flag package refused: it has printed the error and
// the command's flags already, so only a pointer to the commands follows.
var errFlags = fmt.Errorf("%w: flags", errUsage)

// Run runs the command in args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, stdio IO, desktop Desktop) int {
	err := dispatch(ctx, args, stdio, desktop)
	var ex exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ex):
		return int(ex)
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errFlags):
		fmt.Fprintln(stdio.Stderr, "nexus help lists the commands")
		return 2
	case errors.Is(err, errUsage):
		fmt.Fprintf(stdio.Stderr, "nexus: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(stdio.Stderr, "nexus: %v\n", err)
		return 1
	}
}

// exitError ends a command with a given exit code, its message already printed.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

const usage = `Usage:
  nexus                                   the desktop app (window + tray)
  nexus serve                             the proxy, headless
  nexus check [--json]                    the security checklist (exit 1 if a critical item fails)
  nexus requests [--json] [--limit N]     recent requests, newest first
  nexus conversations [--json] [--limit N]
                                          conversations, the most recently active first
  nexus credentials add-key NAME          store an Anthropic API key read from stdin
  nexus credentials login NAME            log in to a Claude account (OAuth, PKCE)
  nexus credentials import DIR [--delete-after-import]
                                          import legacy *.credentials.json files
  nexus credentials list [--json]         accounts (never a secret)
  nexus credentials remove NAME           delete an account
  nexus credentials default NAME          make an account the default
  nexus client-key show|rotate            the key clients present to the proxy

Common flags: --port N, --data-dir DIR, --upstream URL
Environment: PORT, HOST, NEXUS_DATA_DIR, CLAUDE_API_BASE_URL, CLAUDE_OAUTH_TOKEN_URL,
DATABASE_URL, STORAGE_ENABLED, ENABLE_CLIENT_AUTH, DASHBOARD_API_KEY, CREDENTIALS_DIR,
RETENTION_DAYS, RETENTION_MAX_MB
`

func dispatch(ctx context.Context, args []string, stdio IO, desktop Desktop) error {
	cmd, rest := "", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "":
		return runDesktop(rest, stdio, desktop)
	case "serve":
		return runServe(ctx, rest, stdio)
	case "requests":
		return runRequests(ctx, rest, stdio)
	case "conversations":
		return runConversations(ctx, rest, stdio)
	case "check":
		return runCheck(rest, stdio)
	case "credentials":
		return runCredentials(ctx, rest, stdio)
	case "client-key":
		return runClientKey(rest, stdio)
	case "help":
		fmt.Fprint(stdio.Stdout, usage)
		return nil
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stdio IO) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdio.Stderr)
	return fs
}

// parseFlags parses the flags of a command that takes no other arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errFlags, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s takes no argument %q (flags start with --)", errUsage, fs.Name(), fs.Arg(0))
	}
	return nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func runDesktop(args []string, stdio IO, desktop Desktop) error {
	var c commonFlags
	fs := newFlagSet("nexus", stdio)
	fs.Usage = func() {} // -h lists the commands, not only the common flags
	c.register(fs)
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdio.Stdout, usage)
		}
		return err
	}
	cfg, err := c.resolve()
	if err != nil {
		return err
	}
	return desktop(cfg, newLogger(stdio.Stderr))
}
