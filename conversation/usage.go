package conversation

// Usage is the token usage of one request, as the Messages API reports it. InputTokens
// excludes cache reads and writes; CacheCreationInputTokens is the sum of the 5-minute and
// 1-hour cache writes.
type Usage struct {
	InputTokens              int64 `json:"input_tokens"`
	OutputTokens             int64 `json:"output_tokens"`
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
	CacheCreation5m          int64 `json:"cache_creation_5m_input_tokens"`
	CacheCreation1h          int64 `json:"cache_creation_1h_input_tokens"`
}

// wireUsage is the usage object on the wire. Pointers tell absent fields from zeros so that
// a message_delta only overrides what it actually carries.
type wireUsage struct {
	InputTokens              *int64 `json:"input_tokens"`
	OutputTokens             *int64 `json:"output_tokens"`
	CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int64 `json:"cache_read_input_tokens"`
	CacheCreation            *struct {
		Ephemeral5m *int64 `json:"ephemeral_5m_input_tokens"`
		Ephemeral1h *int64 `json:"ephemeral_1h_input_tokens"`
	} `json:"cache_creation"`
}

// merge applies the fields present in w over u: later values win per field, absent fields
// leave u as it was. Without a 5m/1h split the whole cache write counts as 5-minute (the
// API's default lifetime), and such a derived split follows later changes of the total.
func (u *Usage) merge(w *wireUsage) {
	if w == nil {
		return
	}
	derived := u.CacheCreation1h == 0 && u.CacheCreation5m == u.CacheCreationInputTokens
	set := func(dst *int64, src *int64) {
		if src != nil && *src >= 0 {
			*dst = *src
		}
	}
	set(&u.InputTokens, w.InputTokens)
	set(&u.OutputTokens, w.OutputTokens)
	set(&u.CacheCreationInputTokens, w.CacheCreationInputTokens)
	set(&u.CacheReadInputTokens, w.CacheReadInputTokens)
	switch {
	case w.CacheCreation != nil:
		set(&u.CacheCreation5m, w.CacheCreation.Ephemeral5m)
		set(&u.CacheCreation1h, w.CacheCreation.Ephemeral1h)
	case derived:
		u.CacheCreation5m = u.CacheCreationInputTokens
	}
	if u.CacheCreation5m == 0 && u.CacheCreation1h == 0 {
		u.CacheCreation5m = u.CacheCreationInputTokens
	}
}

// Total is every token the request was billed for, in any class.
func (u Usage) Total() int64 {
	return u.InputTokens + u.OutputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens
}
