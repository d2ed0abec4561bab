//go:build e2e

// Package credentials tests the built binary's credentials end to end: legacy files dropped
// into a watched CREDENTIALS_DIR, OAuth refresh under concurrent load, and that no secret
// ever reaches a log, an output, or a file.
package credentials

import (
	"testing"

	"nexus/e2e/nexustest"
)

// env is the harness's environment; tests of this package hang their own helpers on it.
type env struct{ *nexustest.Env }

func newEnv(t testing.TB) *env { return &env{nexustest.NewEnv(t)} }
