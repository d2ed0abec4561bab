package content

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestCacheControlStripsAndRestores(t *testing.T) {
	for _, m := range []string{
		`{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}`,
		`{"role":"user","content":[{"type":"text","text":"a" , "cache_control" : {"type":"ephemeral","ttl":"1h"}},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}]}`,
		`{"role":"user","content":"the text says \",\"cache_control\":{\"type\":\"ephemeral\"} but is a string"}`,
		`{"role":"assistant","content":[{"type":"text","text":"no marker"}]}`,
	} {
		stripped, marks := stripCacheControl(0, []byte(m))
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
	if restoreCacheControl([][]byte{[]byte("{}")}, []CacheMark{{FromEnd: 0, Back: 9, Bytes: "x"}}) {
		t.Error("a mark before the message's start was accepted")
	}
	if restoreCacheControl([][]byte{[]byte("{}")}, []CacheMark{{FromEnd: 1, Back: 0, Bytes: "x"}}) {
		t.Error("a mark before the first message was accepted")
	}
}

// The newest message's marker is the same mark however long the conversation: Claude Code's
// template stays one blob.
func TestCacheMarksCountFromTheEnd(t *testing.T) {
	m := []byte(`{"role":"user","content":[{"type":"text","text":"go on","cache_control":{"type":"ephemeral"}}]}`)
	_, a := stripCacheControl(0, m)
	_, b := stripCacheControl(0, append([]byte(`{"role":"user","content":"longer"}`), m...))
	if len(a) != 1 || len(b) != 1 || a[0] != b[0] {
		t.Errorf("marks %+v and %+v differ", a, b)
	}
}

// Templates written before marks counted from the end still rebuild.
func TestCacheMarksEarlierForm(t *testing.T) {
	var marks []CacheMark
	if err := json.Unmarshal([]byte(`[{"m":1,"at":5,"b":"-X-"}]`), &marks); err != nil {
		t.Fatal(err)
	}
	msgs := [][]byte{[]byte("first"), []byte("01234567")}
	if !restoreCacheControl(msgs, marks) || string(msgs[1]) != "01234-X-567" {
		t.Errorf("restored %q", msgs[1])
	}
}

func FuzzCacheMarks(f *testing.F) {
	f.Add([]byte(`{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}`), 2)
	f.Add([]byte(`{"a":1 ,"cache_control" :{} ,"cache_control":{"x":"y"}}`), 0)
	f.Fuzz(func(t *testing.T, message []byte, fromEnd int) {
		if fromEnd < 0 || fromEnd > 8 {
			return
		}
		stripped, marks := stripCacheControl(fromEnd, message)
		msgs := make([][]byte, fromEnd+2)
		msgs[len(msgs)-1-fromEnd] = append([]byte(nil), stripped...)
		if !restoreCacheControl(msgs, marks) || !bytes.Equal(msgs[len(msgs)-1-fromEnd], message) {
			t.Fatalf("%q: restored %q", message, msgs[len(msgs)-1-fromEnd])
		}
	})
}
