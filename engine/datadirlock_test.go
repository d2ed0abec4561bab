package engine

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"nexus/credentials"
	"nexus/internal/freeport"
)

// A second engine on a data dir in use is refused, naming the process that has it (two
// sharing one spool lose records); once the first closes, the dir can be had again.
func TestDataDirHasOneEngine(t *testing.T) {
	set := testSettings(t)
	first, err := Open(testCtx(t), Options{Settings: set, Logger: quietLog(), Keychain: credentials.NewMemoryKeychain()})
	if err != nil {
		t.Fatal(err)
	}
	set2 := set
	set2.Port = freeport.Loopback(t)
	_, err = Open(testCtx(t), Options{Settings: set2, Logger: quietLog(), Keychain: credentials.NewMemoryKeychain()})
	if !errors.Is(err, ErrDataDirInUse) || !strings.Contains(err.Error(), strconv.Itoa(os.Getpid())) {
		t.Fatalf("second Open: %v; want ErrDataDirInUse naming pid %d", err, os.Getpid())
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again := openEngine(t, set2, nil)
	if again.Settings().DataDir != set.DataDir {
		t.Fatal("opened another data dir")
	}
}
