package fakeapi

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ScenarioHeader picks the scenario of one POST /v1/messages request. Without it (and
// without a queued or scripted Reply) the last "scenario:NAME" in the request body counts,
// so clients that cannot set headers can choose through the user text; else "text".
//
// Scenario names:
//
//	text               one text block, stop_reason end_turn (the default)
//	tool_use           a text block, then a tool_use block whose input streams as
//	                   input_json_delta chunks (the first one empty); stop_reason tool_use
//	error:<status>     the official error body for any status 400..599 (error.type per
//	                   ErrorType, e.g. 529 overloaded_error); 429 adds retry-after: 1.
//	                   Streaming requests get the same JSON error: the stream never starts.
//	midstream_error    streams up to two text deltas, then an `error` event with
//	                   overloaded_error, and ends; non-streaming requests get error:529
//	drop               streams up to two text deltas, then closes the connection (no
//	                   message_stop, no terminating chunk); non-streaming requests get
//	                   headers with the full Content-Length and half the body, then the cut
//	paced:<n>:<ms>     n text deltas <ms> milliseconds apart; each delta's text is
//	                   "ts=<send time, Unix ns, 19 digits>\n", see PacedStamp
//	large:<kb>         a text answer of kb KiB, streamed in 1 KiB deltas
//	slow_headers:<ms>  holds the response headers back <ms> milliseconds, then answers as text
const ScenarioHeader = "X-Fake-Scenario"

// kind is the shape of an answer.
type kind int

const (
	kindText kind = iota
	kindToolUse
	kindError
	kindMidstreamError
	kindDrop
	kindPaced
	kindLarge
)

// scenario is a parsed scenario name.
type scenario struct {
	kind   kind
	status int           // kindError
	n      int           // kindPaced: deltas; kindLarge: KiB
	every  time.Duration // kindPaced: gap between deltas
	delay  time.Duration // slow_headers: wait before the headers
}

// cuts reports whether the answer stops early, after at most cutAfter text deltas.
func (sc scenario) cuts() bool { return sc.kind == kindMidstreamError || sc.kind == kindDrop }

const cutAfter = 2

// Upper bounds for scenario numbers, to keep typos from hanging a test for hours.
const (
	maxMillis = 3_600_000
	maxDeltas = 1_000_000
	maxKiB    = 1 << 20
)

// parseScenario parses a scenario name; "" means text.
func parseScenario(name string) (scenario, error) {
	head, rest, hasArgs := strings.Cut(name, ":")
	switch {
	case head == "" || head == "text":
		if !hasArgs {
			return scenario{kind: kindText}, nil
		}
	case head == "tool_use" && !hasArgs:
		return scenario{kind: kindToolUse}, nil
	case head == "midstream_error" && !hasArgs:
		return scenario{kind: kindMidstreamError}, nil
	case head == "drop" && !hasArgs:
		return scenario{kind: kindDrop}, nil
	case head == "error":
		if status, ok := number(rest, 400, 599); ok {
			return scenario{kind: kindError, status: status}, nil
		}
	case head == "paced":
		a, b, _ := strings.Cut(rest, ":")
		n, okN := number(a, 1, maxDeltas)
		ms, okMs := number(b, 0, maxMillis)
		if okN && okMs {
			return scenario{kind: kindPaced, n: n, every: time.Duration(ms) * time.Millisecond}, nil
		}
	case head == "large":
		if kb, ok := number(rest, 1, maxKiB); ok {
			return scenario{kind: kindLarge, n: kb}, nil
		}
	case head == "slow_headers":
		if ms, ok := number(rest, 0, maxMillis); ok {
			return scenario{kind: kindText, delay: time.Duration(ms) * time.Millisecond}, nil
		}
	}
	return scenario{}, fmt.Errorf("unknown scenario %q", name)
}

// number parses a decimal in [lo, hi].
func number(s string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= lo && n <= hi
}

var bodyMarker = []byte("scenario:")

// bodyScenario returns the name after the last "scenario:" in body, or "". A name is made
// of lower-case letters, digits, '_' and ':' (a trailing ':' is dropped).
func bodyScenario(body []byte) string {
	// Forward searches are much faster than bytes.LastIndex on large bodies.
	i := bytes.Index(body, bodyMarker)
	if i < 0 {
		return ""
	}
	for {
		j := bytes.Index(body[i+1:], bodyMarker)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	rest := body[i+len(bodyMarker):]
	end := 0
	for end < len(rest) && isNameByte(rest[end]) {
		end++
	}
	return strings.TrimRight(string(rest[:end]), ":")
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == ':'
}
