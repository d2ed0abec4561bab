package content

import (
	"bytes"
	"testing"
)

func TestCacheControlStripsAndRestores(t *testing.T) {
	for _, m := range []string{
		`{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}`,
		`{"role":"user","content":[{"type":"text","text":"a" , "cache_control" : {"type":"ephemeral","ttl":"1h"}},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}]}`,
		`{"role":"user","content":"the text says \",\"cache_control\":{\"type\":\"ephemeral\"} but is a string"}`,
		`{"role":"assistant","content":[{"type":"text","text":"no marker"}]}`,
	} {
		stripped, marks := stripCacheControl(3, []byte(m))
		if bytes.Contains(stripped, []byte(`"cache_control":{`)) {
			t.Errorf("%s: marker left in %s", m, stripped)
		}
		msgs := [][]byte{nil, nil, nil, append([]byte(nil), stripped...)}
		if !restoreCacheControl(msgs, marks) || string(msgs[3]) != m {
			t.Errorf("%s: restored %s", m, msgs[3])
		}
	}
	// A marked and an unmarked copy of one message strip to the same bytes: one blob.
	a, _ := stripCacheControl(0, []byte(`{"role":"user","content":[{"type":"text","text":"x","cache_control":{"type":"ephemeral"}}]}`))
	b, _ := stripCacheControl(0, []byte(`{"role":"user","content":[{"type":"text","text":"x"}]}`))
	if !bytes.Equal(a, b) {
		t.Errorf("stripped %s and %s differ", a, b)
	}
	if restoreCacheControl([][]byte{[]byte("{}")}, []CacheMark{{Message: 0, At: 9, Bytes: "x"}}) {
		t.Error("a mark past the message's end was accepted")
	}
}
