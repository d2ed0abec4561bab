package fakeapi_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"nexus/internal/fakeapi"
)

// start runs a fake API for the length of the test.
func start(t testing.TB) *fakeapi.Server {
	t.Helper()
	srv, err := fakeapi.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// do sends one request with an API key (unless header sets credentials) and returns the
// response; the caller closes its body.
func do(t testing.TB, srv *fakeapi.Server, method, path, body string, header ...string) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-api-key", "sk-ant-test")
	req.Header.Set("anthropic-version", "2023-06-01")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// message sends POST /v1/messages with a small body that asks to stream or not.
func message(t testing.TB, srv *fakeapi.Server, stream bool, header ...string) (*http.Response, string) {
	t.Helper()
	body := requestBody(stream, "Hi there")
	return do(t, srv, "POST", "/v1/messages?beta=true", body, header...), body
}

func requestBody(stream bool, text string) string {
	b, _ := json.Marshal(map[string]any{
		"model":      "claude-sonnet-4-6",
		"max_tokens": 1024,
		"stream":     stream,
		"messages":   []any{map[string]any{"role": "user", "content": text}},
	})
	return string(b)
}

// readAll reads a body to the end, returning what arrived and the read error.
func readAll(t testing.TB, resp *http.Response) ([]byte, error) {
	t.Helper()
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// decode reads a JSON body into v.
func decode(t testing.TB, resp *http.Response, v any) {
	t.Helper()
	b, err := readAll(t, resp)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
}

// event is one server-sent event with its data parsed.
type event struct {
	name string
	raw  string
	data map[string]any
}

// readEvents parses an event stream to its end, returning the events and the read error
// (nil at a clean end).
func readEvents(t testing.TB, resp *http.Response) ([]event, error) {
	t.Helper()
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<24)
	var evs []event
	var cur event
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.raw = strings.TrimPrefix(line, "data: ")
			if err := json.Unmarshal([]byte(cur.raw), &cur.data); err != nil {
				t.Fatalf("event %s: bad data %q: %v", cur.name, cur.raw, err)
			}
			if cur.data["type"] != cur.name {
				t.Errorf("event %s carries type %v", cur.name, cur.data["type"])
			}
		case line == "":
			if cur.name != "" {
				evs = append(evs, cur)
			}
			cur = event{}
		default:
			t.Fatalf("unexpected line %q", line)
		}
	}
	return evs, sc.Err()
}

func names(evs []event) string {
	var s []string
	for _, e := range evs {
		s = append(s, e.name)
	}
	return strings.Join(s, " ")
}

// usageOf converts a decoded usage object.
func usageOf(t testing.TB, v any) fakeapi.Usage {
	t.Helper()
	b, _ := json.Marshal(v)
	var u fakeapi.Usage
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// deltaTexts concatenates the text (or partial_json) of the deltas of block index.
func deltaTexts(evs []event, index int) (texts []string) {
	for _, e := range evs {
		if e.name != "content_block_delta" || int(e.data["index"].(float64)) != index {
			continue
		}
		d := e.data["delta"].(map[string]any)
		if s, ok := d["text"].(string); ok {
			texts = append(texts, s)
		} else {
			texts = append(texts, d["partial_json"].(string))
		}
	}
	return texts
}

// get digs into decoded JSON: get(m, "a", "b") is m["a"]["b"].
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}
