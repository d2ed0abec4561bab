package conversation

import (
	"strings"
	"testing"
)

// parseMessage reads one message given as JSON.
func parseMessage(raw []byte) (apiMessage, error) {
	r := jsonReader{b: raw}
	m := r.message()
	r.end()
	return m, r.err
}

// hashMessage is H(norm(m)) for one message given as JSON.
func hashMessage(t testing.TB, raw string) Hash {
	t.Helper()
	m, err := parseMessage([]byte(raw))
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	var e encoder
	return e.messageHash(m.Role, m.Content)
}

func TestNormalizeMessage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		a, b  string
		equal bool
	}{
		{"string is one text item",
			`{"role":"user","content":"hi"}`,
			`{"role":"user","content":[{"type":"text","text":"hi"}]}`, true},
		{"reminder span stripped",
			`{"role":"user","content":"fix it"}`,
			`{"role":"user","content":"<system-reminder>\nThe date is 2025-11-27.\n</system-reminder>\nfix it"}`, true},
		{"reminder in the middle stripped with the whitespace after it",
			`{"role":"user","content":"one\ntwo"}`,
			`{"role":"user","content":"one\n<system-reminder>x</system-reminder>\ntwo"}`, true},
		{"reminder-only item dropped",
			`{"role":"user","content":[{"type":"text","text":"fix it"}]}`,
			`{"role":"user","content":[{"type":"text","text":"<system-reminder>todo list empty</system-reminder>"},{"type":"text","text":"fix it"}]}`, true},
		{"unterminated reminder is text",
			`{"role":"user","content":"fix it"}`,
			`{"role":"user","content":"<system-reminder>fix it"}`, false},
		{"trimmed",
			`{"role":"user","content":"fix it"}`,
			`{"role":"user","content":"  fix it \n\n"}`, true},
		{"CRLF is LF",
			`{"role":"user","content":"a\nb"}`,
			`{"role":"user","content":"a\r\nb"}`, true},
		{"inner whitespace counts",
			`{"role":"user","content":"a b"}`,
			`{"role":"user","content":"a  b"}`, false},
		{"empty text items dropped",
			`{"role":"assistant","content":[{"type":"text","text":"ok"}]}`,
			`{"role":"assistant","content":[{"type":"text","text":""},{"type":"text","text":"ok"},{"type":"text","text":" \n"}]}`, true},
		{"cache_control ignored",
			`{"role":"user","content":[{"type":"text","text":"hi"}]}`,
			`{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral","ttl":"1h"}}]}`, true},
		{"key order, escapes and number spelling of tool input",
			`{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls","timeout":1000,"opts":{"x":[1,true,null]}}}]}`,
			`{"content":[{"input":{"opts":{"x":[1.0,true,null]},"timeout":1e3,"command":"\u006cs"},"name":"Bash","id":"toolu_1","type":"tool_use"}],"role":"assistant"}`, true},
		{"tool input value counts",
			`{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]}`,
			`{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls -l"}}]}`, false},
		{"tool id counts",
			`{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{}}]}`,
			`{"role":"assistant","content":[{"type":"tool_use","id":"toolu_2","name":"Bash","input":{}}]}`, false},
		{"tool_result string is one text item",
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}`,
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"ok\r\n<system-reminder>file changed</system-reminder>","cache_control":{"type":"ephemeral"}}],"is_error":false}]}`, true},
		{"tool_result content counts",
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}`,
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"FAIL"}]}`, false},
		{"empty tool_result content is no content",
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"}]}`,
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":""}]}`, true},
		{"image: same media type and data",
			`{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}`,
			`{"role":"user","content":[{"source":{"data":"iVBORw0KGgo=","media_type":"image/png","type":"base64"},"type":"image","cache_control":{"type":"ephemeral"}}]}`, true},
		{"image: data counts",
			`{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}`,
			`{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgp="}}]}`, false},
		{"image: media type counts",
			`{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}`,
			`{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AAAA"}}]}`, false},
		{"document is not an image",
			`{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"application/pdf","data":"AAAA"}}]}`,
			`{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"AAAA"}}]}`, false},
		{"thinking and redacted_thinking ignored",
			`{"role":"assistant","content":[{"type":"text","text":"done"}]}`,
			`{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"EqQB"},{"type":"redacted_thinking","data":"EmwK"},{"type":"text","text":"done"}]}`, true},
		{"role counts",
			`{"role":"user","content":"hi"}`,
			`{"role":"assistant","content":"hi"}`, false},
		{"item order counts",
			`{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}`,
			`{"role":"user","content":[{"type":"text","text":"b"},{"type":"text","text":"a"}]}`, false},
		{"items are not concatenated",
			`{"role":"user","content":[{"type":"text","text":"ab"}]}`,
			`{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}`, false},
		{"other blocks by their known fields",
			`{"role":"assistant","content":[{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"go 1.26"}}]}`,
			`{"role":"assistant","content":[{"name":"web_search","input":{"query":"go 1.26"},"id":"srvtoolu_1","type":"server_tool_use","cache_control":{"type":"ephemeral"}}]}`, true},
		{"content of a wrong type reads as none",
			`{"role":"user","content":42}`,
			`{"role":"user","content":[]}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := hashMessage(t, tc.a), hashMessage(t, tc.b)
			if (a == b) != tc.equal {
				t.Errorf("equal = %v, want %v", a == b, tc.equal)
			}
		})
	}
}

// TestReserialisedRequestKeys re-sends one Claude Code conversation the ways clients do and
// checks every key stays the same.
func TestReserialisedRequestKeys(t *testing.T) {
	hist := history{
		user(reminder("As you answer, use this context: # claudeMd ..."), "fix the failing test in store/"),
		asMessage(thinking("Let me look."), "I'll run the tests.", toolUse("toolu_01", "Bash", map[string]any{"command": "go test ./store/", "timeout": 120000})),
		user(toolResult("toolu_01", "--- FAIL: TestOpen (0.00s)")),
	}
	base := keysOf(t, cc(t, hist...))
	variants := map[string][]msg{
		"string content": {
			{"role": "user", "content": reminder("As you answer, use this context: # claudeMd ...") + "\nfix the failing test in store/"},
			hist[1],
			{"role": "user", "content": []any{block{"type": "tool_result", "tool_use_id": "toolu_01", "content": []any{text("--- FAIL: TestOpen (0.00s)")}}}},
		},
		"cache_control moved": {
			user(reminder("As you answer, use this context: # claudeMd ..."), cached(text("fix the failing test in store/"))),
			hist[1],
			user(cached(toolResult("toolu_01", "--- FAIL: TestOpen (0.00s)"))),
		},
		"reminders added, thinking dropped": {
			hist[0],
			asMessage("I'll run the tests.", toolUse("toolu_01", "Bash", map[string]any{"timeout": 120000.0, "command": "go test ./store/"})),
			user(toolResult("toolu_01", "--- FAIL: TestOpen (0.00s)\n"+reminder("The file store/open.go was modified.")), reminder("todo list is empty")),
		},
		"system messages injected": {
			{"role": "system", "content": "Conversation compacted"},
			hist[0], hist[1], hist[2],
		},
		"duplicated tool messages": {
			hist[0], hist[1], hist[1], hist[2], hist[2],
		},
	}
	for name, msgs := range variants {
		t.Run(name, func(t *testing.T) {
			got := keysOf(t, ccRequest{session: "other"}.body(t, msgs...))
			if got != base {
				t.Errorf("keys differ:\n got %+v\nwant %+v", got, base)
			}
		})
	}
}

// keysOf reads the keys of a body, failing the test on an error.
func keysOf(t testing.TB, body []byte) RequestKeys {
	t.Helper()
	k, err := ReadRequestKeys(body)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestNormText(t *testing.T) {
	for in, want := range map[string]string{
		"":                                       "",
		" a ":                                    "a",
		"a\r\nb":                                 "a\nb",
		"a\rb":                                   "a\rb",
		"<system-reminder>x</system-reminder>":   "",
		"a<system-reminder>x</system-reminder>b": "ab",
		"a\n\n<system-reminder>x\n</system-reminder>\n\nb":      "a\n\nb",
		"<system-reminder>x</system-reminder><system-reminder>": "<system-reminder>",
		"<system-reminder><system-reminder>x</system-reminder>": "",
	} {
		if got := normText(in); got != want {
			t.Errorf("normText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSystemHash(t *testing.T) {
	other := strings.NewReplacer("2025-11-27", "2025-11-28", "M store/open.go", "M proxy/proxy.go",
		"3fbd41b store: the requests SQL", "9a9a9a9 proxy: tee").Replace(mainSystem)
	for _, tc := range []struct {
		name  string
		a, b  []string
		equal bool
	}{
		{"date, git status and commits are volatile", []string{mainSystem}, []string{other}, true},
		{"billing header dropped", []string{"x-anthropic-billing-header: cc_version=2.0.14", "You are Claude Code."},
			[]string{"x-anthropic-billing-header: cc_version=2.0.15", "You are Claude Code."}, true},
		{"blank runs collapsed", []string{"a\n\n\n\nb"}, []string{"a\n\nb \n"}, true},
		{"the instructions count", []string{mainSystem}, []string{strings.Replace(mainSystem, "concise", "verbose", 1)}, false},
		{"no prompt is zero", nil, []string{"", "\n"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if a, b := systemHash(tc.a), systemHash(tc.b); (a == b) != tc.equal {
				t.Errorf("equal = %v, want %v", a == b, tc.equal)
			}
		})
	}
	if !systemHash(nil).IsZero() {
		t.Error("empty system prompt: want the zero hash")
	}
}
