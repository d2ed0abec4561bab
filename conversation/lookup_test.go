package conversation

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// memLookup is an in-memory store: it records requests as the recorder would (keys, Link's
// decision, then the answer's keys) and answers Lookup the way the store's queries must.
type memLookup struct {
	recs    []*memRecord // in arrival order
	claimed map[string]bool
	convs   int
}

type memRecord struct {
	id       string
	scope    Scope
	keys     RequestKeys
	resp     ResponseKeys
	answered bool
	d        Decision
	conv     string // the conversation it belongs to ("" for a lone auxiliary request)
}

// record links and stores a request; answer may be nil (not answered yet).
func (m *memLookup) record(t testing.TB, s Scope, body, answer []byte) *memRecord {
	t.Helper()
	k := keysOf(t, body)
	d, err := Link(context.Background(), m, s, k)
	if err != nil {
		t.Fatal(err)
	}
	r := &memRecord{id: fmt.Sprintf("req-%d", len(m.recs)+1), scope: s, keys: k, d: d, conv: d.Conversation}
	if d.NewConversation {
		m.convs++
		r.conv = fmt.Sprintf("conv-%d", m.convs)
	}
	if d.Rule == RuleSubagent {
		if m.claimed == nil {
			m.claimed = map[string]bool{}
		}
		m.claimed[fmt.Sprint(d.ParentRequest, "#", d.AgentOrdinal)] = true
	}
	m.recs = append(m.recs, r)
	if answer != nil {
		m.answer(r, answer)
	}
	return r
}

func (m *memLookup) answer(r *memRecord, answer []byte) {
	r.resp, r.answered = ReadResponseKeys(r.keys, answer), true
}

// newest yields the records of s.Client that started within window before s.At, newest first.
func (m *memLookup) newest(s Scope, window time.Duration) []*memRecord {
	var out []*memRecord
	for _, r := range slices.Backward(m.recs) {
		if r.scope.Client == s.Client && !r.scope.At.After(s.At) && s.At.Sub(r.scope.At) <= window {
			out = append(out, r)
		}
	}
	return out
}

func (r *memRecord) candidate() Candidate {
	return Candidate{RequestID: r.id, Conversation: r.conv, Branch: r.d.Branch, SessionID: r.scope.Session,
		Kind: r.d.Kind, At: r.scope.At, System: r.keys.System, Current: r.keys.Current}
}

func (m *memLookup) ByContinuation(_ context.Context, s Scope, h Hash) ([]Candidate, error) {
	var out []Candidate
	for _, r := range m.newest(s, LinkWindow) {
		if r.answered && r.resp.Continuation == h {
			out = append(out, r.candidate())
		}
	}
	return out, nil
}

func (m *memLookup) ByCurrent(_ context.Context, s Scope, h Hash) ([]Candidate, error) {
	var out []Candidate
	for _, r := range m.newest(s, LinkWindow) {
		if r.keys.Current == h {
			out = append(out, r.candidate())
		}
	}
	return out, nil
}

func (m *memLookup) Children(_ context.Context, s Scope, parent Candidate) ([]Child, error) {
	twins := map[string]bool{parent.RequestID: true}
	if !parent.Current.IsZero() {
		for _, r := range m.newest(s, LinkWindow) {
			if r.conv == parent.Conversation && r.keys.Current == parent.Current {
				twins[r.id] = true
			}
		}
	}
	var out []Child
	for _, r := range m.recs {
		if twins[r.d.ParentRequestID] {
			out = append(out, Child{RequestID: r.id, Branch: r.d.Branch, Current: r.keys.Current, Prev2: r.keys.Prev2,
				Kind: r.d.Kind})
		}
	}
	return out, nil
}

func (m *memLookup) Branches(_ context.Context, conversation string) ([]string, error) {
	var out []string
	for _, r := range m.recs {
		if r.conv == conversation && r.d.Branch != "" && !slices.Contains(out, r.d.Branch) {
			out = append(out, r.d.Branch)
		}
	}
	return out, nil
}

func (m *memLookup) AgentCall(_ context.Context, s Scope, prompt Hash) (AgentCall, bool, error) {
	for _, r := range m.newest(s, AgentWindow) {
		for i, h := range r.resp.AgentPrompts {
			if h == prompt && !m.claimed[fmt.Sprint(r.id, "#", i+1)] {
				return AgentCall{RequestID: r.id, Conversation: r.conv, Ordinal: i + 1}, true, nil
			}
		}
	}
	return AgentCall{}, false, nil
}

func (m *memLookup) Compactions(_ context.Context, s Scope) ([]CompactionCandidate, error) {
	var out []CompactionCandidate
	for _, r := range m.newest(s, CompactionWindow) {
		if r.d.Kind == KindCompaction && r.answered {
			out = append(out, CompactionCandidate{Candidate: r.candidate(), Text: r.resp.Text})
		}
	}
	return out, nil
}

func (m *memLookup) SessionLatest(_ context.Context, s Scope) (Candidate, bool, error) {
	if s.Session == "" {
		return Candidate{}, false, nil
	}
	for _, r := range m.newest(s, LinkWindow) {
		if r.scope.Session == s.Session && r.d.Kind != KindAuxiliary {
			return r.candidate(), true, nil
		}
	}
	return Candidate{}, false, nil
}

func (m *memLookup) SessionConversation(_ context.Context, s Scope) (Candidate, bool, error) {
	if s.Session == "" {
		return Candidate{}, false, nil
	}
	for _, r := range m.newest(s, LinkWindow) {
		if r.scope.Session == s.Session && r.d.Kind != KindAuxiliary && r.conv != "" && !m.subThread(r.conv) {
			return r.candidate(), true, nil
		}
	}
	return Candidate{}, false, nil
}

func (m *memLookup) SessionFirstUser(_ context.Context, s Scope, firstUser Hash) (bool, error) {
	for _, r := range m.newest(s, LinkWindow) {
		if s.Session != "" && r.scope.Session == s.Session && r.conv != "" && r.d.Kind != KindAuxiliary &&
			r.keys.FirstUser == firstUser {
			return true, nil
		}
	}
	return false, nil
}

// subThread reports whether conv was started by a sub-agent call.
func (m *memLookup) subThread(conv string) bool {
	for _, r := range m.recs {
		if r.conv == conv && r.d.NewConversation {
			return r.d.ParentConversation != ""
		}
	}
	return false
}
