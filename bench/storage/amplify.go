package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"nexus/content"
	"nexus/conversation"
	"nexus/store"
)

// ampConfig shapes the session of the amplification measurement.
type ampConfig struct {
	turns       int
	systemSize  int // the system prompt's bytes
	toolsSize   int // the tool list's bytes
	endEvery    int // a turn without a tool call (the user writes again) every endEvery turns
	seed        uint64
	idPrefix    string // request ids are idPrefix and the turn
	verifyEvery int
	// noMessageCache sends no cache_control on messages: what the store would keep if it held
	// the moving mark apart from the message it is on (a what-if, not Claude Code's traffic).
	noMessageCache bool
}

var defaultAmp = ampConfig{turns: 200, systemSize: 18_000, toolsSize: 37_000, endEvery: 12, seed: 1, idPrefix: "r_amp", verifyEvery: 10}

// secondSession is another session of the same shape (its own text, system prompt and tools:
// nothing shared with the first), recorded into the store that holds the first.
func secondSession(cfg ampConfig) ampConfig {
	cfg.seed, cfg.idPrefix = cfg.seed+1, cfg.idPrefix+"2_"
	return cfg
}

// ampResult is what one backend stored for the session.
type ampResult struct {
	backend       string
	requests      int
	fixed         int   // system prompt + tools, sent on every call
	lastBody      int   // the last request body
	naive         int64 // every request and response body, as sent
	onDisk        int64
	onDiskHow     string
	emptyDB       int64 // bytes on disk before the first write (schema, empty tables and indexes)
	blobs         int64 // blob rows
	blobPlain     int64 // their plain bytes
	blobSealed    int64 // their sealed bytes
	nodes         int64
	tables        map[string]int64
	verified      int
	conversations int
	convRequests  int64
	redactions    int
	elapsed       time.Duration
	pieces        map[string]*piece // the blobs sent, by what they hold
	pageUse       [2]int64          // SQLite: payload bytes and unused bytes in the pages (dbstat)
	compacted     int64             // on disk after VACUUM (SQLite) or VACUUM FULL (PostgreSQL): a diagnostic
	whatIf        bool              // cfg.noMessageCache
	second        bool              // a second session, recorded into the store of the first: emptyDB is the store before it
}

// piece sums the blobs of one kind.
type piece struct{ n, plain, sealed int64 }

// pieceKinds are the kinds of blob, in report order.
var pieceKinds = []string{"system", "tools", "template", "earlier messages", "newest message", "responses"}

// tally adds a prepared body's new blobs to res.pieces by kind.
func (res *ampResult) tally(body *store.Body) {
	if res.pieces == nil {
		res.pieces = map[string]*piece{}
		for _, k := range pieceKinds {
			res.pieces[k] = &piece{}
		}
	}
	for _, blob := range body.Blobs {
		kind := "earlier messages"
		switch h := blob.Hash; {
		case bytes.Equal(h, body.System):
			kind = "system"
		case bytes.Equal(h, body.Tools):
			kind = "tools"
		case bytes.Equal(h, body.Template):
			kind = "template"
		case bytes.Equal(h, body.Response):
			kind = "responses"
		case len(body.Messages) > 0 && bytes.Equal(h, body.Messages[len(body.Messages)-1]):
			kind = "newest message"
		}
		p := res.pieces[kind]
		p.n++
		p.plain += int64(blob.Size)
		p.sealed += int64(len(blob.Data))
	}
}

func (r ampResult) ratio() float64      { return float64(r.onDisk) / float64(r.lastBody) }
func (r ampResult) naiveRatio() float64 { return float64(r.naive) / float64(r.lastBody) }

// growthRatio is what the session added to the store ÷ its last request body.
func (r ampResult) growthRatio() float64 { return float64(r.onDisk-r.emptyDB) / float64(r.lastBody) }

