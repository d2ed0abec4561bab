package cli

import (
	"errors"
	"slices"
	"testing"
)

// A list longer than a page is read whole, each page continuing after the last item read.
func TestReadPages(t *testing.T) {
	all := make([]int, 25) // newest first: 25, 24, … 1
	for i := range all {
		all[i] = len(all) - i
	}
	fake := func(n int, last *int) ([]int, error) {
		start := 0
		if last != nil {
			start = slices.Index(all, *last) + 1
		}
		return all[start:min(start+n, len(all))], nil
	}
	for _, tc := range []struct{ limit, want int }{{7, 7}, {10, 10}, {23, 23}, {100, 25}} {
		got, err := readPages(tc.limit, 10, fake)
		if err != nil || len(got) != tc.want || !slices.Equal(got, all[:tc.want]) {
			t.Errorf("limit %d: %v, %v", tc.limit, got, err)
		}
	}
	if _, err := readPages(30, 10, func(int, *int) ([]int, error) { return nil, errors.New("down") }); err == nil {
		t.Error("a failed page gave no error")
	}
}
