package main

import (
	"strings"
	"testing"
)

func TestAPIKeyOfLength(t *testing.T) {
	for _, n := range []int{15, 35, 108, 135} {
		k := apiKeyOfLength(n)
		if len(k) != n || !strings.HasPrefix(k, "sk-ant-api03-") || !strings.HasSuffix(k, "AA") {
			t.Errorf("apiKeyOfLength(%d) = %q (%d characters)", n, k, len(k))
		}
	}
}
