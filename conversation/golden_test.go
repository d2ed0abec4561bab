package conversation

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestGoldenLinking replays the golden corpus (testdata/golden/<scenario>/NNNN.json: real
// Claude Code traffic, captured by scripts/capture-claude-code.sh) through Link with the
// in-memory store and checks what spec §7 calls right: every turn of a session lands in one
// conversation, each sub-agent call is one sub-thread under the request that made it,
// compaction steps and auxiliary calls start nothing. The hand-written expected.json of each
// scenario is checked in full through the real store (store/sqlite TestGoldenCorpus), where
// side calls can also join a conversation that starts after them.
func TestGoldenLinking(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "expected.json"))
	if len(dirs) == 0 {
		t.Fatal("no golden corpus in testdata/golden")
	}
	for _, exp := range dirs {
		dir := filepath.Dir(exp)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			recs := replayGolden(t, dir)
			checkGoldenInvariants(t, recs)
		})
	}
}

// goldenRecord is one linked request of a scenario.
type goldenRecord struct {
	seq     int
	session string
	*memRecord
}

// replayGolden links the successful Messages requests of a scenario in capture order, as
// the recorder keys them.
func replayGolden(t *testing.T, dir string) []goldenRecord {
	files, _ := filepath.Glob(filepath.Join(dir, "[0-9]*.json"))
	if len(files) == 0 {
		t.Fatalf("%s: no captures", dir)
	}
	var m memLookup
	var recs []goldenRecord
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for _, f := range files {
		c := readGoldenCapture(t, f)
		if c.Path != "/v1/messages" || c.Status >= 400 {
			continue
		}
		session := ReadRequestMeta(c.Request).SessionID
		s := Scope{Client: "golden", Session: session, At: start.Add(time.Duration(c.Seq) * time.Second)}
		recs = append(recs, goldenRecord{c.Seq, session, m.record(t, s, c.Request, []byte(c.Response))})
	}
	return recs
}

// goldenCapture is one captured exchange of the golden corpus.
type goldenCapture struct {
	Seq      int             `json:"seq"`
	Path     string          `json:"path"`
	Status   int             `json:"status"`
	Request  json.RawMessage `json:"request"`
	Response string          `json:"response"`
}

func readGoldenCapture(t *testing.T, path string) goldenCapture {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c goldenCapture
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

func checkGoldenInvariants(t *testing.T, recs []goldenRecord) {
	byID := map[string]goldenRecord{}
	parentConv := map[string]string{} // sub-thread → the conversation that made the call
	mainConv := map[string]string{}   // session → its conversation
	for _, r := range recs {
		byID[r.id] = r
		d := r.d
		switch {
		case d.Kind == KindAuxiliary || d.Kind == KindCompaction:
			if d.NewConversation {
				t.Errorf("seq %d: a %s request started a conversation (%+v)", r.seq, d.Kind, d)
			}
		case d.Rule == RuleSubagent:
			caller, ok := byID[d.ParentRequest]
			if !ok || d.AgentOrdinal < 1 || d.AgentOrdinal > len(caller.resp.AgentPrompts) || caller.conv != d.ParentConversation {
				t.Errorf("seq %d: sub-thread root not under the call that made it (%+v)", r.seq, d)
			}
			parentConv[r.conv] = d.ParentConversation
		case d.Kind == KindSubagent:
			if _, ok := parentConv[r.conv]; !ok {
				t.Errorf("seq %d: a sub-agent turn outside a sub-thread (%+v)", r.seq, d)
			}
		default:
			if prev, ok := mainConv[r.session]; ok && prev != r.conv {
				t.Errorf("seq %d: session %s is in conversations %s and %s (%+v)", r.seq, r.session, prev, r.conv, d)
			}
			mainConv[r.session] = r.conv
		}
	}
	for sub, parent := range parentConv {
		for {
			up, ok := parentConv[parent]
			if !ok {
				break
			}
			parent = up
		}
		found := false
		for _, c := range mainConv {
			found = found || c == parent
		}
		if !found {
			t.Errorf("sub-thread %s is not under a session's conversation", sub)
		}
	}
}
