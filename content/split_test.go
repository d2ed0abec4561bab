package content

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// splitBodies are bodies Split must take, each with what it must find.
var splitBodies = []struct {
	name          string
	body          string
	system, tools string // "" when absent
	messages      []string
	sep           string
	seps          []string
}{
	{name: "compact",
		body:     `{"model":"claude-sonnet-4-5","max_tokens":1024,"system":"Be brief.","tools":[{"name":"Read"}],"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],"stream":true}`,
		system:   `"Be brief."`,
		tools:    `[{"name":"Read"}]`,
		messages: []string{`{"role":"user","content":"hi"}`, `{"role":"assistant","content":"hello"}`},
		sep:      ","},
	{name: "pretty printed with odd whitespace",
		body:     " \r\n{\n\t\"model\" : \"m\" ,\n  \"system\"\t:\t[ {\"type\": \"text\", \"text\": \"a\"} ] ,\n  \"messages\" :  [\n\n    {\"role\": \"user\"} ,\n    {\"role\": \"assistant\"}\t, {\"role\":\"user\"}\r\n  ]\n}\n\n",
		system:   `[ {"type": "text", "text": "a"} ]`,
		messages: []string{`{"role": "user"}`, `{"role": "assistant"}`, `{"role":"user"}`},
		seps:     []string{" ,\n    ", "\t, "}},
	{name: "messages first, system as array, tools last",
		body:     `{"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],"system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],"tools":[]}`,
		system:   `[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}]`,
		tools:    `[]`,
		messages: []string{`{"role":"user","content":[{"type":"text","text":"x"}]}`}},
	{name: "no system, no tools",
		body:     `{"model":"m","messages":[{"role":"user","content":"x"}]}`,
		messages: []string{`{"role":"user","content":"x"}`}},
	{name: "empty messages",
		body: `{"messages":[],"system":"s"}`, system: `"s"`, messages: []string{}},
	{name: "empty messages with whitespace",
		body: "{\"messages\": [ \n ] }", messages: []string{}},
	{name: "escapes and unicode",
		body:     `{"system":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ ☃","messages":[{"role":"user","content":"\u0000\b\f\n\r\t é 😀 \"]\" \\\""}],"x":"\\"}`,
		system:   `"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ ☃"`,
		messages: []string{`{"role":"user","content":"\u0000\b\f\n\r\t é 😀 \"]\" \\\""}`}},
	{name: "keys that only look alike stay in the template",
		body:     `{"Messages":[1],"mess\u0061ges":[2],"messages":[3],"systems":"x","tool":"y"}`,
		messages: []string{`3`}},
	{name: "elements of any kind, numbers of every shape",
		body:     `{"messages":[null,true,false,-0.5e+10,0,1E2,"s",[],{}],"n":-12.25e-3}`,
		messages: []string{`null`, `true`, `false`, `-0.5e+10`, `0`, `1E2`, `"s"`, `[]`, `{}`},
		sep:      ","},
}

func TestSplitRebuild(t *testing.T) {
	for _, tc := range splitBodies {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			p, ok := Split(body)
			if !ok {
				t.Fatal("Split refused the body")
			}
			if got := Rebuild(p); !bytes.Equal(got, body) {
				t.Fatalf("Rebuild:\n got %q\nwant %q", got, body)
			}
			if string(p.System) != tc.system || (tc.system == "") != (p.System == nil) {
				t.Errorf("System = %q, want %q", p.System, tc.system)
			}
			if string(p.Tools) != tc.tools || (tc.tools == "") != (p.Tools == nil) {
				t.Errorf("Tools = %q, want %q", p.Tools, tc.tools)
			}
			if len(p.Messages) != len(tc.messages) || p.Messages == nil {
				t.Fatalf("%d messages, want %d", len(p.Messages), len(tc.messages))
			}
			for i, m := range p.Messages {
				if string(m) != tc.messages[i] {
					t.Errorf("message %d = %q, want %q", i, m, tc.messages[i])
				}
			}
			if p.Sep != tc.sep || strings.Join(p.Seps, "|") != strings.Join(tc.seps, "|") {
				t.Errorf("Sep %q, Seps %q; want %q, %q", p.Sep, p.Seps, tc.sep, tc.seps)
			}
			// What is cut out is not in the template.
			if p.System != nil && bytes.Contains(p.Template, p.System) && len(p.System) > 3 {
				t.Errorf("template %q still holds the system prompt", p.Template)
			}
			checkSurvivesJSON(t, p, body)
		})
	}
}

