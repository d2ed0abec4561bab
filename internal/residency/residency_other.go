//go:build !linux

package residency

// DropCleanFilePages does nothing outside Linux.
func DropCleanFilePages() (int64, error) { return 0, nil }
