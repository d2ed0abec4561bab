package fakeapi

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// defaultModel answers requests that name no model.
const defaultModel = "claude-sonnet-4-5"

// messages decides the answer to POST /v1/messages: a JSON error, or an answer.
func (s *Server) messages(r *http.Request, body []byte, n int64, rec *Received) response {
	req, ok := scanMessage(body)
	if !ok {
		return apiError(http.StatusBadRequest, rec.RequestID, "fakeapi: body is not a JSON object")
	}
	rep := s.nextReply(r, body)
	name := cmp.Or(rep.Scenario, r.Header.Get(ScenarioHeader), bodyScenario(body))
	rec.Scenario = name
	sc, err := parseScenario(name)
	if err != nil {
		return apiError(http.StatusBadRequest, rec.RequestID, "fakeapi: "+err.Error())
	}
	if sc.kind == kindMidstreamError && !req.Stream {
		sc = scenario{kind: kindError, status: 529}
	}
	if sc.kind == kindError {
		e := apiError(sc.status, rec.RequestID, "")
		e.delay = rep.Delay
		if rep.Header != nil {
			if e.header == nil {
				e.header = http.Header{}
			}
			setHeaders(e.header, rep.Header)
		}
		return e
	}

	blocks, stop := content(sc, cmp.Or(rep.Text, defaultText), fmt.Sprintf("toolu_fake%016x", n))
	final := usageFor(len(body), outputBytes(blocks))
	if rep.Usage != nil {
		final = *rep.Usage
	}
	rec.Usage = sc.reported(final)
	return &answer{
		id:     fmt.Sprintf("msg_fake%016x", n),
		reqID:  rec.RequestID,
		model:  cmp.Or(req.Model, defaultModel),
		stream: req.Stream,
		sc:     sc,
		blocks: blocks,
		stop:   stop,
		usage:  final,
		header: rep.Header,
		delay:  sc.delay + rep.Delay,
	}
}

// answer is a successful (200) message answer, streamed or not.
type answer struct {
	id, reqID, model string
	stream           bool
	sc               scenario
	blocks           []block
	stop             string // stop_reason
	usage            Usage  // final usage
	header           http.Header
	delay            time.Duration
}

func (a *answer) statusCode() int { return http.StatusOK }

func (a *answer) send(w http.ResponseWriter, r *http.Request) {
	if !sleep(r.Context(), a.delay) {
		return
	}
	if a.stream {
		a.sendStream(w, r)
		return
	}
	body, ok := a.messageJSON(r)
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	setHeaders(h, a.header)
	if a.sc.kind == kindDrop {
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2]) //nolint:errcheck // cut anyway
		abort(w)
		return
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body) //nolint:errcheck // the client may be gone; nothing to do
}

// Wire shapes of a message.
type (
	messageWire struct {
		ID           string  `json:"id"`
		Type         string  `json:"type"`
		Role         string  `json:"role"`
		Model        string  `json:"model"`
		Content      []any   `json:"content"`
		StopReason   *string `json:"stop_reason"`
		StopSequence *string `json:"stop_sequence"`
		Usage        Usage   `json:"usage"`
	}
	textWire struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	toolUseWire struct {
		Type  string          `json:"type"`
		ID    string          `json:"id"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
	}
)

// messageJSON renders the non-streaming answer. Paced blocks take their time here; ok is
// false if the client left meanwhile.
func (a *answer) messageJSON(r *http.Request) (body []byte, ok bool) {
	msg := messageWire{
		ID: a.id, Type: "message", Role: "assistant", Model: a.model,
		Content: make([]any, 0, len(a.blocks)), StopReason: &a.stop, Usage: a.usage,
	}
	for _, b := range a.blocks {
		var text []byte
		for d := range b.deltas(r.Context()) {
			text = append(text, d...)
		}
		if b.tool {
			msg.Content = append(msg.Content, toolUseWire{"tool_use", b.id, b.name, text})
		} else {
			msg.Content = append(msg.Content, textWire{"text", string(text)})
		}
	}
	if r.Context().Err() != nil {
		return nil, false
	}
	body, err := json.Marshal(msg)
	return body, err == nil
}

// abort cuts the connection under w without finishing the response, as a dropped upstream
// connection would: what was written so far is flushed, then the socket closes.
func abort(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	if conn, _, err := rc.Hijack(); err == nil {
		conn.Close()
		return
	}
	panic(http.ErrAbortHandler) // HTTP/2 and other writers that cannot hijack
}

// countTokens answers POST /v1/messages/count_tokens with input_tokens = len(body)/4.
func countTokens(body []byte, requestID string) response {
	if _, ok := scanMessage(body); !ok {
		return apiError(http.StatusBadRequest, requestID, "fakeapi: body is not a JSON object")
	}
	return jsonOK(fmt.Appendf(nil, `{"input_tokens":%d}`, len(body)/4))
}
