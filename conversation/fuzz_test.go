package conversation

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzNormalize feeds arbitrary JSON to the reader and the normalisation. Nothing panics; the
// reader accepts exactly what json.Valid accepts and decodes values as encoding/json does; and
// a message re-serialised through encoding/json (keys sorted, numbers and escapes re-spelled)
// with its string contents turned into one text item hashes the same.
func FuzzNormalize(f *testing.F) {
	f.Add([]byte(`{"role":"user","content":"hi"}`))
	f.Add([]byte(`{"role":"assistant","content":[{"type":"thinking","thinking":"x","signature":"s"},{"type":"text","text":"ok\r\n"},{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"b":[1.50,true,null],"a":"\u00e9\ud83d\ude00"}}]}`))
	f.Add([]byte(`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"<system-reminder>r</system-reminder> done","cache_control":{"type":"ephemeral"}}]}`))
	f.Add([]byte(`{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"document","source":{"type":"content","content":"page"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		valid := json.Valid(data)
		_, err := ReadRequestKeys(data)
		if isObject := valid && bytes.TrimLeft(data, " \t\r\n")[0] == '{'; (err == nil) != isObject {
			t.Fatalf("ReadRequestKeys error %v; json.Valid %v, object %v", err, valid, isObject)
		}
		m, err := parseMessage(data)
		var e encoder
		first := e.messageHash(m.Role, m.Content)
		if !valid || err != nil {
			return
		}
		var v any
		if json.Unmarshal(data, &v) != nil { // a number out of range
			return
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := canonOf(t, data), canonOf(t, again); !bytes.Equal(a, b) {
			t.Fatalf("canonical value changed on re-serialisation:\n%s\n%s", data, again)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		textItems(obj)
		if again, err = json.Marshal(obj); err != nil {
			t.Fatal(err)
		}
		m2, err := parseMessage(again)
		if err != nil {
			t.Fatal(err)
		}
		if second := e.messageHash(m2.Role, m2.Content); second != first {
			t.Errorf("hash changed on re-serialisation:\n%s\n%s", data, again)
		}
	})
}

func canonOf(t *testing.T, data []byte) []byte {
	r := jsonReader{b: data}
	c := r.canon(nil)
	if r.end(); r.err != nil {
		t.Fatalf("%s: %v", data, r.err)
	}
	return c
}

// textItems turns every string "content" (of the message, of blocks, of sources) into one
// text item.
func textItems(obj map[string]any) {
	switch c := obj["content"].(type) {
	case string:
		obj["content"] = []any{map[string]any{"type": "text", "text": c}}
	case []any:
		for _, b := range c {
			if b, ok := b.(map[string]any); ok {
				textItems(b)
			}
		}
	}
	if src, ok := obj["source"].(map[string]any); ok {
		textItems(src)
	}
}
