//go:build e2e

// Package serve tests the built binary headless: `nexus serve` with real clients (the
// official Go and TypeScript SDKs) in front and the scripted fake Anthropic API behind.
package serve

import (
	"testing"

	"nexus/e2e/nexustest"
)

// env is the harness's environment; tests of this package hang their own helpers on it.
type env struct{ *nexustest.Env }

func newEnv(t testing.TB) *env { return &env{nexustest.NewEnv(t)} }
