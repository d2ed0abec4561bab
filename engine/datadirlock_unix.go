//go:build unix

package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockDataDir takes the data directory for this process: a running Nexus replays and
// rewrites its spool there, and two of them sharing it lose records. The lock is an flock on
// the file "lock" in dir, held until release is called or the process ends (the kernel drops
// it then, so a crash leaves nothing to clean up). The file holds the owner's pid, for the
// message a second process gets.
func lockDataDir(dir string) (release func(), err error) {
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking the data dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		owner, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s is in use by Nexus process %s; stop it, or give this one its own --data-dir",
				ErrDataDirInUse, dir, strings.TrimSpace(string(owner)))
		}
		return nil, fmt.Errorf("locking the data dir: %w", err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() { f.Close() }, nil
}
