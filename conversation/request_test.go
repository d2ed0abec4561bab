package conversation

import "testing"

func TestReadRequestMeta(t *testing.T) {
	const uuid = "5d9c5a8e-2a63-4a36-9f55-3b1f0c2e7d41"
	for _, tc := range []struct {
		name, body string
		want       RequestMeta
	}{
		{"string form",
			`{"model":"claude-sonnet-4-5","stream":true,"metadata":{"user_id":"user_ab12_account_cd34_session_` + uuid + `"}}`,
			RequestMeta{Model: "claude-sonnet-4-5", Stream: true, SessionID: uuid}},
		{"JSON object encoded in the string",
			`{"model":"claude-opus-4-6","metadata":{"user_id":"{\"device_id\":\"d1\",\"account_uuid\":\"a1\",\"session_id\":\"` + uuid + `\"}"}}`,
			RequestMeta{Model: "claude-opus-4-6", SessionID: uuid}},
		{"JSON object",
			`{"model":"m","metadata":{"user_id":{"session_id":"` + uuid + `"}}}`,
			RequestMeta{Model: "m", SessionID: uuid}},
		{"no session", `{"model":"m","metadata":{"user_id":"user_ab12"}}`, RequestMeta{Model: "m"}},
		{"no metadata", `{"model":"m","stream":false}`, RequestMeta{Model: "m"}},
		{"user_id not a string", `{"model":"m","metadata":{"user_id":42}}`, RequestMeta{Model: "m"}},
		{"not JSON", `scenario:text`, RequestMeta{}},
		{"empty", ``, RequestMeta{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ReadRequestMeta([]byte(tc.body)); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
