package conversation

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A linking scenario is a sequence of requests (and late answers) from Claude Code sessions,
// recorded one after the other in a memLookup, each checked against what Link must decide.
type step struct {
	name     string
	body     []byte
	answer   []byte        // nil: not answered (yet)
	answerOf string        // when set, this step is only the late answer of that earlier step
	client   string        // "" is "key-1"
	session  string        // "" is sessionA; "-" is none
	after    time.Duration // sent this much later than its turn in the sequence (a minute per step)
	want     expect
}

type expect struct {
	rule, kind, branch string
	conv               string // the step whose conversation this one joins; "" a new one; "-" none
	parent             string // the step this one continues; "" none
	agent              string // for a sub-thread root: the step that made the Agent/Task call
	ordinal            int
}

func TestLink(t *testing.T) {
	// One Claude Code conversation: a prompt, a tool loop, a final answer, the next prompts.
	u1 := user(reminder("As you answer the user's questions, you can use the following context:\n# claudeMd\nRun make test."), "fix the failing test in store/")
	a1 := []any{thinking("The user wants the test fixed."), "I'll run the tests.", toolUse("toolu_01", "Bash", map[string]any{"command": "go test ./store/", "description": "Run the store tests"})}
	h1 := history{u1}
	h2 := h1.add(asMessage(a1...), user(toolResult("toolu_01", "--- FAIL: TestOpen (0.00s)\n    open_test.go:21: database is locked")))
	a2 := []any{"The busy timeout is missing.", toolUse("toolu_02", "Edit", map[string]any{"file_path": "/home/dev/nexus/store/open.go", "old_string": "db, err := sql.Open", "new_string": "db, err := sql.Open // busy_timeout"})}
	h3 := h2.add(asMessage(a2...), user(toolResult("toolu_02", "The file /home/dev/nexus/store/open.go has been updated."), reminder("todo list is empty")))
	a3 := []any{"Fixed: TestOpen passes now."}
	h3done := h3.add(asMessage(a3...))
	h4 := h3done.add(user("now run the linter"))
	h4b := h3done.add(user("now run the race detector"))
	h4c := h3done.add(user("commit it"))

	summary1 := compactAnswer("fix the failing test")
	continued := cc(t, user(continuedMessage(summary1), reminder("Called the Read tool with /home/dev/nexus/store/open.go")))
	k2 := history{user(continuedMessage(summary1), reminder("Called the Read tool with /home/dev/nexus/store/open.go")), asMessage("Running the linter."), user("go on")}
	summary2 := compactAnswer("run the linter")

	p1, p2 := "Find all tests that touch the store package.", "List the callers of store.Open."
	agents := []any{"I'll ask two agents.",
		toolUse("toolu_a1", "Agent", map[string]any{"description": "Find tests", "prompt": p1, "subagent_type": "Explore"}),
		toolUse("toolu_a2", "Task", map[string]any{"description": "Find callers", "prompt": p2, "subagent_type": "general-purpose"})}
	agentReq := ccRequest{system: []string{"You are an agent for Claude Code, Anthropic's official CLI for Claude.", "Notes: use absolute paths."}}
	s1 := history{user(reminder("claudeMd"), p1)}
	s1a := []any{toolUse("toolu_g1", "Grep", map[string]any{"pattern": "store\\.", "path": "/home/dev/nexus"})}

	titleReq := ccRequest{model: "claude-haiku-4-5-20251001", max: 512, noTools: true, system: []string{
		"Generate a concise, sentence-case title (3-7 words) that captures the main topic or goal of this coding session."}}
	quota := ccRequest{model: "claude-haiku-4-5-20251001", max: 1, noTools: true}

	for _, sc := range []struct {
		name  string
		steps []step
	}{
		{"turns and a tool loop by exact continuation", []step{
			{name: "r1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r2", body: cc(t, h2...), answer: answerJSON(t, a2...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "r3", body: cc(t, h3...), answer: answerSSE(t, a3...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r2"}},
			{name: "r4", body: cc(t, h4...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r3"}},
		}},
		{"two-message rule: the client re-sent an edited answer", []step{
			{name: "r1", body: cc(t, user("hi")), answer: answerJSON(t, "Hello! How can I help?"), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r2", body: cc(t, user("hi"), asMessage("Hello! How can I help you today?"), user("fix the test")),
				want: expect{rule: RuleTwoMessage, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
		}},
		{"tool loop while the parent is still streaming", []step{
			{name: "r1", body: cc(t, h1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r2", body: cc(t, h2...), want: expect{rule: RuleToolLoop, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
			{answerOf: "r1", answer: answerSSE(t, a1...)},
			{answerOf: "r2", answer: answerSSE(t, a2...)},
			{name: "r3", body: cc(t, h3...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r2"}},
		}},
		{"grandparent: a request was not recorded", []step{
			{name: "r1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r3", body: cc(t, h3...), want: expect{rule: RuleGrandparent, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
		}},
		{"same history in two sessions: the session picks", []step{
			{name: "b1", session: "session-b", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "a1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "b2", session: "session-b", body: cc(t, h2...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "b1", parent: "b1"}},
			{name: "a2", body: cc(t, h2...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "a1", parent: "a1"}},
		}},
		{"rewinds and edits open branches; a branch goes on", []step{
			{name: "r1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r2", body: cc(t, h2...), answer: answerSSE(t, a2...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "r3", body: cc(t, h3...), answer: answerSSE(t, a3...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r2"}},
			{name: "r4", body: cc(t, h4...), answer: answerSSE(t, "Lint is clean."), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r3"}},
			{name: "r4b", body: cc(t, h4b...), answer: answerSSE(t, "No races."), want: expect{rule: RuleContinuation, kind: KindTurn, branch: "branch-2", conv: "r1", parent: "r3"}},
			{name: "r4c", body: cc(t, h4c...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: "branch-3", conv: "r1", parent: "r3"}},
			{name: "r5b", body: cc(t, h4b.add(asMessage("No races."), user("good, commit it"))...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: "branch-2", conv: "r1", parent: "r4b"}},
			{name: "r5", body: cc(t, h4.add(asMessage("Lint is clean."), user("thanks"))...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r4"}},
		}},
		{"a retry stays on its branch", []step{
			{name: "r1", body: cc(t, h1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r1 again", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleSession, kind: KindTurn, branch: MainBranch, conv: "r1"}},
			{name: "r2", body: cc(t, h2...), answer: answerSSE(t, a2...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1 again"}},
			{name: "r3", body: cc(t, h3...), answer: answerSSE(t, a3...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r2"}},
			{name: "r4", body: cc(t, h4...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r3"}},
			{name: "r4 again", body: cc(t, h4...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r3"}},
			{name: "r4b", body: cc(t, h4b...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: "branch-2", conv: "r1", parent: "r3"}},
			{name: "r4b again", body: cc(t, h4b...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: "branch-2", conv: "r1", parent: "r3"}},
		}},
		{"compaction step: the instruction as a new message", []step{
			{name: "r1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r2", body: cc(t, h2...), answer: answerSSE(t, a2...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "r3", body: cc(t, h3...), answer: answerSSE(t, a3...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r2"}},
			{name: "c", body: cc(t, h3done.add(user(compactPrompt))...), answer: answerSSE(t, summary1), want: expect{rule: RuleCompaction, kind: KindCompaction, branch: MainBranch, conv: "r1", parent: "r3"}},
			{name: "r4", body: cc(t, h4...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r3"}},
		}},
		{"compaction step: the instruction inside the last message, after the turn failed", []step{
			{name: "r1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r2", body: cc(t, h2...), answer: []byte(`{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}}`),
				want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "c", body: cc(t, h1.add(asMessage(a1...), user(toolResult("toolu_01", "--- FAIL: TestOpen (0.00s)\n    open_test.go:21: database is locked"), compactPrompt))...),
				want: expect{rule: RuleCompaction, kind: KindCompaction, branch: MainBranch, conv: "r1", parent: "r2"}},
		}},
		{"compaction step: the instruction inside the last message of a turn never sent", []step{
			{name: "r1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "c", body: cc(t, h1.add(asMessage(a1...), user(toolResult("toolu_01", "FAIL"), compactPrompt))...),
				want: expect{rule: RuleCompaction, kind: KindCompaction, branch: MainBranch, conv: "r1", parent: "r1"}},
		}},
		{"compaction step on a branch keeps the branch; one no hash links joins its session", []step{
			{name: "r1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r2", body: cc(t, h2...), answer: answerSSE(t, a2...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "r2b", body: cc(t, h1.add(asMessage(a1...), user(toolResult("toolu_01", "ok")))...), answer: answerSSE(t, "All green."),
				want: expect{rule: RuleContinuation, kind: KindTurn, branch: "branch-2", conv: "r1", parent: "r1"}},
			{name: "c", body: cc(t, h1.add(asMessage(a1...), user(toolResult("toolu_01", "ok")), asMessage("All green."), user(compactPrompt))...),
				want: expect{rule: RuleCompaction, kind: KindCompaction, branch: "branch-2", conv: "r1", parent: "r2b"}},
			{name: "c unknown", body: cc(t, user("an older part"), asMessage("of this session"), user(compactPrompt)),
				want: expect{rule: RuleSession, kind: KindCompaction, branch: "branch-2", conv: "r1", parent: "c"}},
		}},
		{"continuation after compaction opens compact branches", []step{
			{name: "r1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "c", body: cc(t, h1.add(asMessage(a1...), user(compactPrompt))...), answer: answerSSE(t, summary1),
				want: expect{rule: RuleCompaction, kind: KindCompaction, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "k1", body: continued, answer: answerSSE(t, "Running the linter."), want: expect{rule: RuleCompaction, kind: KindTurn, branch: CompactBranch, conv: "r1", parent: "c"}},
			{name: "k1 again", body: continued, want: expect{rule: RuleCompaction, kind: KindTurn, branch: CompactBranch, conv: "r1", parent: "c"}},
			{name: "k2", body: cc(t, k2...), answer: answerJSON(t, "Done."), want: expect{rule: RuleContinuation, kind: KindTurn, branch: CompactBranch, conv: "r1", parent: "k1"}},
			{name: "c2", body: cc(t, k2.add(asMessage("Done."), user(compactPrompt))...), answer: answerJSON(t, summary2),
				want: expect{rule: RuleCompaction, kind: KindCompaction, branch: CompactBranch, conv: "r1", parent: "k2"}},
			{name: "k3", body: cc(t, user(continuedMessage(summary2))), want: expect{rule: RuleCompaction, kind: KindTurn, branch: "compact-2", conv: "r1", parent: "c2"}},
			{name: "unknown summary", session: "session-b", body: cc(t, user(continuedMessage(compactAnswer("add a tray icon")))), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
		}},
		{"continuation after compaction with the transcript tail", []step{
			{name: "r1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "c", body: cc(t, h1.add(asMessage(a1...), user(compactPrompt))...), answer: answerSSE(t, summary1),
				want: expect{rule: RuleCompaction, kind: KindCompaction, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "k", body: cc(t, k2...), want: expect{rule: RuleCompaction, kind: KindTurn, branch: CompactBranch, conv: "r1", parent: "c"}},
		}},
		{"sub-agents: roots, their next turns, a retried root", []step{
			{name: "r1", body: cc(t, user("review the store package")), answer: answerSSE(t, agents...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "s1", body: agentReq.body(t, s1...), answer: answerSSE(t, s1a...),
				want: expect{rule: RuleSubagent, kind: KindSubagent, branch: MainBranch, agent: "r1", ordinal: 1}},
			{name: "s2", body: agentReq.body(t, user(p2)), want: expect{rule: RuleSubagent, kind: KindSubagent, branch: MainBranch, agent: "r1", ordinal: 2}},
			{name: "s1 turn 2", body: agentReq.body(t, s1.add(asMessage(s1a...), user(toolResult("toolu_g1", "store/open_test.go")))...),
				want: expect{rule: RuleContinuation, kind: KindSubagent, branch: MainBranch, conv: "s1", parent: "s1"}},
			{name: "s2 again", body: agentReq.body(t, user(p2)), want: expect{rule: RuleSession, kind: KindSubagent, branch: MainBranch, conv: "s2"}},
			{name: "r2", body: cc(t, user("review the store package"), asMessage(agents...), user(toolResult("toolu_a1", "3 tests"), toolResult("toolu_a2", "app.go"))),
				want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
		}},
		{"auxiliary requests attach to their session and start nothing", []step{
			{name: "quota first", session: "-", body: quota.body(t, user("quota")), want: expect{rule: RuleAuxiliary, kind: KindAuxiliary, conv: "-"}},
			{name: "title first", body: titleReq.body(t, u1), want: expect{rule: RuleAuxiliary, kind: KindAuxiliary, conv: "-"}},
			{name: "r1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "title", body: titleReq.body(t, u1), want: expect{rule: RuleAuxiliary, kind: KindAuxiliary, branch: MainBranch, conv: "r1"}},
			{name: "quota", session: "-", body: quota.body(t, user("quota")), want: expect{rule: RuleAuxiliary, kind: KindAuxiliary, conv: "-"}},
			{name: "r2", body: cc(t, h2...), answer: answerSSE(t, a2...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "suggestion", body: cc(t, h2.add(asMessage(a2...), user("[SUGGESTION MODE: Suggest what the user might naturally type next into Claude Code.]"))...),
				want: expect{rule: RuleAuxiliary, kind: KindAuxiliary, branch: MainBranch, conv: "r1"}},
			{name: "r3", body: cc(t, h3...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r2"}},
		}},
		{"clients without session ids: a quick identical root is a retry", []step{
			{name: "r1", session: "-", body: cc(t, user("hi")), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r1 again", session: "-", body: cc(t, user("hi")), want: expect{rule: RuleSession, kind: KindTurn, branch: MainBranch, conv: "r1"}},
			{name: "r1 an hour later", session: "-", after: time.Hour, body: cc(t, user("hi")), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "in a session", body: cc(t, user("hi")), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
		}},
		{"two clients with the same history are kept apart", []step{
			{name: "a1", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "b1", client: "key-2", body: cc(t, h1...), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "b2", client: "key-2", body: cc(t, h2...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "b1", parent: "b1"}},
			{name: "a2", body: cc(t, h2...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "a1", parent: "a1"}},
		}},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc.steps) })
	}
}

func runScenario(t *testing.T, steps []step) {
	var m memLookup
	byName := map[string]*memRecord{}
	start := time.Date(2025, 11, 27, 9, 0, 0, 0, time.UTC)
	for i, st := range steps {
		if st.answerOf != "" {
			m.answer(byName[st.answerOf], st.answer)
			continue
		}
		start = start.Add(st.after)
		s := Scope{Client: "key-1", Session: sessionA, At: start.Add(time.Duration(i) * time.Minute)}
		if st.client != "" {
			s.Client = st.client
		}
		switch st.session {
		case "":
		case "-":
			s.Session = ""
		default:
			s.Session = st.session
		}
		r := m.record(t, s, st.body, st.answer)
		byName[st.name] = r
		d, w := r.d, st.want
		id := func(name string) string {
			if name == "" {
				return ""
			}
			return byName[name].id
		}
		conv := func(name string) string {
			if name == "" || name == "-" {
				return ""
			}
			return byName[name].conv
		}
		if d.Rule != w.rule || d.Kind != w.kind || d.Branch != w.branch || d.ParentRequestID != id(w.parent) ||
			d.NewConversation != (w.conv == "") || d.Conversation != conv(w.conv) ||
			d.ParentRequest != id(w.agent) || d.ParentConversation != conv(w.agent) || d.AgentOrdinal != w.ordinal {
			t.Errorf("%s: got %+v\nwant %+v", st.name, d, w)
		}
	}
}

func TestLinkErrors(t *testing.T) {
	boom := errors.New("boom")
	k := keysOf(t, cc(t, user("a"), asMessage("b"), user("c")))
	_, err := Link(context.Background(), failing{boom}, Scope{Client: "key-1", Session: sessionA}, k)
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want the lookup's error", err)
	}
}

type failing struct{ err error }

func (f failing) ByContinuation(context.Context, Scope, Hash) ([]Candidate, error) { return nil, f.err }
func (f failing) ByCurrent(context.Context, Scope, Hash) ([]Candidate, error)      { return nil, f.err }
func (f failing) Children(context.Context, Scope, Candidate) ([]Child, error)      { return nil, f.err }
func (f failing) Branches(context.Context, string) ([]string, error)               { return nil, f.err }
func (f failing) AgentCall(context.Context, Scope, Hash) (AgentCall, bool, error) {
	return AgentCall{}, false, f.err
}
func (f failing) Compactions(context.Context, Scope) ([]CompactionCandidate, error) {
	return nil, f.err
}
func (f failing) SessionLatest(context.Context, Scope) (Candidate, bool, error) {
	return Candidate{}, false, f.err
}
func (f failing) SessionConversation(context.Context, Scope) (Candidate, bool, error) {
	return Candidate{}, false, f.err
}
func (f failing) SessionFirstUser(context.Context, Scope, Hash) (bool, error) { return false, f.err }

func TestPick(t *testing.T) {
	sys, other := Hash{1}, Hash{2}
	s := Scope{Client: "key-1", Session: "s1"}
	for _, tc := range []struct {
		name  string
		cands []Candidate
		want  string
	}{
		{"newest", []Candidate{{RequestID: "new"}, {RequestID: "old"}}, "new"},
		{"same session", []Candidate{{RequestID: "new", SessionID: "s2", System: sys}, {RequestID: "old", SessionID: "s1", System: other}}, "old"},
		{"same system prompt", []Candidate{{RequestID: "new", System: other}, {RequestID: "old", System: sys}}, "old"},
		{"never an auxiliary request", []Candidate{{RequestID: "aux", Kind: KindAuxiliary, SessionID: "s1"}, {RequestID: "turn", Kind: KindTurn}}, "turn"},
		{"none", []Candidate{{RequestID: "aux", Kind: KindAuxiliary}}, ""},
	} {
		if c, _ := pick(tc.cands, s, sys); c.RequestID != tc.want {
			t.Errorf("%s: picked %q, want %q", tc.name, c.RequestID, tc.want)
		}
	}
}

func TestNewBranch(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		used   []string
		want   string
	}{
		{branchPrefix, []string{"main"}, "branch-2"},
		{branchPrefix, []string{"main", "branch-2", "compact"}, "branch-3"},
		{branchPrefix, []string{"main", "branch-3"}, "branch-2"},
		{CompactBranch, []string{"main"}, "compact"},
		{CompactBranch, []string{"main", "compact", "branch-2"}, "compact-2"},
	} {
		if got := newBranch(tc.prefix, tc.used); got != tc.want {
			t.Errorf("newBranch(%q, %v) = %q, want %q", tc.prefix, tc.used, got, tc.want)
		}
	}
}
