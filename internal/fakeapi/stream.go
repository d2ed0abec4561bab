package fakeapi

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Fixed event payloads.
var (
	pingData        = []byte(`{"type":"ping"}`)
	messageStopData = []byte(`{"type":"message_stop"}`)
)

// sendStream writes the answer as the API's event stream: message_start, then per block
// content_block_start (the first followed by ping), content_block_delta…,
// content_block_stop, then message_delta and message_stop. Cutting scenarios end after at
// most cutAfter deltas of the first block.
func (a *answer) sendStream(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	setHeaders(h, a.header)
	w.WriteHeader(http.StatusOK)

	ev := newSSEWriter(w)
	ev.send("message_start", a.startData())
	var q quoter
	for i, b := range a.blocks {
		ev.send("content_block_start", blockStartData(i, b))
		if i == 0 {
			ev.send("ping", pingData)
		}
		sent := 0
		for text := range b.deltas(r.Context()) {
			if a.sc.cuts() && sent == cutAfter {
				break
			}
			if !ev.send("content_block_delta", deltaData(i, b.tool, q.quote(text))) {
				return
			}
			sent++
		}
		if r.Context().Err() != nil || ev.err != nil {
			return
		}
		if a.sc.cuts() {
			a.cut(w, ev)
			return
		}
		ev.send("content_block_stop", blockStopData(i))
	}
	ev.send("message_delta", a.deltaData())
	ev.send("message_stop", messageStopData)
}

// cut ends a midstream_error or drop stream early.
func (a *answer) cut(w http.ResponseWriter, ev *sseWriter) {
	if a.sc.kind == kindMidstreamError {
		ev.send("error", errorBody(529, a.reqID, ""))
		return
	}
	abort(w)
}

func (a *answer) startData() []byte {
	data, _ := json.Marshal(struct {
		Type    string      `json:"type"`
		Message messageWire `json:"message"`
	}{"message_start", messageWire{
		ID: a.id, Type: "message", Role: "assistant", Model: a.model,
		Content: []any{}, Usage: a.usage.AtStart(),
	}})
	return data
}

func (a *answer) deltaData() []byte {
	type delta struct {
		StopReason   string  `json:"stop_reason"`
		StopSequence *string `json:"stop_sequence"`
	}
	data, _ := json.Marshal(struct {
		Type  string     `json:"type"`
		Delta delta      `json:"delta"`
		Usage deltaUsage `json:"usage"`
	}{"message_delta", delta{StopReason: a.stop}, a.usage.delta()})
	return data
}

func blockStartData(index int, b block) []byte {
	var cb any = textWire{Type: "text"}
	if b.tool {
		cb = toolUseWire{"tool_use", b.id, b.name, json.RawMessage("{}")}
	}
	data, _ := json.Marshal(struct {
		Type         string `json:"type"`
		Index        int    `json:"index"`
		ContentBlock any    `json:"content_block"`
	}{"content_block_start", index, cb})
	return data
}

// deltaData renders a text_delta, or for tool_use an input_json_delta; quoted is the
// delta's text as a JSON string.
func deltaData(index int, tool bool, quoted []byte) []byte {
	b := make([]byte, 0, 96+len(quoted))
	b = append(b, `{"type":"content_block_delta","index":`...)
	b = strconv.AppendInt(b, int64(index), 10)
	if tool {
		b = append(b, `,"delta":{"type":"input_json_delta","partial_json":`...)
	} else {
		b = append(b, `,"delta":{"type":"text_delta","text":`...)
	}
	b = append(b, quoted...)
	return append(b, "}}"...)
}

func blockStopData(index int) []byte {
	b := append([]byte(`{"type":"content_block_stop","index":`), strconv.Itoa(index)...)
	return append(b, '}')
}

// quoter JSON-quotes strings, reusing the last result: large answers repeat one chunk.
type quoter struct {
	last   string
	quoted []byte
}

func (q *quoter) quote(s string) []byte {
	if q.quoted == nil || s != q.last {
		q.last = s
		q.quoted, _ = json.Marshal(s)
	}
	return q.quoted
}
