package fakeapi

import "testing"

func TestScanMessage(t *testing.T) {
	for _, tc := range []struct {
		body   string
		model  string
		stream bool
		ok     bool
	}{
		{`{"model":"m","stream":true}`, "m", true, true},
		{` { "stream" : false , "model" : "a\"b" } `, `a"b`, false, true},
		{`{"messages":[{"content":"x \"stream\": true }"}],"system":[{"text":"\\"}],"model":"m2"}`, "m2", false, true},
		{`{"metadata":{"stream":true,"n":[1,{"a":null}]},"max_tokens":1024}`, "", false, true},
		{`{}`, "", false, true},
		{`{"model":"m"`, "", false, false},
		{`{"model":"m}`, "", false, false},
		{`{"a":[1,2}`, "", false, false},
		{`[1]`, "", false, false},
		{`{"model":"m"} x`, "", false, false},
		{``, "", false, false},
	} {
		f, ok := scanMessage([]byte(tc.body))
		if ok != tc.ok || ok && (f.Model != tc.model || f.Stream != tc.stream) {
			t.Errorf("%s: got %+v %v", tc.body, f, ok)
		}
	}
}

func TestBodyScenario(t *testing.T) {
	for body, want := range map[string]string{
		`{"content":"hi"}`:                                "",
		`{"content":"scenario:tool_use"}`:                 "tool_use",
		`{"a":"scenario:error:529","b":"scenario:drop."}`: "drop",
		`{"content":"run scenario:paced:5:20 please"}`:    "paced:5:20",
		`{"content":"scenario:slow_headers:100: go"}`:     "slow_headers:100",
		`{"content":"SCENARIO:drop"}`:                     "",
	} {
		if got := bodyScenario([]byte(body)); got != want {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
}

func TestParseScenario(t *testing.T) {
	good := []string{"", "text", "tool_use", "error:400", "error:599", "midstream_error", "drop", "paced:1:0", "large:1", "slow_headers:0"}
	bad := []string{"text:1", "tool_use:x", "error", "error:399", "error:600", "paced:1", "paced:0:5", "paced:1:-1", "large:0", "slow_headers", "nope"}
	for _, name := range good {
		if _, err := parseScenario(name); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	for _, name := range bad {
		if _, err := parseScenario(name); err == nil {
			t.Errorf("%q accepted", name)
		}
	}
}
