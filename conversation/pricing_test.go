package conversation

import (
	"math"
	"testing"
)

func TestPriceLookupLongestPrefix(t *testing.T) {
	table := PriceTable{Prices: []Price{
		{Model: "claude-opus-4", Input: 15},
		{Model: "claude-opus-4-5", Input: 5},
		{Model: "claude", Input: 1},
	}}
	for model, want := range map[string]float64{
		"claude-opus-4-5-20251101": 5,
		"claude-opus-4-1-20250805": 15,
		"claude-opus-4":            15,
		"claude-haiku-4-5":         1,
	} {
		p, ok := table.Lookup(model)
		if !ok || p.Input != want {
			t.Errorf("%s: %v %v, want input %v", model, p, ok, want)
		}
	}
	if _, ok := table.Lookup("gpt-4o"); ok {
		t.Error("unknown model found")
	}
	// Order in the table does not matter.
	table.Prices[0], table.Prices[1] = table.Prices[1], table.Prices[0]
	if p, _ := table.Lookup("claude-opus-4-5-20251101"); p.Input != 5 {
		t.Errorf("order-dependent lookup: %v", p)
	}
}

func TestDefaultPrices(t *testing.T) {
	prices := DefaultPrices()
	if prices.AsOf == "" {
		t.Error("no date")
	}
	for model, input := range map[string]float64{
		"claude-sonnet-4-5-20250929": 3,
		"claude-sonnet-4-6":          3,
		"claude-opus-4-6":            5,
		"claude-opus-4-5-20251101":   5,
		"claude-opus-4-1-20250805":   15,
		"claude-haiku-4-5-20251001":  1,
		"claude-3-5-haiku-20241022":  0.8,
	} {
		if p, ok := prices.Lookup(model); !ok || p.Input != input {
			t.Errorf("%s: input %v (found %v), want %v", model, p.Input, ok, input)
		}
	}
	for _, p := range prices.Prices {
		if p.Model == "claude-3-haiku" { // priced before the ratios settled
			continue
		}
		// The cache classes keep Anthropic's ratios to the input price.
		if !near(p.CacheWrite5m, 1.25*p.Input) || !near(p.CacheWrite1h, 2*p.Input) || !near(p.CacheRead, 0.1*p.Input) {
			t.Errorf("%s: cache prices %v/%v/%v for input %v", p.Model, p.CacheWrite5m, p.CacheWrite1h, p.CacheRead, p.Input)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestCost(t *testing.T) {
	table := PriceTable{Prices: []Price{{Model: "m", Input: 3, Output: 15, CacheWrite5m: 3.75, CacheWrite1h: 6, CacheRead: 0.3}}}
	for _, tc := range []struct {
		name string
		u    Usage
		want float64
	}{
		{"input and output", Usage{InputTokens: 1e6, OutputTokens: 1e6}, 18},
		{"cache read", Usage{CacheReadInputTokens: 1e6}, 0.3},
		{"split", Usage{CacheCreationInputTokens: 3e6, CacheCreation5m: 1e6, CacheCreation1h: 2e6}, 3.75 + 12},
		{"no split: 5-minute", Usage{CacheCreationInputTokens: 2e6}, 7.5},
		{"partial split: the rest is 5-minute", Usage{CacheCreationInputTokens: 3e6, CacheCreation1h: 1e6}, 6 + 7.5},
		{"zero", Usage{}, 0},
	} {
		if got := table.Cost("m-2026", tc.u); !near(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := table.Cost("unknown", Usage{InputTokens: 1e6}); got != 0 {
		t.Errorf("unknown model costs %v", got)
	}
}
