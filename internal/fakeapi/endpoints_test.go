package fakeapi_test

import (
	"strings"
	"testing"
)

func TestCountTokens(t *testing.T) {
	srv := start(t)
	body := requestBody(false, strings.Repeat("x", 400))
	resp := do(t, srv, "POST", "/v1/messages/count_tokens?beta=true", body)
	var got map[string]any
	decode(t, resp, &got)
	if resp.StatusCode != 200 || got["input_tokens"] != float64(len(body)/4) {
		t.Errorf("status %d, body %v", resp.StatusCode, got)
	}
}

func TestModels(t *testing.T) {
	srv := start(t)
	resp := do(t, srv, "GET", "/v1/models", "")
	var list map[string]any
	decode(t, resp, &list)
	data := list["data"].([]any)
	if len(data) == 0 || list["has_more"] != false || list["first_id"] != get(data[0], "id") ||
		list["last_id"] != get(data[len(data)-1], "id") || get(data[0], "type") != "model" ||
		get(data[0], "display_name") == nil || get(data[0], "created_at") == nil {
		t.Fatalf("list %v", list)
	}
	id := get(data[0], "id").(string)
	resp = do(t, srv, "GET", "/v1/models/"+id, "")
	var m map[string]any
	decode(t, resp, &m)
	if resp.StatusCode != 200 || m["id"] != id {
		t.Errorf("get %s: %d %v", id, resp.StatusCode, m)
	}
	resp = do(t, srv, "GET", "/v1/models/claude-nope", "")
	decode(t, resp, &m)
	if resp.StatusCode != 404 || get(m, "error", "type") != "not_found_error" {
		t.Errorf("unknown model: %d %v", resp.StatusCode, m)
	}
}

func TestPassThroughLists(t *testing.T) {
	srv := start(t)
	for _, path := range []string{"/v1/messages/batches", "/v1/files?beta=true"} {
		resp := do(t, srv, "GET", path, "")
		var list map[string]any
		decode(t, resp, &list)
		if resp.StatusCode != 200 || len(list["data"].([]any)) != 0 || list["has_more"] != false {
			t.Errorf("%s: %d %v", path, resp.StatusCode, list)
		}
	}
}

func TestUnknownPath(t *testing.T) {
	srv := start(t)
	for _, tc := range [][2]string{{"GET", "/v1/nothing"}, {"GET", "/"}, {"DELETE", "/v1/messages"}} {
		resp := do(t, srv, tc[0], tc[1], "")
		var e map[string]any
		decode(t, resp, &e)
		if resp.StatusCode != 404 || get(e, "error", "type") != "not_found_error" {
			t.Errorf("%v: %d %v", tc, resp.StatusCode, e)
		}
	}
}

func TestTooLarge(t *testing.T) {
	srv := start(t)
	resp := do(t, srv, "POST", "/v1/messages", strings.Repeat("x", 32<<20+1))
	var e map[string]any
	decode(t, resp, &e)
	if resp.StatusCode != 413 || get(e, "error", "type") != "request_too_large" {
		t.Errorf("%d %v", resp.StatusCode, e)
	}
}