// checkSurvivesJSON checks that Parts stored as JSON rebuild the body.
func checkSurvivesJSON(t *testing.T, p Parts, body []byte) {
	t.Helper()
	enc, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Parts
	if err := json.Unmarshal(enc, &back); err != nil {
		t.Fatal(err)
	}
	if got := Rebuild(back); !bytes.Equal(got, body) {
		t.Fatalf("Rebuild after a JSON round trip:\n got %q\nwant %q", got, body)
	}
}

func TestSplitClaudeCodeBodies(t *testing.T) {
	body := claudeCodeBody(700 << 10)
	var indented, tabbed bytes.Buffer
	json.Indent(&indented, body, "", "  ")
	json.Indent(&tabbed, body, "\r", " \t")
	for name, b := range map[string][]byte{"compact": body, "indented": indented.Bytes(), "tabs and CRs": tabbed.Bytes()} {
		t.Run(name, func(t *testing.T) {
			p, ok := Split(b)
			if !ok {
				t.Fatal("Split refused the body")
			}
			if !bytes.Equal(Rebuild(p), b) {
				t.Fatal("Rebuild differs")
			}
			if p.System == nil || p.Tools == nil || len(p.Messages) < 20 {
				t.Fatalf("pieces missing: system %d B, tools %d B, %d messages", len(p.System), len(p.Tools), len(p.Messages))
			}
			if len(p.Template) > 600 || p.Seps != nil {
				t.Fatalf("template %d bytes, %d separators: want a small template and one separator", len(p.Template), len(p.Seps))
			}
			var whole struct {
				System, Tools json.RawMessage
				Messages      []json.RawMessage
			}
			if err := json.Unmarshal(b, &whole); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(whole.System, p.System) || !bytes.Equal(whole.Tools, p.Tools) || len(whole.Messages) != len(p.Messages) {
				t.Fatal("pieces differ from what encoding/json finds")
			}
			for i := range p.Messages {
				if !bytes.Equal(whole.Messages[i], p.Messages[i]) {
					t.Fatalf("message %d differs from what encoding/json finds", i)
				}
			}
		})
	}
}

func TestSplitRefuses(t *testing.T) {
	valid := map[string]string{
		"not an object":         `[{"messages":[]}]`,
		"no messages":           `{"model":"m","system":"s"}`,
		"messages not an array": `{"messages":{"0":{}}}`,
		"messages a string":     `{"messages":"[]"}`,
		"duplicate messages":    `{"messages":[],"messages":[1]}`,
		"duplicate system":      `{"system":"a","messages":[],"system":"b"}`,
		"duplicate tools":       `{"tools":[],"tools":[],"messages":[]}`,
	}
	invalid := map[string]string{
		"empty":                  ``,
		"trailing garbage":       `{"messages":[]} x`,
		"two objects":            `{"messages":[]}{}`,
		"trailing comma":         `{"messages":[1,],"a":1}`,
		"trailing member comma":  `{"messages":[],}`,
		"unterminated":           `{"messages":[{"role":"user"}]`,
		"bad element":            `{"messages":[{"role":user}]}`,
		"bad escape":             `{"messages":["\x"]}`,
		"short unicode escape":   `{"messages":["\u12"]}`,
		"control char in string": "{\"messages\":[\"a\tb\"]}",
		"bad number":             `{"messages":[01]}`,
		"bad exponent":           `{"messages":[1e]}`,
		"bad fraction":           `{"messages":[1.]}`,
		"bad literal":            `{"messages":[nul]}`,
		"bare key":               `{messages:[]}`,
		"missing colon":          `{"messages" []}`,
		"byte order mark":        "\ufeff{\"messages\":[]}",
		"bad value elsewhere":    `{"messages":[],"model":tru}`,
		"too deep":               `{"messages":[` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `]}`,
	}
	for name, body := range valid {
		if !json.Valid([]byte(body)) {
			t.Errorf("%s: test body is not valid JSON", name)
		}
		if _, ok := Split([]byte(body)); ok {
			t.Errorf("%s: Split took %q", name, body)
		}
	}
	for name, body := range invalid {
		if json.Valid([]byte(body)) {
			t.Errorf("%s: test body is valid JSON", name)
		}
		if _, ok := Split([]byte(body)); ok {
			t.Errorf("%s: Split took %q", name, body)
		}
	}
}

