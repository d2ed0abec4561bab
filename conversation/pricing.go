package conversation

import "strings"

// Price is what a model costs in US dollars per million tokens of each class.
type Price struct {
	Model        string  `json:"model"` // a model id prefix, e.g. "claude-sonnet-4"
	Input        float64 `json:"input"`
	Output       float64 `json:"output"`
	CacheWrite5m float64 `json:"cache_write_5m"`
	CacheWrite1h float64 `json:"cache_write_1h"`
	CacheRead    float64 `json:"cache_read"`
}

// PriceTable maps model id prefixes to prices. The longest matching prefix wins.
type PriceTable struct {
	AsOf   string  `json:"as_of"` // the date the prices were taken from the public price list
	Prices []Price `json:"prices"`
}

// DefaultPrices is Anthropic's public price list as of its AsOf date. Users may override it.
func DefaultPrices() PriceTable {
	return PriceTable{AsOf: "2026-01-15", Prices: []Price{
		{"claude-opus-4-6", 5, 25, 6.25, 10, 0.50},
		{"claude-opus-4-5", 5, 25, 6.25, 10, 0.50},
		{"claude-opus-4", 15, 75, 18.75, 30, 1.50},
		{"claude-sonnet-4", 3, 15, 3.75, 6, 0.30},
		{"claude-3-7-sonnet", 3, 15, 3.75, 6, 0.30},
		{"claude-3-5-sonnet", 3, 15, 3.75, 6, 0.30},
		{"claude-haiku-4-5", 1, 5, 1.25, 2, 0.10},
		{"claude-3-5-haiku", 0.80, 4, 1, 1.6, 0.08},
		{"claude-3-haiku", 0.25, 1.25, 0.30, 0.50, 0.03},
		{"claude-3-opus", 15, 75, 18.75, 30, 1.50},
	}}
}

// Lookup returns the price for model and whether one is known.
func (t PriceTable) Lookup(model string) (Price, bool) {
	best, found := Price{}, false
	for _, p := range t.Prices {
		if strings.HasPrefix(model, p.Model) && len(p.Model) > len(best.Model) {
			best, found = p, true
		}
	}
	return best, found
}

// Cost returns the price of u for model in US dollars; 0 for an unknown model.
func (t PriceTable) Cost(model string, u Usage) float64 {
	p, ok := t.Lookup(model)
	if !ok {
		return 0
	}
	// Cache writes without a split are priced as 5-minute writes.
	w5, w1 := u.CacheCreation5m, u.CacheCreation1h
	if w5+w1 < u.CacheCreationInputTokens {
		w5 = u.CacheCreationInputTokens - w1
	}
	return (float64(u.InputTokens)*p.Input + float64(u.OutputTokens)*p.Output +
		float64(w5)*p.CacheWrite5m + float64(w1)*p.CacheWrite1h +
		float64(u.CacheReadInputTokens)*p.CacheRead) / 1e6
}
