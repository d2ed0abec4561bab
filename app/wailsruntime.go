package app

import (
	"context"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Runtime is every Wails runtime call the app makes: the one seam to fake in tests.
type Runtime interface {
	WindowShow(ctx context.Context)
	WindowHide(ctx context.Context)
	WindowUnminimise(ctx context.Context)
	WindowGetSize(ctx context.Context) (int, int)
	WindowGetPosition(ctx context.Context) (int, int)
	WindowSetPosition(ctx context.Context, x, y int)
	EventsEmit(ctx context.Context, name string, data ...any)
	ClipboardSetText(ctx context.Context, text string) error
	Quit(ctx context.Context)
}

// wailsRuntime is Runtime on the real Wails runtime.
type wailsRuntime struct{}

func (wailsRuntime) WindowShow(ctx context.Context)       { runtime.WindowShow(ctx) }
func (wailsRuntime) WindowHide(ctx context.Context)       { runtime.WindowHide(ctx) }
func (wailsRuntime) WindowUnminimise(ctx context.Context) { runtime.WindowUnminimise(ctx) }
func (wailsRuntime) WindowGetSize(ctx context.Context) (int, int) {
	return runtime.WindowGetSize(ctx)
}
func (wailsRuntime) WindowGetPosition(ctx context.Context) (int, int) {
	return runtime.WindowGetPosition(ctx)
}
func (wailsRuntime) WindowSetPosition(ctx context.Context, x, y int) {
	runtime.WindowSetPosition(ctx, x, y)
}
func (wailsRuntime) EventsEmit(ctx context.Context, name string, data ...any) {
	runtime.EventsEmit(ctx, name, data...)
}
func (wailsRuntime) ClipboardSetText(ctx context.Context, text string) error {
	return runtime.ClipboardSetText(ctx, text)
}
func (wailsRuntime) Quit(ctx context.Context) { runtime.Quit(ctx) }
