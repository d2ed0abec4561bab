// Command nexus is Nexus Desktop: a localhost proxy for the Anthropic API with a window and a
// tray, or headless with `nexus serve`. main only wires: it parses nothing itself.
package main

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"nexus/app"
	"nexus/cli"
)

//go:embed all:frontend/dist
var frontendDist embed.FS

//go:embed build/appicon.png
var icon []byte

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, runDesktop)
	stop()
	os.Exit(code)
}

func runDesktop(cfg cli.Config, log *slog.Logger) error {
	assets, err := fs.Sub(frontendDist, "frontend/dist")
	if err != nil {
		return err
	}
	return app.RunDesktop(app.DesktopOptions{
		Settings: cfg.Settings, SettingsPath: cfg.SettingsPath, Assets: assets, Icon: icon, Logger: log,
	})
}
