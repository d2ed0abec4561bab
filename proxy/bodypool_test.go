package proxy

import "testing"

func TestBodyBufferClasses(t *testing.T) {
	for _, tc := range []struct{ size, wantCap int }{
		{1, 4 << 10}, {4 << 10, 4 << 10}, {4<<10 + 1, 5 << 10}, {8<<10 + 200, 10 << 10},
		{72 << 10, 80 << 10}, {650 << 10, 768 << 10}, {1 << 20, 1 << 20}, {8 << 20, 8 << 20}, {8<<20 + 1, 8<<20 + 1},
	} {
		b := getBodyBuffer(tc.size)
		if len(b) != 0 || cap(b) != tc.wantCap {
			t.Errorf("size %d: len %d cap %d, want 0 and %d", tc.size, len(b), cap(b), tc.wantCap)
		}
		putBodyBuffer(append(b, 'x'))
		if again := getBodyBuffer(tc.size); len(again) != 0 || cap(again) < tc.size {
			t.Errorf("size %d: reused buffer len %d cap %d", tc.size, len(again), cap(again))
		}
	}
}
