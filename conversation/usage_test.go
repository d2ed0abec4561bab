package conversation

import (
	"encoding/json"
	"testing"
)

// mergeJSON merges usage objects given as JSON, in order, into a zero Usage.
func mergeJSON(t testing.TB, objs ...string) Usage {
	t.Helper()
	var u Usage
	for _, o := range objs {
		var w wireUsage
		if err := json.Unmarshal([]byte(o), &w); err != nil {
			t.Fatalf("%s: %v", o, err)
		}
		u.merge(&w)
	}
	return u
}

func TestUsageMerge(t *testing.T) {
	for _, tc := range []struct {
		name string
		objs []string
		want Usage
	}{
		{"message_start then message_delta", []string{
			`{"input_tokens":100,"output_tokens":1,"cache_creation_input_tokens":30,"cache_read_input_tokens":40,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20}}`,
			`{"input_tokens":100,"cache_creation_input_tokens":30,"cache_read_input_tokens":80,"output_tokens":55}`,
		}, Usage{InputTokens: 100, OutputTokens: 55, CacheCreationInputTokens: 30, CacheReadInputTokens: 80, CacheCreation5m: 10, CacheCreation1h: 20}},
		{"absent fields do not zero", []string{
			`{"input_tokens":100,"output_tokens":1,"cache_read_input_tokens":40}`,
			`{"output_tokens":7}`,
			`{}`,
		}, Usage{InputTokens: 100, OutputTokens: 7, CacheReadInputTokens: 40}},
		{"a present zero wins", []string{
			`{"input_tokens":100,"output_tokens":5}`,
			`{"output_tokens":0}`,
		}, Usage{InputTokens: 100}},
		{"null is absent", []string{
			`{"input_tokens":100,"cache_creation":{"ephemeral_5m_input_tokens":3}}`,
			`{"input_tokens":null,"cache_creation":null}`,
		}, Usage{InputTokens: 100, CacheCreation5m: 3}},
		{"negative ignored", []string{
			`{"input_tokens":100}`,
			`{"input_tokens":-5,"output_tokens":-1}`,
		}, Usage{InputTokens: 100}},
		{"no split: all 5-minute", []string{
			`{"cache_creation_input_tokens":50}`,
		}, Usage{CacheCreationInputTokens: 50, CacheCreation5m: 50}},
		{"no split: derived split follows the total", []string{
			`{"cache_creation_input_tokens":50}`,
			`{"cache_creation_input_tokens":80}`,
		}, Usage{CacheCreationInputTokens: 80, CacheCreation5m: 80}},
		{"split kept when the total repeats", []string{
			`{"cache_creation_input_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":30}}`,
			`{"cache_creation_input_tokens":30}`,
		}, Usage{CacheCreationInputTokens: 30, CacheCreation1h: 30}},
		{"empty split counts as 5-minute", []string{
			`{"cache_creation_input_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0}}`,
		}, Usage{CacheCreationInputTokens: 30, CacheCreation5m: 30}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mergeJSON(t, tc.objs...); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestUsageTotal(t *testing.T) {
	u := Usage{InputTokens: 1, OutputTokens: 2, CacheCreationInputTokens: 4, CacheReadInputTokens: 8, CacheCreation5m: 4}
	if u.Total() != 15 {
		t.Errorf("total %d", u.Total())
	}
}
