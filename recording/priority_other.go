//go:build !linux

package recording

// lowerPriority is a no-op where thread priorities are not set.
func lowerPriority() (restore func()) { return func() {} }
