package proxy

import (
	"strings"
	"testing"
	"time"
)

// Ids made one after another within one millisecond sort in the order they were made (a
// list ordered by start time, then id, then shows requests sent back to back in order).
func TestRecordIDsWithinAMillisecondSortInOrder(t *testing.T) {
	at := time.UnixMilli(1_764_000_000_000)
	prev := NewRecordID(at)
	for range 10_000 {
		id := NewRecordID(at)
		if id <= prev {
			t.Fatalf("id %s made after %s sorts before it", id, prev)
		}
		prev = id
	}
}

// Ids of later milliseconds sort after earlier ones, and an id of an earlier millisecond
// (a request that called later but started earlier) keeps its own time.
func TestRecordIDsSortByTime(t *testing.T) {
	at := time.UnixMilli(1_764_000_000_000)
	later := NewRecordID(at.Add(time.Millisecond))
	earlier := NewRecordID(at)
	if !(earlier < later) {
		t.Errorf("id of %v (%s) does not sort before id of %v (%s)", at, earlier, at.Add(time.Millisecond), later)
	}
	if !strings.HasPrefix(earlier, "r_") || len(earlier) != 2+26 {
		t.Errorf("id %q: want r_ and 26 base32 characters", earlier)
	}
}

func TestIncrementCarries(t *testing.T) {
	n := []byte{0x01, 0xff, 0xff}
	increment(n)
	if n[0] != 0x02 || n[1] != 0 || n[2] != 0 {
		t.Errorf("increment(01 ff ff) = % x, want 02 00 00", n)
	}
}
