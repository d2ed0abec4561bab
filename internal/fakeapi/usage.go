package fakeapi

// Usage is the usage object of a message, as the API sends it.
type Usage struct {
	InputTokens              int64         `json:"input_tokens"`
	OutputTokens             int64         `json:"output_tokens"`
	CacheCreationInputTokens int64         `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64         `json:"cache_read_input_tokens"`
	CacheCreation            CacheCreation `json:"cache_creation"`
}

// CacheCreation splits cache_creation_input_tokens by cache lifetime.
type CacheCreation struct {
	Ephemeral5mInputTokens int64 `json:"ephemeral_5m_input_tokens"`
	Ephemeral1hInputTokens int64 `json:"ephemeral_1h_input_tokens"`
}

// deltaUsage is the usage object of message_delta: cumulative totals, without the
// cache_creation split (that comes only with message_start).
type deltaUsage struct {
	InputTokens              int64 `json:"input_tokens"`
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
	OutputTokens             int64 `json:"output_tokens"`
}

// UsageFor returns the usage the fake reports for a request body answered by a built-in
// scenario ("" means text): the value Received.Usage holds for such a request, assuming a
// streaming request for midstream_error. For a body of B bytes and an answer of O bytes
// (text, or tool input JSON):
//
//	input_tokens                 B/4
//	cache_read_input_tokens      B/8
//	ephemeral_5m_input_tokens    B/16
//	ephemeral_1h_input_tokens    B/32
//	cache_creation_input_tokens  B/16 + B/32
//	output_tokens                max(1, O/4)
//
// A complete answer reports all of it (non-streaming: in the message; streaming: merged
// from message_start, see AtStart, and message_delta). error:<status> reports zero;
// midstream_error and drop report only what message_start carried.
func UsageFor(body []byte, scenarioName string) Usage {
	sc, err := parseScenario(scenarioName)
	if err != nil {
		return Usage{}
	}
	blocks, _ := content(sc, defaultText, "")
	return sc.reported(usageFor(len(body), outputBytes(blocks)))
}

// usageFor derives the final usage of an answer from the sizes of body and output.
func usageFor(bodyLen, outputLen int) Usage {
	b := int64(bodyLen)
	cc := CacheCreation{Ephemeral5mInputTokens: b / 16, Ephemeral1hInputTokens: b / 32}
	return Usage{
		InputTokens:              b / 4,
		OutputTokens:             max(1, int64(outputLen)/4),
		CacheCreationInputTokens: cc.Ephemeral5mInputTokens + cc.Ephemeral1hInputTokens,
		CacheReadInputTokens:     b / 8,
		CacheCreation:            cc,
	}
}

// AtStart returns the usage message_start carries for an answer whose final usage is u:
// output_tokens at most 1 and half the cache reads. message_delta then brings the final
// input, cache and output counts, so only a merge of both (later values win) yields u.
func (u Usage) AtStart() Usage {
	u.OutputTokens = min(u.OutputTokens, 1)
	u.CacheReadInputTokens /= 2
	return u
}

// reported returns the usage a client receives when final is the answer's full usage.
func (sc scenario) reported(final Usage) Usage {
	switch {
	case sc.kind == kindError:
		return Usage{}
	case sc.cuts():
		return final.AtStart()
	}
	return final
}

func (u Usage) delta() deltaUsage {
	return deltaUsage{u.InputTokens, u.CacheCreationInputTokens, u.CacheReadInputTokens, u.OutputTokens}
}
