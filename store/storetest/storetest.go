// Package storetest is the conformance suite every store.Store implementation passes. Each
// implementation's tests call Run with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"testing"
	"time"

	"nexus/store"
	"nexus/store/sqlstore"
)

// Opener opens a fresh, empty store for one test, reading sealed content with codec (which
// may be nil), and arranges (with t.Cleanup) to close it and remove what it made.
type Opener func(t *testing.T, codec sqlstore.Opener) store.Store

// Run runs the whole suite, one subtest per behaviour, each on a fresh store.
func Run(t *testing.T, open Opener) {
	t.Run("Requests", func(t *testing.T) { runRequests(t, open) })
	t.Run("Content", func(t *testing.T) { runContent(t, open) })
	t.Run("Linking", func(t *testing.T) { runLinking(t, open) })
}

// ctx is the context of one suite call: bounded, so that a hung database fails the test
// instead of hanging it.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}