func TestRebuildInconsistentParts(t *testing.T) {
	p, _ := Split([]byte(`{"system":"s","messages":[1,2,3],"tools":[]}`))
	for name, damage := range map[string]func(*Parts){
		"position past the end": func(p *Parts) { p.MessagesAt = len(p.Template) + 1 },
		"negative position":     func(p *Parts) { p.SystemAt = -1 },
		"same position":         func(p *Parts) { p.ToolsAt = p.MessagesAt },
		"too few separators":    func(p *Parts) { p.Sep, p.Seps = "", []string{","} },
		"both separators":       func(p *Parts) { p.Seps = []string{",", ","} },
	} {
		q := p
		damage(&q)
		if got := Rebuild(q); got != nil {
			t.Errorf("%s: Rebuild gave %q, want nil", name, got)
		}
	}
}

func FuzzSplitRebuild(f *testing.F) {
	for _, tc := range splitBodies {
		f.Add([]byte(tc.body))
	}
	f.Add(claudeCodeBody(20 << 10))
	f.Add([]byte(`{"messages":[{"a":[1,{"b":"\u00e9"}]}, "x" ,  null],"system":{"k":[]},"tools":"t"}`))
	f.Add([]byte(`{"messages":[],"messages":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if isJSON(body) != json.Valid(body) {
			t.Fatalf("isJSON(%q) = %v, json.Valid disagrees", body, isJSON(body))
		}
		p, ok := Split(body)
		if !ok {
			return
		}
		if !json.Valid(body) {
			t.Fatalf("Split took invalid JSON %q", body)
		}
		if got := Rebuild(p); !bytes.Equal(got, body) {
			t.Fatalf("Rebuild:\n got %q\nwant %q", got, body)
		}
		for _, piece := range append([][]byte{p.System, p.Tools}, p.Messages...) {
			if piece != nil && !json.Valid(piece) {
				t.Fatalf("piece %q is not a JSON value", piece)
			}
		}
	})
}

func BenchmarkSplit(b *testing.B) {
	body := claudeCodeBody(700 << 10)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Split(body); !ok {
			b.Fatal("Split refused the body")
		}
	}
}

func BenchmarkRebuild(b *testing.B) {
	body := claudeCodeBody(700 << 10)
	p, _ := Split(body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Rebuild(p)
	}
}

func TestIsJSONAgreesWithValid(t *testing.T) {
	for _, tc := range splitBodies {
		for _, s := range []string{tc.body, tc.body[:len(tc.body)/2], "0", " \"x\" ", "-", "[1,]", "nul", "{}", "[] []", "1 2"} {
			if got, want := isJSON([]byte(s)), json.Valid([]byte(s)); got != want {
				t.Errorf("isJSON(%q) = %v, json.Valid says %v", s, got, want)
			}
		}
	}
}

// TestIsJSONStringBytes puts each kind of byte at each place of an eight-byte word.
func TestIsJSONStringBytes(t *testing.T) {
	for _, c := range []byte{0x00, 0x01, 0x1f, 0x20, 0x21, '"', '\\', 0x5b, 0x7f, 0x80, 0x9f, 0xa0, 0xc3, 0xff} {
		for before := 0; before < 18; before++ {
			for after := 0; after < 10; after++ {
				s := []byte(`"` + strings.Repeat("a", before) + string([]byte{c}) + strings.Repeat("é", after) + `"`)
				if got, want := isJSON(s), json.Valid(s); got != want {
					t.Fatalf("isJSON(%q) = %v, json.Valid says %v", s, got, want)
				}
			}
		}
	}
}
