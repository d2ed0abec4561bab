package content

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"nexus/store"
)

// A session whose messages carry cache_control markers that stay while the message moves
// back (and some that move to the newest message) is prepared the same with the piece cache
// warm as by a Bodies that has seen nothing: the same blob ids, the same template (so the same
// marks), and every request rebuilds byte for byte.
func TestPieceCacheGivesWhatPreparingAfreshGives(t *testing.T) {
	redactor, err := NewRedactor(nil)
	if err != nil {
		t.Fatal(err)
	}
	codec := newTestCodec(t, 3)
	warm := NewBodies(codec, "", redactor)
	rng := rand.New(rand.NewPCG(1, 2))
	const mark = `,"cache_control":{"type":"ephemeral"}`
	var messages []string
	stored := map[string][]byte{}
	for turn := range 40 {
		role := []string{"user", "assistant"}[turn%2]
		text := fmt.Sprintf("turn %d %s", turn, strings.Repeat("x", rng.IntN(50)))
		m := `{"role":"` + role + `","content":[{"type":"text","text":"` + text + `"}]}`
		if rng.IntN(4) == 0 { // a marker that stays with this message from now on
			m = `{"role":"` + role + `","content":[{"type":"text","text":"` + text + `"` + mark + `}]}`
		}
		messages = append(messages, m)
		sent := append([]string(nil), messages...)
		last := len(sent) - 1
		if !strings.Contains(sent[last], mark) { // the marker Claude Code moves to the newest
			sent[last] = strings.Replace(sent[last], `"}]}`, `"`+mark+`}]}`, 1)
		}
		req := []byte(`{"model":"m","system":[{"type":"text","text":"You are Claude Code."` + mark + `}],` +
			`"tools":[{"name":"Bash","input_schema":{}}],"messages":[` + strings.Join(sent, ",") + `]}`)
		var r, fresh store.Request
		r.Path, r.Status, fresh.Path, fresh.Status = "/v1/messages", 200, "/v1/messages", 200
		warm.Prepare(&r, req, []byte(`{}`))
		NewBodies(codec, "", redactor).Prepare(&fresh, req, []byte(`{}`))
		if r.Body == nil || fresh.Body == nil {
			t.Fatalf("turn %d: no body (%s / %s)", turn, r.Content, fresh.Content)
		}
		for what, pair := range map[string][2][]byte{"template": {r.Body.Template, fresh.Body.Template},
			"system": {r.Body.System, fresh.Body.System}, "tools": {r.Body.Tools, fresh.Body.Tools}} {
			if !bytes.Equal(pair[0], pair[1]) {
				t.Fatalf("turn %d: the %s blob differs with the cache warm", turn, what)
			}
		}
		for i := range fresh.Body.Messages {
			if !bytes.Equal(r.Body.Messages[i], fresh.Body.Messages[i]) {
				t.Fatalf("turn %d: message %d stored as another blob with the cache warm", turn, i)
			}
		}
		if got := rebuild(t, codec, r.Body, stored); !bytes.Equal(got, req) {
			t.Fatalf("turn %d: rebuilt\n%s\nwant\n%s", turn, got, req)
		}
		warm.Stored(r.Body)
	}
}
