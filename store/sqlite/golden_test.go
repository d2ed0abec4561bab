package sqlite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nexus/content"
	"nexus/store"
	"nexus/store/sqlstore"
	"nexus/store/storetest"
)

// goldenDir is the corpus of real Claude Code traffic (scripts/capture-claude-code.sh): per
// scenario, the captured requests (NNNN.json) and the hand-written grouping (expected.json).
const goldenDir = "../../conversation/testdata/golden"

// capture is one captured request.
type capture struct {
	Seq      int               `json:"seq"`
	Method   string            `json:"method"`
	Path     string            `json:"path"`
	Query    string            `json:"query"`
	Headers  map[string]string `json:"headers"`
	Status   int               `json:"status"`
	Request  json.RawMessage   `json:"request"`
	Response string            `json:"response"`
}

// expectation is one request's line of expected.json. Conversation and branch are labels
// ("A", "edit-1"), compared as a one-to-one mapping; "main" and "" mean themselves and
// "compact…" must name a compact branch.
type expectation struct {
	Seq                int    `json:"seq"`
	Conversation       string `json:"conversation"`
	Branch             string `json:"branch"`
	Kind               string `json:"kind"`
	ParentConversation string `json:"parent_conversation"`
	Parent             int    `json:"parent"`
	Why                string `json:"why"`
}

// TestGoldenCorpus replays every scenario through the real recording path (content.Bodies,
// then the SQLite store, which links) and checks two things: each stored request and answer
// rebuilds to exactly the bytes captured, and the grouping is the expected one — every
// conversation, branch, kind, parent and sub-thread.
func TestGoldenCorpus(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(goldenDir, "*", "expected.json"))
	if len(dirs) < 7 {
		t.Fatalf("golden corpus has %d scenarios, want the 7 captured", len(dirs))
	}
	for _, exp := range dirs {
		dir := filepath.Dir(exp)
		t.Run(filepath.Base(dir), func(t *testing.T) { replayScenario(t, dir, true) })
	}
}

// TestGoldenCorpusWithoutBodies replays the corpus with bodies not stored (metadata only):
// linking must group it the same, without the stored answers that compaction summaries are
// looked for in.
func TestGoldenCorpusWithoutBodies(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(goldenDir, "*", "expected.json"))
	for _, exp := range dirs {
		dir := filepath.Dir(exp)
		t.Run(filepath.Base(dir), func(t *testing.T) { replayScenario(t, dir, false) })
	}
}

// replayScenario replays the captures of dir and checks them against its expected.json;
// withBodies stores their bodies (and checks that they rebuild), else only metadata.
func replayScenario(t *testing.T, dir string, withBodies bool) {
	var codec *content.Codec
	var opener sqlstore.Opener // nil, not a nil *content.Codec, when bodies are not stored
	if withBodies {
		codec = storetest.NewCodec(t)
		opener = codec
	}
	redactor, _ := content.NewRedactor(nil)
	bodies := content.NewBodies(codec, "metadata only", redactor)
	s := openWith(t, t.TempDir(), opener)
	ctx := context.Background()

	files, _ := filepath.Glob(filepath.Join(dir, "[0-9]*.json"))
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	ids := map[int]string{}
	seqOf := map[string]int{}
	for _, f := range files {
		c := readCapture(t, f)
		id := fmt.Sprintf("r_%04d", c.Seq)
		ids[c.Seq], seqOf[id] = id, c.Seq
		kind := "auxiliary"
		if c.Path == "/v1/messages" {
			kind = "turn"
		}
		r := store.Request{ID: id, StartedAt: start.Add(time.Duration(c.Seq) * time.Second), Method: c.Method,
			Path: c.Path, Query: c.Query, Status: c.Status, Kind: kind, ClientKeyID: "golden",
			SessionID: c.Headers["X-Claude-Code-Session-Id"], UserAgent: c.Headers["User-Agent"]}
		var reqBody []byte
		if len(c.Request) > 0 && string(c.Request) != "null" {
			reqBody = c.Request
		}
		bodies.Prepare(&r, reqBody, []byte(c.Response))
		if err := s.FinishRequest(ctx, r); err != nil {
			t.Fatalf("seq %d: %v", c.Seq, err)
		}
		bodies.Stored(r.Body)
		if withBodies && reqBody != nil && r.Redactions == 0 {
			d, err := s.GetRequest(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			gotReq, gotResp, err := content.OpenBodies(codec, d)
			if err != nil {
				t.Fatalf("seq %d: %v", c.Seq, err)
			}
			if !bytes.Equal(gotReq, reqBody) || string(gotResp) != c.Response {
				t.Errorf("seq %d: stored bodies do not rebuild to the captured bytes", c.Seq)
			}
		}
	}

	var want struct {
		Requests []expectation `json:"requests"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err == nil {
		err = json.Unmarshal(raw, &want)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Requests) != len(files) {
		t.Fatalf("expected.json has %d requests, the scenario %d", len(want.Requests), len(files))
	}
	convLabel, branchLabel := labels{}, labels{}
	for _, w := range want.Requests {
		got, err := s.GetRequest(ctx, ids[w.Seq])
		if err != nil {
			t.Fatalf("seq %d: %v", w.Seq, err)
		}
		var parentConv, parent string
		if got.Conversation != "" {
			c, err := s.GetConversation(ctx, got.Conversation)
			if err != nil {
				t.Fatal(err)
			}
			parentConv = c.ParentConversationID
			if c.ParentRequestID != "" && got.ParentRequestID == "" {
				parent = c.ParentRequestID // a sub-thread's root hangs off the request that made the call
			}
		}
		if parent == "" {
			parent = got.ParentRequestID
		}
		branch := got.Branch
		if w.Kind == "auxiliary" {
			branch = w.Branch // a side call's branch is where it was attached: not a claim
		}
		problems := []string{}
		if got.Kind != w.Kind {
			problems = append(problems, fmt.Sprintf("kind %s, want %s", got.Kind, w.Kind))
		}
		if !convLabel.match(w.Conversation, got.Conversation) {
			problems = append(problems, fmt.Sprintf("conversation %q is not %s's", got.Conversation, w.Conversation))
		}
		if !branchLabel.match(w.Branch, branch) {
			problems = append(problems, fmt.Sprintf("branch %q is not %s's", branch, w.Branch))
		}
		if !convLabel.match(w.ParentConversation, parentConv) {
			problems = append(problems, fmt.Sprintf("parent conversation %q is not %s's", parentConv, w.ParentConversation))
		}
		if seqOf[parent] != w.Parent {
			problems = append(problems, fmt.Sprintf("parent seq %d, want %d", seqOf[parent], w.Parent))
		}
		if len(problems) > 0 {
			t.Errorf("seq %d (rule %s): %s\n\twhy expected: %s", w.Seq, got.LinkRule, strings.Join(problems, "; "), w.Why)
		}
	}
}

// labels maps expected labels to actual ids one to one; "" and "main" stand for themselves
// and a label starting "compact" needs an id that does too.
type labels map[string]string

func (l labels) match(label, id string) bool {
	switch {
	case label == "" || label == "main":
		return id == label
	case strings.HasPrefix(label, "compact") && !strings.HasPrefix(id, "compact"):
		return false
	}
	if got, ok := l[label]; ok {
		return got == id
	}
	for other, taken := range l {
		if taken == id && other != label {
			return false
		}
	}
	if id == "" || id == "main" {
		return false
	}
	l[label] = id
	return true
}

// readCapture reads one captured request and answer of the corpus.
func readCapture(t *testing.T, file string) capture {
	t.Helper()
	var c capture
	raw, err := os.ReadFile(file)
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return c
}
