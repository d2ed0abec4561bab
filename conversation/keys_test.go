package conversation

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	conv := history{user("fix the failing test"), asMessage("Done: TestOpen passes now.")}
	haiku := ccRequest{model: "claude-haiku-4-5-20251001", max: 512, noTools: true}
	for _, tc := range []struct {
		name string
		body []byte
		want string
	}{
		{"a turn", cc(t, conv.add(user("thanks"))...), KindTurn},
		{"quota probe", ccRequest{model: "claude-haiku-4-5-20251001", max: 1, noTools: true}.body(t, user("quota")), KindAuxiliary},
		{"warm-up", haiku.body(t, user("Warmup")), KindAuxiliary},
		{"the word quota inside a turn", cc(t, user("what is my quota?")), KindTurn},
		{"topic detection", ccRequest{model: "claude-haiku-4-5-20251001", max: 512, system: []string{
			"Analyze if this message indicates a new conversation topic. If it does, extract a 2-3 word title that captures the new topic. Format your response as a JSON object with two fields: 'isNewTopic' (boolean) and 'title' (string, or null if isNewTopic is false)."},
		}.body(t, user("fix the failing test"), asMessage("{")), KindAuxiliary},
		{"session title", ccRequest{max: 512, noTools: true, system: []string{
			"Generate a concise, sentence-case title (3-7 words) that captures the main topic or goal of this coding session."},
		}.body(t, user("fix the failing test in store/")), KindAuxiliary},
		{"session name (2.1)", ccRequest{max: 128000, noTools: true, system: []string{
			"You are naming a coding session so the user can pick it out of a long list of sessions. The title is a name for what the session is about."},
		}.body(t, user("<session>\nhello from the terminal\n</session>\n\nWrite the title in the predominant language of the session.")), KindAuxiliary},
		{"title for a conversation", haiku.body(t, user("Please write a 5-10 word title for the following conversation:\n\nUser: fix it")), KindAuxiliary},
		{"command prefix", ccRequest{max: 512, noTools: true, system: []string{
			"Your task is to process Bash commands that an AI coding agent wants to run.\n\nThis policy spec defines how to determine the prefix of a Bash command:"},
		}.body(t, user("<policy_spec>…</policy_spec>\n\nCommand: go test ./store/")), KindAuxiliary},
		{"command prefix phrase with tools is a turn", ccRequest{system: []string{
			"Your task is to process Bash commands that an AI coding agent wants to run."},
		}.body(t, user("go")), KindTurn},
		{"extraction-like text without the prompt", haiku.body(t, user("Command: cat go.mod\nOutput: module nexus")), KindTurn},
		{"file paths prompt", ccRequest{max: 512, noTools: true, system: []string{
			"Extract any file paths that this command reads or modifies. For commands like \"git diff\" and \"cat\", include the paths of files being shown."},
		}.body(t, user("Command: cat go.mod\nOutput: module nexus")), KindAuxiliary},
		{"web fetch", haiku.body(t, user("Web page content:\n---\n<html>…</html>\n---\n\nWhat is the latest version?")), KindAuxiliary},
		{"prompt suggestion", cc(t, conv.add(user("[SUGGESTION MODE: Suggest what the user might naturally type next into Claude Code.]"))...), KindAuxiliary},
		{"count_tokens body", []byte(`{"model":"claude-opus-4-5","messages":[{"role":"user","content":"hi"}]}`), KindAuxiliary},
		{"compaction: summariser system prompt", ccRequest{noTools: true, system: []string{
			"You are a helpful AI assistant tasked with summarizing conversations."},
		}.body(t, conv.add(user("Your task is to create a detailed summary of the conversation so far"))...), KindCompaction},
		{"compaction: instruction as a new message", cc(t, conv.add(user(compactPrompt))...), KindCompaction},
		{"compaction: instruction inside the last message", cc(t,
			user("fix it"), asMessage(toolUse("toolu_1", "Bash", map[string]any{"command": "go test"})),
			user(toolResult("toolu_1", "ok"), compactPrompt)), KindCompaction},
		{"partial compaction", cc(t, conv.add(user("Your task is to create a detailed summary of the RECENT portion of the conversation"))...), KindCompaction},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := keysOf(t, tc.body).Kind; got != tc.want {
				t.Errorf("kind %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRequestKeysPrefixes(t *testing.T) {
	m := []msg{
		user("one"), asMessage("two"), user("three"), asMessage("four"), user("five"),
	}
	var p [6]Hash
	for n := 1; n <= 5; n++ {
		k := keysOf(t, cc(t, m[:n]...))
		if k.Messages != n {
			t.Fatalf("n=%d: Messages %d", n, k.Messages)
		}
		p[n] = k.Current
	}
	k := keysOf(t, cc(t, m...))
	if k.Prev1 != p[4] || k.Prev2 != p[3] || k.Prev4 != p[1] || k.UserMessages != 3 {
		t.Errorf("prefixes of 5 messages wrong: %+v", k)
	}
	k = keysOf(t, cc(t, m[:2]...))
	if k.Prev1 != p[1] || !k.Prev2.IsZero() || !k.Prev4.IsZero() {
		t.Errorf("2 messages: want Prev1=p1 and no Prev2/Prev4, got %+v", k)
	}
	if k := keysOf(t, cc(t, m[:1]...)); !k.Prev1.IsZero() {
		t.Error("1 message: p0 must not be a link key")
	}
	if k := keysOf(t, cc(t)); k.Messages != 0 || k.Current != chainStart {
		t.Errorf("no messages: %+v", k)
	}
}

func TestRequestKeysFields(t *testing.T) {
	long := strings.Repeat("refactor the request recorder so that ", 5)
	k := keysOf(t, cc(t, user(reminder("claudeMd"), "  Find all tests that touch\r\nthe store package  ")))
	if k.FirstUser != promptHash("Find all tests that touch\nthe store package") {
		t.Error("FirstUser is not the prompt hash of the text")
	}
	if k.Title != "Find all tests that touch the store package" {
		t.Errorf("title %q", k.Title)
	}
	if k := keysOf(t, cc(t, user(long))); k.Title != "refactor the request recorder so that refactor the request recorder so that…" {
		t.Errorf("long title %q", k.Title)
	}
	if k := keysOf(t, cc(t, user(toolResult("toolu_1", "x")))); !k.FirstUser.IsZero() || k.Title != "" || !k.ToolLoop {
		t.Errorf("tool-only first message: %+v", k)
	}
	for _, body := range []string{``, `nope`, `{"messages":[`, `[]`} {
		if _, err := ReadRequestKeys([]byte(body)); err == nil {
			t.Errorf("%q: want an error", body)
		}
	}
	if k, err := ReadRequestKeys([]byte(`{"max_tokens":1,"messages":[{"role":"user","content":{"x":1}},{"role":7}],"system":5,"tools":"x"}`)); err != nil || k.Messages != 1 {
		t.Errorf("fields of wrong types: %+v, %v", k, err)
	}
}

func TestTitle(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "",
		"fix it":                    "fix it",
		"  fix\n\n  the\ttest  ":    "fix the test",
		strings.Repeat("é", 81):     strings.Repeat("é", 80) + "…",
		strings.Repeat("word ", 20): strings.TrimSpace(strings.Repeat("word ", 16)) + "…",
	} {
		if got := makeTitle(in); got != want {
			t.Errorf("makeTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSummaryProbe(t *testing.T) {
	answer := compactAnswer("fix the failing test")
	cont := continuedMessage(answer)
	probe := summaryProbe(cont)
	if probe == "" || !containsProbe(answer, probe) {
		t.Fatalf("probe %q not found in the answer", probe)
	}
	if strings.Contains(probe, "Continue the conversation") || strings.Contains(probe, "transcript") || strings.Contains(probe, "analysis") {
		t.Errorf("boilerplate in the probe: %q", probe)
	}
	if containsProbe(compactAnswer("add a tray icon"), probe) {
		t.Error("probe found in another summary")
	}
	long := continuedMessage("<summary>" + strings.Repeat("The user asked for many things. ", 200) + "</summary>")
	if p := summaryProbe(long); len(p) < ProbeLength || len(p) > ProbeLength+4 {
		t.Errorf("long probe is %d bytes", len(p))
	}
	for name, text := range map[string]string{
		"short":     continuedMessage("<summary>Fixed it.</summary>"),
		"no marker": "Summary:\n" + strings.Repeat("x ", 100),
		"plain":     "fix the failing test",
	} {
		if p := summaryProbe(text); p != "" {
			t.Errorf("%s: want no probe, got %q", name, p)
		}
	}
	other := "Summary:\n" + strings.Repeat("the user fixed the store ", 10) + "\nContinue the conversation from where it left off."
	if p := summaryProbe(other); p == "" || strings.Contains(p, "Continue") {
		t.Errorf("another client's wording: %q", p)
	}
	// Keys: only turns carry a summary.
	k := keysOf(t, cc(t, user(cont, reminder("Called the Read tool"))))
	if k.Summary != probe || !k.AfterCompaction {
		t.Errorf("keys summary %q (after compaction %v), want %q", k.Summary, k.AfterCompaction, probe)
	}
}

func TestBaseHash(t *testing.T) {
	prefix := history{user("fix it"), asMessage(toolUse("toolu_1", "Bash", map[string]any{"command": "go test"}))}
	turn := keysOf(t, cc(t, prefix.add(user(toolResult("toolu_1", "ok")))...))
	inside := keysOf(t, cc(t, prefix.add(user(toolResult("toolu_1", "ok"), compactPrompt))...))
	if inside.Kind != KindCompaction || inside.Base != turn.Current {
		t.Errorf("instruction inside the last message: Base %v, want the turn's Current %v", inside.Base, turn.Current)
	}
	own := keysOf(t, cc(t, prefix.add(user(toolResult("toolu_1", "ok")), asMessage("ok"), user(compactPrompt))...))
	if !own.Base.IsZero() {
		t.Error("instruction as a message of its own: want no Base")
	}
}
