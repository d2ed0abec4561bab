package conversation

import "testing"

// TestLinkRegressions keeps the linking bugs found (spec §7: every linking bug found becomes a
// fixture), each a scenario of what the spec says must happen, named after the rule it broke.
func TestLinkRegressions(t *testing.T) {
	u1 := user("fix the failing test in store/")
	a1 := []any{"I'll run the tests.", toolUse("toolu_01", "Bash", map[string]any{"command": "go test ./store/"})}
	h2 := history{u1, asMessage(a1...), user(toolResult("toolu_01", "FAIL"))}
	h3a := h2.add(asMessage("Answer A."), user("go on"))
	h3b := h2.add(asMessage("Answer B."), user("go on"))

	prompt := "Find all tests that touch the store package."
	agentCall := []any{"I'll ask an agent.", toolUse("toolu_a1", "Agent", map[string]any{"description": "Find tests", "prompt": prompt})}
	agentReq := ccRequest{system: []string{"You are an agent for Claude Code, Anthropic's official CLI for Claude."}}

	for _, sc := range []struct {
		name  string
		steps []step
	}{
		// §3: "a retry with a different answer" opens a new branch. The same body is sent
		// again (a rewind that resends it unchanged, an SDK's regenerate) and gets another
		// answer; each answer is continued. The retry has no child of its own, but its twin
		// (the first send) has one on main.
		{"retry answered differently, both answers continued: the second forks", []step{
			{name: "r1", body: cc(t, u1), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r2", body: cc(t, h2...), answer: answerSSE(t, "Answer A."), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "r3", body: cc(t, h3a...), answer: answerSSE(t, "ok A"), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r2"}},
			{name: "r2 again", body: cc(t, h2...), answer: answerSSE(t, "Answer B."), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "r3b", body: cc(t, h3b...), answer: answerSSE(t, "ok B"), want: expect{rule: RuleContinuation, kind: KindTurn, branch: "branch-2", conv: "r1", parent: "r2 again"}},
			{name: "r3b again", body: cc(t, h3b...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: "branch-2", conv: "r1", parent: "r2 again"}},
			{name: "r4b", body: cc(t, h3b.add(asMessage("ok B"), user("thanks"))...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: "branch-2", conv: "r1", parent: "r3b"}},
			{name: "r4", body: cc(t, h3a.add(asMessage("ok A"), user("thanks"))...), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r3"}},
		}},
		// The same at the root, for clients without session ids: an identical first message
		// within RetryWindow joins the first as a retry; its answer's continuation forks.
		{"sessionless identical roots answered differently, both continued: the second forks", []step{
			{name: "x1", session: "-", body: cc(t, user("hi")), answer: answerSSE(t, "Hello from X"), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "x2", session: "-", body: cc(t, user("hi"), asMessage("Hello from X"), user("q")),
				want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "x1", parent: "x1"}},
			{name: "y1", session: "-", body: cc(t, user("hi")), answer: answerSSE(t, "Hello from Y"), want: expect{rule: RuleSession, kind: KindTurn, branch: MainBranch, conv: "x1"}},
			{name: "y2", session: "-", body: cc(t, user("hi"), asMessage("Hello from Y"), user("q")),
				want: expect{rule: RuleContinuation, kind: KindTurn, branch: "branch-2", conv: "x1", parent: "y1"}},
		}},
		// §7: "a rewind is one new branch, not a new conversation", also a rewind to the
		// first prompt, which leaves no message for the hashes to link.
		{"first prompt edited in the same session: a new branch of the session's conversation", []step{
			{name: "r1", body: cc(t, u1), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r2", body: cc(t, h2...), answer: answerSSE(t, "Fixed."), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "e1", body: cc(t, user("fix the failing test in app/ instead")), answer: answerSSE(t, "On it."),
				want: expect{rule: RuleSession, kind: KindTurn, branch: "branch-2", conv: "r1"}},
			{name: "e1 again", body: cc(t, user("fix the failing test in app/ instead")), want: expect{rule: RuleSession, kind: KindTurn, branch: "branch-2", conv: "r1"}},
			{name: "e2", body: cc(t, user("fix the failing test in app/ instead"), asMessage("On it."), user("go on")),
				want: expect{rule: RuleContinuation, kind: KindTurn, branch: "branch-2", conv: "r1", parent: "e1"}},
			{name: "f1", body: cc(t, user("never mind, update the docs")), want: expect{rule: RuleSession, kind: KindTurn, branch: "branch-3", conv: "r1"}},
			{name: "other session", session: "session-b", body: cc(t, user("never mind, update the docs")), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
		}},
		// Sub-agent requests carry their session's id: an edited first prompt joins the
		// session's conversation, never the sub-thread that is the session's newest.
		{"first prompt edited while a sub-thread is the session's newest", []step{
			{name: "r1", body: cc(t, user("review the store package")), answer: answerSSE(t, agentCall...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "s1", body: agentReq.body(t, user(prompt)), answer: answerSSE(t, "3 tests"),
				want: expect{rule: RuleSubagent, kind: KindSubagent, branch: MainBranch, agent: "r1", ordinal: 1}},
			{name: "e1", body: cc(t, user("review the app package")), want: expect{rule: RuleSession, kind: KindTurn, branch: "branch-2", conv: "r1"}},
		}},
		// §4, §7: a compaction continues its conversation. When its summary is not found (the
		// answers are not stored, or the compaction is older than CompactionWindow), the
		// session still says which conversation the restart continues.
		{"restart after a compaction whose summary is not found", []step{
			{name: "r1", body: cc(t, u1), answer: answerSSE(t, a1...), want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
			{name: "r2", body: cc(t, h2...), answer: answerSSE(t, "Fixed."), want: expect{rule: RuleContinuation, kind: KindTurn, branch: MainBranch, conv: "r1", parent: "r1"}},
			{name: "restart", body: cc(t, user(continuedMessage(compactAnswer("fix the failing test"))), asMessage("Fixed."), user("go on")),
				want: expect{rule: RuleSession, kind: KindTurn, branch: CompactBranch, conv: "r1", parent: "r2"}},
			{name: "restart in another session", session: "session-b", body: cc(t, user(continuedMessage(compactAnswer("add a tray icon")))),
				want: expect{rule: RuleNew, kind: KindTurn, branch: MainBranch}},
		}},
	} {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, sc.steps) })
	}
}
