//go:build !unix

package engine

// lockDataDir does nothing where flock is not available.
func lockDataDir(string) (release func(), err error) { return func() {}, nil }
