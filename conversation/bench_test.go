package conversation

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// longSession is a Claude Code request of n messages, about 300 bytes each: prompts with
// reminders now and then, assistant text with tool calls (some with thinking), tool results
// of a few hundred bytes.
func longSession(t testing.TB, n int) []byte {
	hist := history{user(reminder("As you answer the user's questions, you can use the following context:\n# claudeMd\nRun make test."), "fix the failing tests in store/")}
	for i := 1; len(hist) < n; i++ {
		id := fmt.Sprintf("toolu_01%022d", i)
		var a []any
		if i%7 == 0 {
			a = append(a, thinking("The tests fail because the busy timeout is missing; read the file first."))
		}
		a = append(a, fmt.Sprintf("Step %d: I'll look at the next file.", i),
			toolUse(id, []string{"Read", "Bash", "Grep", "Edit"}[i%4], map[string]any{
				"file_path": fmt.Sprintf("/home/dev/nexus/store/file%d.go", i), "offset": i * 10, "limit": 200}))
		result := strings.Repeat(fmt.Sprintf("%6d\tfunc (s *Store) Method%d(ctx context.Context) error {\n", i, i), 4)
		u := user(toolResult(id, result))
		if i%25 == 0 {
			u = user(toolResult(id, result+reminder("The file was modified by the user.")), "please also keep the tests green")
		}
		hist = hist.add(asMessage(a...), u)
	}
	return cc(t, hist[:n]...)
}

// BenchmarkReadRequestKeys1000 reads a 1,000-message request: cold, every message new (as
// the first request a process sees of a session), and warm, all but the last two messages
// read before (as each request of a session after the first).
func BenchmarkReadRequestKeys1000(b *testing.B) {
	body := longSession(b, 1000)
	b.Run("cold", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := readRequestKeys(body, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		cache := newKeyCache(cacheGeneration)
		if _, err := readRequestKeys(longSession(b, 998), cache); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := readRequestKeys(body, cache); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkJSONParse1000 only decodes the same body into generic values: the difference to
// BenchmarkReadRequestKeys1000 is the cost of linking beyond parsing JSON.
func BenchmarkJSONParse1000(b *testing.B) {
	body := longSession(b, 1000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var v struct {
			System   any `json:"system"`
			Messages []struct {
				Role    string `json:"role"`
				Content any    `json:"content"`
			} `json:"messages"`
			Tools any `json:"tools"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLongSessionShape(t *testing.T) {
	body := longSession(t, 1000)
	k := keysOf(t, body)
	if k.Messages != 1000 || len(body) < 250_000 || len(body) > 400_000 {
		t.Errorf("%d messages, %d bytes", k.Messages, len(body))
	}
}