// amplify records a Claude Code-shaped session turn by turn, as the recorder does (a start,
// then Bodies.Prepare and a finish, each written alone), and measures what it takes on disk.
func amplify(ctx context.Context, b *backend, cfg ampConfig) (ampResult, error) {
	res := ampResult{backend: b.name, whatIf: cfg.noMessageCache}
	began := time.Now()
	var err error
	if res.emptyDB, _, err = b.onDisk(ctx); err != nil {
		return res, err
	}
	redactor, err := content.NewRedactor(nil)
	if err != nil {
		return res, err
	}
	bodies := content.NewBodies(b.codec, "", redactor)
	prices := conversation.DefaultPrices()

	w := newWords(cfg.seed)
	const model = "claude-opus-4-5-20251101"
	session := "5d9c5a8e-2a63-4a36-9f55-" + w.hexID(12)
	userID := "user_8d2c" + w.hexID(56) + "_account_2bcd5d0d-1f4e-4b6a-9c1d-0a8e7e5b3f21_session_" + session
	system := systemPrompt(w, cfg.systemSize, "/home/dev/nexus", "2026-01-15")
	tools := toolList(w, cfg.toolsSize)
	res.fixed = len(system) + len(tools)

	first := message{Role: "user", Content: []block{
		{Type: "text", Text: "<system-reminder>\nAs you answer the user's questions, you can use the following context:\n" +
			"# claudeMd\nCodebase and user instructions are shown below.\n\n" + w.prose(3000) + "\n</system-reminder>"},
		{Type: "text", Text: w.prose(300)},
	}}
	var history [][]byte
	last := first
	at := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	type sent struct {
		id        string
		req, resp []byte
	}
	var check []sent
	var prevBody int
	for i := range cfg.turns {
		body := requestBody(model, history, last, system, tools, userID, 32000)
		if cfg.noMessageCache {
			body = bytes.Replace(body, render(last, true), render(last, false), 1)
		}
		toolUse := (i+1)%cfg.endEvery != 0 && i != cfg.turns-1
		ans, result := answer(w, 80+w.rng.IntN(500), toolUse, 1000+w.rng.IntN(5000))
		u := usage{Input: int64(1 + w.rng.IntN(9)), CacheRead: int64(prevBody / 4), CacheWrite: int64((len(body) - prevBody) / 4),
			Output: int64(len(render(ans, false)) / 4)}
		resp := sse(w, model, "msg_01"+w.base62(22), ans, u)
		prevBody = len(body)

		r := store.Request{ID: fmt.Sprintf("%s%05d", cfg.idPrefix, i), StartedAt: at, Method: "POST", Path: "/v1/messages",
			Model: model, Stream: true, Kind: "turn", SessionID: session, ClientKeyID: "bench", Account: "bench-max",
			UserAgent: "claude-cli/2.0.14 (external, cli)"}
		if err := b.st.WriteRequests(ctx, []store.RequestOp{{Request: r}}); err != nil {
			return res, fmt.Errorf("start %s: %w", r.ID, err)
		}
		r.Status, r.StopReason, r.MessageID, r.Attempts = 200, "tool_use", "msg_01"+w.base62(22), 1
		r.InputTokens, r.OutputTokens, r.CacheCreationInputTokens, r.CacheReadInputTokens = u.Input, u.Output, u.CacheWrite, u.CacheRead
		r.CacheCreation5m = u.CacheWrite
		r.CostUSD = prices.Cost(model, conversation.Usage{InputTokens: u.Input, OutputTokens: u.Output,
			CacheCreationInputTokens: u.CacheWrite, CacheReadInputTokens: u.CacheRead, CacheCreation5m: u.CacheWrite})
		r.TTFBMs, r.DurationMs = 900+float64(w.rng.IntN(1500)), 4000+float64(w.rng.IntN(30000))
		bodies.Prepare(&r, body, resp)
		if r.Content != "stored" {
			return res, fmt.Errorf("%s: content not stored: %s", r.ID, r.Content)
		}
		if err := b.st.WriteRequests(ctx, []store.RequestOp{{Finish: true, Request: r}}); err != nil {
			return res, fmt.Errorf("finish %s: %w", r.ID, err)
		}
		bodies.Stored(r.Body)
		res.tally(r.Body)
		res.redactions += r.Redactions
		res.requests++
		res.naive += int64(len(body) + len(resp))
		res.lastBody = len(body)
		if i%cfg.verifyEvery == 0 || i == cfg.turns-1 {
			check = append(check, sent{r.ID, body, resp})
		}

		history = append(history, render(last, false), render(ans, false))
		if toolUse {
			last = result
		} else {
			last = prompt(w, 60+w.rng.IntN(400), w.rng.IntN(2) == 0)
		}
		at = at.Add(time.Duration(5+w.rng.IntN(60)) * time.Second)
	}
	res.elapsed = time.Since(began)

	// Every sampled request rebuilds to the bytes sent (nothing here is a secret to redact).
	for _, c := range check {
		d, err := b.st.GetRequest(ctx, c.id)
		if err != nil {
			return res, err
		}
		req, resp, err := content.OpenBodies(b.codec, d)
		if err != nil {
			return res, fmt.Errorf("rebuilding %s: %w", c.id, err)
		}
		if !bytes.Equal(req, c.req) || !bytes.Equal(resp, c.resp) {
			return res, fmt.Errorf("%s does not rebuild exactly (request %d/%d bytes, response %d/%d)", c.id,
				len(req), len(c.req), len(resp), len(c.resp))
		}
		res.verified++
	}
	convs, err := b.st.ListConversations(ctx, store.ConversationFilter{})
	if err != nil {
		return res, err
	}
	res.conversations = len(convs)
	if len(convs) > 0 {
		res.convRequests = convs[0].RequestCount
	}
	if err := b.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(size), 0), coalesce(sum(length(data)), 0) FROM blobs`).
		Scan(&res.blobs, &res.blobPlain, &res.blobSealed); err != nil {
		return res, err
	}
	if err := b.db.QueryRowContext(ctx, `SELECT count(*) FROM nodes`).Scan(&res.nodes); err != nil {
		return res, err
	}
	if res.onDisk, res.onDiskHow, err = b.onDisk(ctx); err != nil {
		return res, err
	}
	res.tables, _ = tableSizes(ctx, b)

	if b.name == "SQLite" {
		b.db.QueryRowContext(ctx, `SELECT sum(payload), sum(unused) FROM dbstat`).Scan(&res.pageUse[0], &res.pageUse[1])
	}
	vacuum := `VACUUM`
	if b.name == "PostgreSQL" {
		vacuum = `VACUUM FULL`
	}
	if _, err := b.db.ExecContext(ctx, vacuum); err != nil {
		return res, err
	}
	res.compacted, _, err = b.onDisk(ctx)
	return res, err
}
