package content

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// claudeCodeBody returns a Messages request shaped like Claude Code's, of about size
// bytes (a little more): a system prompt in blocks, ~17 tool schemas, and turns of thinking, tool calls and
// tool results holding real source files (Go's own net/http, when GOROOT is there). The same
// size gives the same bytes.
func claudeCodeBody(size int) []byte {
	rng := rand.New(rand.NewPCG(uint64(size), 7))
	files := sourceFiles()
	prose := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(sentences[rng.IntN(len(sentences))])
			b.WriteByte(' ')
		}
		return b.String()
	}
	signature := func() string {
		raw := make([]byte, 300+rng.IntN(400))
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		return base64.StdEncoding.EncodeToString(raw)
	}
	type obj = map[string]any
	var tools []obj
	for _, name := range []string{"Task", "Bash", "Glob", "Grep", "ExitPlanMode", "Read", "Edit", "MultiEdit",
		"Write", "NotebookEdit", "WebFetch", "TodoWrite", "WebSearch", "BashOutput", "KillShell", "SlashCommand", "mcp__ide__getDiagnostics"} {
		tools = append(tools, obj{"name": name, "description": prose(1500 + rng.IntN(4000)),
			"input_schema": obj{"type": "object", "$schema": "http://json-schema.org/draft-07/schema#", "additionalProperties": false,
				"required": []string{"file_path"}, "properties": obj{
					"file_path": obj{"type": "string", "description": "The absolute path to the file to operate on"},
					"limit":     obj{"type": "number", "description": "The number of lines to read. Only provide if the file is too large to read at once."},
				}}})
	}
	system := []obj{
		{"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude.", "cache_control": obj{"type": "ephemeral"}},
		{"type": "text", "text": prose(14000) + "\n\nSee https://docs.claude.com/en/docs/claude-code and https://github.com/anthropics/claude-code/issues for help.",
			"cache_control": obj{"type": "ephemeral"}},
	}
	messages := []obj{{"role": "user", "content": []obj{
		{"type": "text", "text": "<system-reminder>\nAs you answer the user's questions, you can use the following context:\n" + prose(3000) + "\n</system-reminder>"},
		{"type": "text", "text": "The proxy drops the last SSE event when the client is slow; find out why and fix it."},
	}}}
	total := 20000 + 110000 // the rest of the body: system prompt, tools, reminder
	for turn := 0; total < size; turn++ {
		id := fmt.Sprintf("toolu_01%022d", turn)
		path := files[turn%len(files)]
		content := numbered(readFile(path, rng))
		assistant := obj{"role": "assistant", "content": []obj{
			{"type": "thinking", "thinking": prose(200 + rng.IntN(800)), "signature": signature()},
			{"type": "text", "text": prose(100 + rng.IntN(300))},
			{"type": "tool_use", "id": id, "name": "Read", "input": obj{"file_path": "/home/dev/src/" + filepath.Base(path)}},
		}}
		user := obj{"role": "user", "content": []obj{{"type": "tool_result", "tool_use_id": id, "content": content}}}
		messages = append(messages, assistant, user)
		pair, _ := json.Marshal([]obj{assistant, user})
		total += len(pair)
	}
	messages[len(messages)-1]["content"].([]obj)[0]["cache_control"] = obj{"type": "ephemeral"}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // as JSON.stringify
	// Claude Code's own key order.
	out.WriteString(`{"model":"claude-sonnet-4-5-20250929","messages":`)
	enc.Encode(messages)
	out.Truncate(out.Len() - 1)
	out.WriteString(`,"temperature":1,"system":`)
	enc.Encode(system)
	out.Truncate(out.Len() - 1)
	out.WriteString(`,"tools":`)
	enc.Encode(tools)
	out.Truncate(out.Len() - 1)
	out.WriteString(`,"metadata":{"user_id":"user_6b1c1f0e3a9d4c2b8e7f5a4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b_account_4f1d2c3b-1a2b-4c3d-9e8f-7a6b5c4d3e2f_session_0b8e7d1a-2f7c-4f7e-9a55-3f0f2f9d2b11"},"max_tokens":32000,"stream":true}`)
	return out.Bytes()
}

var sentences = []string{
	"Use the Read tool to read files instead of cat, head or tail.",
	"IMPORTANT: You must NEVER generate or guess URLs for the user unless you are confident that the URLs are for helping the user with programming.",
	"When making changes to files, first understand the file's code conventions.",
	"Mimic code style, use existing libraries and utilities, and follow existing patterns.",
	"The proxy forwards every request to the upstream API and records the response.",
	"Only use emojis if the user explicitly requests it.",
	"Let me look at how the recorder reads the stream before changing the handler.",
	"The test fails because the flush happens after the writer has been closed.",
	"You should be concise, direct, and to the point.",
	"Before you begin work, think about what the code you're editing is supposed to do based on the filenames and directory structure.",
	"Always use the TodoWrite tool to plan and track tasks throughout the conversation.",
	"This function returns an error when the context is cancelled before the first byte arrives.",
	"I need to check whether the spool is drained when the store comes back.",
	"Prefer editing an existing file to creating a new one.",
	"The user wants the benchmark to report allocations as well as time.",
	"Run the linter and the type checker after every change to make sure the code is correct.",
}

// sourceFiles lists real Go files to quote as tool results, or made-up names.
func sourceFiles() []string {
	all, _ := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", "net", "http", "*.go"))
	slices.Sort(all)
	var files []string
	for _, f := range all {
		if !strings.HasSuffix(f, "_test.go") { // tests hold made-up passwords in URLs
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return []string{"fallback-a.go", "fallback-b.go"}
	}
	return files
}

// readFile returns up to 2000 lines of path, or made-up code when it cannot be read.
func readFile(path string, rng *rand.Rand) string {
	b, err := os.ReadFile(path)
	if err != nil {
		var s strings.Builder
		for i := 0; i < 300; i++ {
			fmt.Fprintf(&s, "\tif v%d := compute(%d, %q); v%d != nil {\n\t\treturn fmt.Errorf(\"step %d: %%w\", v%d)\n\t}\n",
				i, rng.IntN(1000), sentences[rng.IntN(len(sentences))][:12], i, i, i)
		}
		return s.String()
	}
	lines := strings.SplitAfter(string(b), "\n")
	return strings.Join(lines[:min(len(lines), 2000)], "")
}

// numbered formats text as Claude Code's Read tool does.
func numbered(text string) string {
	var b strings.Builder
	for i, line := range strings.SplitAfter(text, "\n") {
		fmt.Fprintf(&b, "%6d→%s", i+1, line)
	}
	return b.String()
}
