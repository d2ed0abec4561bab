package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"nexus/content"
	"nexus/conversation"
	"nexus/store"
)

// The scale measurement: requests in requests/50 Claude Code sessions over 30 days, recorded
// with small real bodies through the recorder's path (Bodies.Prepare: redaction, linking
// keys, split and sealed pieces), written in the recorder's batches, then the window's queries.

type scaleConfig struct {
	requests   int
	runs       int
	seed       uint64
	cpuProfile string
	pragma     string // SQLite only: an experiment, see applyPragma
}

const (
	span      = 30 * 24 * time.Hour
	batchOps  = 512 // the recorder's maxBatch
	perConv   = 50  // requests per conversation on average
	toolsSize = 2400
)

var (
	scaleStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	scaleEnd   = scaleStart.Add(span)
)

// Kinds of planned request.
const (
	kTool = iota // a turn answered with a tool call
	kEnd         // a turn answered with text only: the user writes next
	kAux         // Claude Code's session-title side call (Haiku)
	kErr         // a failed attempt (529, 500, 429 or no answer), retried by the next turn
)

var (
	models   = []weighted{{"claude-opus-4-5-20251101", 58}, {"claude-sonnet-4-5-20250929", 39}, {"claude-haiku-4-5-20251001", 3}}
	accounts = []weighted{{"max-alice", 40}, {"max-team", 30}, {"api-prod", 25}, {"api-ci", 5}}
	failures = []struct {
		status     int
		kind, body string
	}{
		{529, "overloaded_error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`},
		{529, "overloaded_error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`},
		{500, "api_error", `{"type":"error","error":{"type":"api_error","message":"Internal server error"}}`},
		{429, "rate_limit_error", `{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed your account's rate limit. Please try again later."}}`},
		{0, "connection", ""},
	}
)

const (
	sonnet = "claude-sonnet-4-5-20250929"
	haiku  = "claude-haiku-4-5-20251001"
)

type weighted struct {
	name   string
	weight int
}

func pick(rng *rand.Rand, ws []weighted) string {
	total := 0
	for _, w := range ws {
		total += w.weight
	}
	n := rng.IntN(total)
	for _, w := range ws {
		if n < w.weight {
			return w.name
		}
		n -= w.weight
	}
	return ws[0].name
}

// planned is one request of the plan: when it starts (ms after scaleStart), how long it takes,
// its conversation and kind (errors: kErr + index in errors).
type planned struct {
	at   int64
	dur  int32
	conv int32
	kind uint8
}

// convPlan is a conversation's fixed traits.
type convPlan struct {
	first   int32 // index of its first request in the plan
	n       int32
	client  uint8
	account string
	model   string
}

// makePlan lays out requests in conversations: each a session of Claude Code with a title
// side call, tool loops, the user writing again now and then, and a few failed attempts.
func makePlan(requests int, seed uint64) ([]planned, []convPlan) {
	nConv := max(requests/perConv, 1)
	plan := make([]planned, 0, requests)
	convs := make([]convPlan, nConv)
	rng := rand.New(rand.NewPCG(seed, 0x706c616e))
	sizes := make([]int, nConv)
	left := requests
	for c := range nConv {
		switch {
		case c == nConv-1:
			sizes[c] = left
		case c%2 == 0 && c+1 < nConv-1:
			d := rng.IntN(2*perConv - 19) // 10…90 requests, in pairs summing to 100
			sizes[c], sizes[c+1] = 10+d, 2*perConv-10-d
		case c%2 == 0:
			sizes[c] = perConv
		}
		left -= sizes[c]
	}
	for c := range nConv {
		n := sizes[c]
		cp := convPlan{first: int32(len(plan)), n: int32(n), client: uint8(rng.IntN(25)),
			account: pick(rng, accounts), model: pick(rng, models)}
		convs[c] = cp
		kinds := make([]uint8, n)
		kinds[0] = kAux
		for k := 1; k < n; k++ {
			switch {
			case k == n-1 || rng.IntN(10) == 0:
				kinds[k] = kEnd
			case rng.IntN(40) == 0:
				kinds[k] = kErr + uint8(rng.IntN(len(failures)))
			default:
				kinds[k] = kTool
			}
		}
		if n == 1 {
			kinds[0] = kEnd
		}
		// Times relative to the session's start; then the session is placed in the 30 days.
		rel := make([]planned, n)
		cur := int64(0)
		for k := range n {
			p := planned{conv: int32(c), kind: kinds[k]}
			switch kind := kinds[k]; {
			case kind == kAux && n > 1:
				p.at, p.dur = 300, int32(800+rng.IntN(1700))
			case kind >= kErr:
				p.at, p.dur = cur, int32(200+rng.IntN(2800))
				cur += int64(p.dur) + int64(1000+rng.IntN(4000))
			default:
				p.at, p.dur = cur, int32(2000+rng.IntN(38000))
				cur += int64(p.dur)
				if kind == kTool {
					cur += int64(300 + rng.IntN(20_000))
				} else {
					cur += int64(20_000 + rng.IntN(15*60_000))
				}
			}
			rel[k] = p
		}
		offset := rng.Int64N(span.Milliseconds() - cur - 60_000)
		for _, p := range rel {
			p.at += offset
			plan = append(plan, p)
		}
	}
	return plan, convs
}

// opRef is a start or finish of a planned request, in time order.
type opRef struct {
	t      int64
	i      int32
	finish bool
}

// convState is a conversation being generated: its text so far.
type convState struct {
	w           *words
	session     string
	userID      string
	system      []byte
	history     [][]byte
	last        message
	firstPrompt string
	prevBody    int
	left        int32 // finishes still to come
}

type scaleResult struct {
	backend       string
	requests      int
	conversations int
	ops           int
	batches       int
	wall          time.Duration // first write to last
	busy          time.Duration // inside WriteRequests
	prepare       time.Duration // generating bodies and Bodies.Prepare (on the producer goroutine)
	windows       []float64     // requests/s over ten equal parts of the run
	blobsSent     int64
	blobRows      int64
	bodyBytes     int64 // request + response bodies as sent
	onDisk        int64
	onDiskHow     string
	storedConvs   int64
	unlinked      int64 // successful requests without a conversation
	splitSessions int64 // sessions whose successful requests landed in more than one conversation
	queries       []queryResult
	pragma        string
}

func (r scaleResult) rate() float64      { return float64(r.requests) / r.wall.Seconds() }
func (r scaleResult) storeRate() float64 { return float64(r.requests) / r.busy.Seconds() }

func scale(ctx context.Context, b *backend, cfg scaleConfig) (scaleResult, error) {
	res := scaleResult{backend: b.name, requests: cfg.requests}
	if cfg.pragma != "" && b.name == "SQLite" {
		if err := applyPragma(ctx, b, cfg.pragma); err != nil {
			return res, err
		}
		res.pragma = cfg.pragma
	}
	log.Printf("%s: scale: planning %d requests", b.name, cfg.requests)
	plan, convs := makePlan(cfg.requests, cfg.seed)
	res.conversations = len(convs)
	ops := make([]opRef, 0, 2*len(plan))
	for i, p := range plan {
		ops = append(ops, opRef{t: p.at, i: int32(i)}, opRef{t: p.at + int64(p.dur), i: int32(i), finish: true})
	}
	sort.Slice(ops, func(a, c int) bool {
		if ops[a].t != ops[c].t {
			return ops[a].t < ops[c].t
		}
		return ops[a].i < ops[c].i
	})
	res.ops = len(ops)

	type batch struct {
		ops      []store.RequestOp
		requests int // finishes in it
	}
	batches := make(chan batch, 1)
	prodErr := make(chan error, 1)
	redactor, err := content.NewRedactor(nil)
	if err != nil {
		return res, err
	}
	bodies := content.NewBodies(b.codec, "", redactor)
	prices := conversation.DefaultPrices()
	base := newWords(cfg.seed)
	tools := toolList(base.fork(1), toolsSize)
	sysIntro := base.fork(2).prose(1100)

	// The producer: what the proxy's goroutines and the recorder's Finish do, in time order.
	go func() {
		defer close(batches)
		began := time.Now()
		var blocked time.Duration // waiting for the writer
		defer func() { res.prepare = time.Since(began) - blocked }()
		ids := make([]int32, len(plan))
		seq := int32(0)
		states := map[int32]*convState{}
		var cur []store.RequestOp
		finishes := 0
		flush := func() {
			// As the recorder does: a request started and finished in the batch is written once.
			done := map[string]bool{}
			for _, op := range cur {
				if op.Finish {
					done[op.Request.ID] = true
				}
			}
			out := make([]store.RequestOp, 0, len(cur))
			for _, op := range cur {
				if !op.Finish && done[op.Request.ID] {
					continue
				}
				out = append(out, op)
			}
			t := time.Now()
			select {
			case batches <- batch{out, finishes}:
			case <-ctx.Done():
			}
			blocked += time.Since(t)
			cur, finishes = nil, 0
		}
		for _, o := range ops {
			if ctx.Err() != nil {
				prodErr <- ctx.Err()
				return
			}
			p := plan[o.i]
			cp := convs[p.conv]
			st := states[p.conv]
			if st == nil {
				w := base.fork(uint64(p.conv) + 1000)
				st = &convState{w: w, session: uuid(w), left: cp.n}
				st.userID = "user_" + w.hexID(64) + "_account_" + uuid(w) + "_session_" + st.session
				st.system = []byte(string(marshal([]block{
					{Type: "text", Text: "x-anthropic-billing-header: cc_version=2.0.14.a3f; cc_entrypoint=cli"},
					{Type: "text", Text: "You are Claude Code, Anthropic's official CLI for Claude.", CacheControl: ephemeral},
					{Type: "text", Text: sysIntro + fmt.Sprintf("\n<env>\nWorking directory: /home/dev/%s\nToday's date: %s\n</env>\ngitStatus: M %s",
						w.ident(), scaleStart.Add(time.Duration(p.at)*time.Millisecond).Format("2006-01-02"), w.path()), CacheControl: ephemeral},
				})))
				st.last = prompt(w, 40+w.rng.IntN(220), true)
				st.firstPrompt = st.last.Content[len(st.last.Content)-1].Text
				states[p.conv] = st
			}
			r := store.Request{Method: "POST", Path: "/v1/messages", Model: cp.model, Stream: true, Kind: "turn",
				SessionID: st.session, ClientKeyID: fmt.Sprintf("key_%02d", cp.client), Account: cp.account,
				UserAgent: "claude-cli/2.0.14 (external, cli)",
				StartedAt: scaleStart.Add(time.Duration(p.at) * time.Millisecond)}
			if p.kind == kAux {
				r.Model = haiku
			}
			if !o.finish {
				ids[o.i] = seq
				seq++
				r.ID = fmt.Sprintf("r_%08d", ids[o.i])
				cur = append(cur, store.RequestOp{Request: r})
			} else {
				r.ID = fmt.Sprintf("r_%08d", ids[o.i])
				finishRequest(st, &r, p, tools, prices, bodies, &res)
				// In real time a session's next request comes seconds after this one, and the
				// recorder writes within ~20 ms: by then Bodies knows these pieces are stored.
				// Compressing 30 days into minutes would put a session's requests in one batch
				// and have each carry its whole history again; this keeps real time's order. The
				// batch writes this request before any later one of its session, in order, so
				// the store still finds every piece.
				bodies.Stored(r.Body)
				cur = append(cur, store.RequestOp{Finish: true, Request: r})
				finishes++
				if st.left--; st.left == 0 {
					delete(states, p.conv)
				}
			}
			if len(cur) == batchOps {
				flush()
			}
		}
		if len(cur) > 0 {
			flush()
		}
		prodErr <- nil
	}()

	stopProfile := startProfile(cfg.cpuProfile)
	var first time.Time
	written := 0
	marks := []time.Time{}
	marked := []int{}
	nextLog := 50_000
	for bt := range batches {
		t0 := time.Now()
		if first.IsZero() {
			first = t0
		}
		if err := b.st.WriteRequests(ctx, bt.ops); err != nil {
			stopProfile()
			return res, fmt.Errorf("writing a batch: %w", err)
		}
		t1 := time.Now()
		res.busy += t1.Sub(t0)
		for _, op := range bt.ops {
			if op.Finish {
				bodies.Stored(op.Request.Body)
			}
		}
		res.batches++
		written += bt.requests
		marks, marked = append(marks, t1), append(marked, written)
		if written >= nextLog {
			log.Printf("%s: %d requests written, %.0f/s", b.name, written, float64(written)/t1.Sub(first).Seconds())
			nextLog += 50_000
		}
	}
	stopProfile()
	if err := <-prodErr; err != nil {
		return res, err
	}
	res.wall = marks[len(marks)-1].Sub(first)
	// Rates over ten equal parts of the requests.
	prevT, prevN := first, 0
	for k := 1; k <= 10; k++ {
		target := written * k / 10
		j := sort.SearchInts(marked, target)
		if j >= len(marked) {
			j = len(marked) - 1
		}
		if d := marks[j].Sub(prevT).Seconds(); d > 0 {
			res.windows = append(res.windows, float64(marked[j]-prevN)/d)
		}
		prevT, prevN = marks[j], marked[j]
	}
	log.Printf("%s: ingest %d requests in %s: %.0f/s (store busy %s); by tenths: %.0f", b.name, written,
		res.wall.Round(time.Millisecond), res.rate(), res.busy.Round(time.Millisecond), res.windows)

	if err := checkScale(ctx, b, &res); err != nil {
		return res, err
	}
	if b.name == "PostgreSQL" {
		// What autovacuum's analyze does on its own after a bulk load; done now so that the
		// plans measured are the ones a running server would use.
		if _, err := b.db.ExecContext(ctx, `ANALYZE`); err != nil {
			return res, err
		}
	}
	share := func(match func(planned) bool) float64 {
		n := 0
		for _, p := range plan {
			if match(p) {
				n++
			}
		}
		return 100 * float64(n) / float64(len(plan))
	}
	modelOf := func(p planned) string {
		if p.kind == kAux {
			return haiku
		}
		return convs[p.conv].model
	}
	shares := map[string]float64{
		"sonnet": share(func(p planned) bool { return modelOf(p) == sonnet }),
		"haiku":  share(func(p planned) bool { return modelOf(p) == haiku }),
		"api-ci": share(func(p planned) bool { return convs[p.conv].account == "api-ci" }),
		"errors": share(func(p planned) bool { return p.kind >= kErr }),
	}
	qs, err := runQueries(ctx, b, cfg.runs, shares)
	if err != nil {
		return res, err
	}
	res.queries = qs
	return res, nil
}

// finishRequest fills a finishing request: its bodies generated from the conversation so
// far, its outcome and usage, then Bodies.Prepare as the recorder's Finish does.
func finishRequest(st *convState, r *store.Request, p planned, tools []byte, prices conversation.PriceTable,
	bodies *content.Bodies, res *scaleResult) {
	w := st.w
	r.Attempts = 1
	r.TTFBMs, r.DurationMs = 500+float64(w.rng.IntN(2500)), float64(p.dur)
	r.HeadersJSON = `{"anthropic-ratelimit-unified-status":"allowed","anthropic-ratelimit-unified-reset":"1767254400","request-id":"req_011C` + w.base62(20) + `"}`
	var req, resp []byte
	var u usage
	switch {
	case p.kind == kAux:
		req = marshal(map[string]any{"model": haiku, "max_tokens": 512, "messages": []message{{Role: "user",
			Content: []block{{Type: "text", Text: st.firstPrompt}}}},
			"system":   []block{{Type: "text", Text: "Generate a concise, sentence-case title (3-7 words) that captures the main topic or goal of this coding session. Return JSON with a single \"title\" field."}},
			"metadata": map[string]string{"user_id": st.userID}, "stream": false})
		u = usage{Input: int64(len(req) / 4), Output: 12}
		resp = marshal(map[string]any{"id": "msg_01" + w.base62(22), "type": "message", "role": "assistant", "model": haiku,
			"content": []block{{Type: "text", Text: `{"title": "` + w.prose(30) + `"}`}}, "stop_reason": "end_turn",
			"stop_sequence": nil, "usage": map[string]int64{"input_tokens": u.Input, "output_tokens": u.Output}})
		r.Stream, r.Status, r.StopReason = false, 200, "end_turn"
	case p.kind >= kErr:
		e := failures[p.kind-kErr]
		req = requestBody(r.Model, st.history, st.last, st.system, tools, st.userID, 32000)
		r.Status, r.ErrorType = e.status, e.kind
		if e.body != "" {
			resp = []byte(e.body)
			r.Error = e.kind
		} else {
			r.Error = "upstream: read tcp 127.0.0.1:41234->160.79.104.10:443: read: connection reset by peer"
		}
	default:
		req = requestBody(r.Model, st.history, st.last, st.system, tools, st.userID, 32000)
		toolUse := p.kind == kTool
		ans, result := answer(w, 30+w.rng.IntN(200), toolUse, 100+w.rng.IntN(500))
		u = usage{Input: int64(1 + w.rng.IntN(9)), CacheRead: int64(st.prevBody / 4),
			CacheWrite: int64(max(len(req)-st.prevBody, 0) / 4), Output: int64(len(render(ans, false)) / 4)}
		r.MessageID = "msg_01" + w.base62(22)
		resp = sse(w, r.Model, r.MessageID, ans, u)
		r.Status, r.StopReason = 200, map[bool]string{true: "tool_use", false: "end_turn"}[toolUse]
		st.prevBody = len(req)
		st.history = append(st.history, render(st.last, false), render(ans, false))
		if toolUse {
			st.last = result
		} else {
			st.last = prompt(w, 30+w.rng.IntN(220), w.rng.IntN(4) == 0)
		}
	}
	r.InputTokens, r.OutputTokens, r.CacheCreationInputTokens, r.CacheReadInputTokens = u.Input, u.Output, u.CacheWrite, u.CacheRead
	r.CacheCreation5m = u.CacheWrite
	r.CostUSD = prices.Cost(r.Model, conversation.Usage{InputTokens: u.Input, OutputTokens: u.Output,
		CacheCreationInputTokens: u.CacheWrite, CacheReadInputTokens: u.CacheRead, CacheCreation5m: u.CacheWrite})
	bodies.Prepare(r, req, resp)
	res.bodyBytes += int64(len(req) + len(resp))
	if r.Body != nil {
		res.blobsSent += int64(len(r.Body.Blobs))
	}
}

func uuid(w *words) string {
	h := w.hexID(32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

// checkScale confirms what was written: every request, conversations formed, sizes.
func checkScale(ctx context.Context, b *backend, res *scaleResult) error {
	n, err := b.st.CountRequests(ctx)
	if err != nil {
		return err
	}
	if n != int64(res.requests) {
		return fmt.Errorf("%d requests in the store, %d written", n, res.requests)
	}
	row := func(q string, dst *int64) error { return b.db.QueryRowContext(ctx, q).Scan(dst) }
	if err := row(`SELECT count(*) FROM conversations`, &res.storedConvs); err != nil {
		return err
	}
	if err := row(`SELECT count(*) FROM requests WHERE status = 200 AND conversation_id = ''`, &res.unlinked); err != nil {
		return err
	}
	if err := row(`SELECT count(*) FROM (SELECT session_id FROM requests WHERE status = 200 GROUP BY session_id
		HAVING count(DISTINCT conversation_id) > 1) s`, &res.splitSessions); err != nil {
		return err
	}
	if err := row(`SELECT count(*) FROM blobs`, &res.blobRows); err != nil {
		return err
	}
	res.onDisk, res.onDiskHow, err = b.onDisk(ctx)
	return err
}

type queryResult struct {
	name, target  string
	limit         time.Duration // 0: no target
	rows          int
	p50, p95, max time.Duration
}

func (q queryResult) met() string {
	switch {
	case q.limit == 0:
		return "–"
	case q.p95 <= q.limit:
		return "yes"
	}
	return "**no**"
}

// runQueries times the window's queries: a few warm-up runs, then runs timed runs each.
func runQueries(ctx context.Context, b *backend, runs int, shares map[string]float64) ([]queryResult, error) {
	newest, err := b.st.ListRequests(ctx, store.RequestFilter{Limit: 1, Status: 200})
	if err != nil || len(newest) == 0 {
		return nil, fmt.Errorf("no request to read back: %v", err)
	}
	page := 50 * time.Millisecond
	cases := []struct {
		name  string
		limit time.Duration
		run   func() (int, error)
	}{
		{"conversations, first page (50)", page, func() (int, error) {
			c, err := b.st.ListConversations(ctx, store.ConversationFilter{Limit: 50})
			return len(c), err
		}},
		{"conversations, model = Sonnet", 0, func() (int, error) {
			c, err := b.st.ListConversations(ctx, store.ConversationFilter{Limit: 50, Model: sonnet})
			return len(c), err
		}},
		{"requests, first page, no filter", 0, func() (int, error) {
			r, err := b.st.ListRequests(ctx, store.RequestFilter{Limit: 50})
			return len(r), err
		}},
		{fmt.Sprintf("requests, model = Sonnet (%.1f %%)", shares["sonnet"]), page, func() (int, error) {
			r, err := b.st.ListRequests(ctx, store.RequestFilter{Limit: 50, Model: sonnet})
			return len(r), err
		}},
		{fmt.Sprintf("requests, model = Haiku (%.1f %%)", shares["haiku"]), page, func() (int, error) {
			r, err := b.st.ListRequests(ctx, store.RequestFilter{Limit: 50, Model: haiku})
			return len(r), err
		}},
		{fmt.Sprintf("requests, account = api-ci (%.1f %%)", shares["api-ci"]), page, func() (int, error) {
			r, err := b.st.ListRequests(ctx, store.RequestFilter{Limit: 50, Account: "api-ci"})
			return len(r), err
		}},
		{fmt.Sprintf("requests, status = -1 (errors, %.1f %%)", shares["errors"]), page, func() (int, error) {
			r, err := b.st.ListRequests(ctx, store.RequestFilter{Limit: 50, Status: -1})
			return len(r), err
		}},
		{"usage, 30 days by day", 200 * time.Millisecond, func() (int, error) {
			u, err := b.st.Usage(ctx, store.UsageQuery{From: scaleEnd.Add(-span), To: scaleEnd, Bucket: "day"})
			return len(u), err
		}},
		{"request count (Home view)", 0, func() (int, error) {
			_, err := b.st.CountRequests(ctx)
			return 1, err
		}},
		{"request detail + rebuild (newest)", 0, func() (int, error) {
			d, err := b.st.GetRequest(ctx, newest[0].ID)
			if err != nil {
				return 0, err
			}
			_, _, err = content.OpenBodies(b.codec, d)
			return len(d.Messages), err
		}},
	}
	var out []queryResult
	for _, c := range cases {
		q := queryResult{name: c.name, limit: c.limit}
		if c.limit > 0 {
			q.target = fmt.Sprintf("p95 ≤ %d ms", c.limit.Milliseconds())
		}
		var times []time.Duration
		for i := range runs + 3 {
			t0 := time.Now()
			n, err := c.run()
			d := time.Since(t0)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.name, err)
			}
			q.rows = n
			if i >= 3 {
				times = append(times, d)
			}
		}
		slices.Sort(times)
		q.p50, q.p95, q.max = pct(times, 50), pct(times, 95), times[len(times)-1]
		log.Printf("%s: %-40s p50 %7.2f ms  p95 %7.2f ms  (%d rows)", b.name, c.name, ms(q.p50), ms(q.p95), q.rows)
		out = append(out, q)
	}
	return out, nil
}

// pct is the nearest-rank percentile of sorted.
func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
