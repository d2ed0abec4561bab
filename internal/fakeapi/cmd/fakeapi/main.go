// Command fakeapi serves the fake Anthropic API of package nexus/internal/fakeapi for
// clients outside Go, such as the TypeScript SDK tests.
//
//	fakeapi [--addr 127.0.0.1:0] [--claude-code] [--capture DIR]
//
// Its first line of output is "listening http://HOST:PORT"; it serves until SIGTERM or
// SIGINT. Clients pick scenarios with the x-fake-scenario header or a "scenario:NAME"
// marker in the request body.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"nexus/internal/fakeapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fakeapi:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, after printing the listening line to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("fakeapi", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:0", "address to listen on")
	claudeCode := flags.Bool("claude-code", false, "answer as the Claude Code responder (see fakeapi.Server.ClaudeCode)")
	capture := flags.String("capture", "", "write every request and its response to `DIR`/NNNN.json")
	if err := flags.Parse(args); err != nil {
		return err
	}
	srv, err := fakeapi.Listen(*addr)
	if err != nil {
		return err
	}
	defer srv.Close()
	// Nothing but the test harness reads the bodies; don't let a long run grow without bound.
	srv.KeepBodies(false)
	srv.KeepLast(1000)
	srv.ClaudeCode(*claudeCode)
	if err := srv.CaptureTo(*capture); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "listening %s\n", srv.URL()); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}
