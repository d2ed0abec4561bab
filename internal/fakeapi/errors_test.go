package fakeapi_test

import (
	"strconv"
	"testing"

	"nexus/internal/fakeapi"
)

func TestErrorScenarios(t *testing.T) {
	srv := start(t)
	for status, typ := range map[int]string{
		400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
		404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error",
		500: "api_error", 503: "api_error", 529: "overloaded_error",
	} {
		for _, stream := range []bool{false, true} {
			resp, _ := message(t, srv, stream, fakeapi.ScenarioHeader, "error:"+strconv.Itoa(status))
			var body map[string]any
			decode(t, resp, &body)
			if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("error:%d: status %d, content-type %q", status, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if body["type"] != "error" || get(body, "error", "type") != typ || get(body, "error", "message") == "" ||
				body["request_id"] != resp.Header.Get("request-id") {
				t.Errorf("error:%d: body %v", status, body)
			}
			if got, want := resp.Header.Get("retry-after"), map[bool]string{true: "1"}[status == 429]; got != want {
				t.Errorf("error:%d: retry-after %q", status, got)
			}
			if resp.Header.Get("anthropic-ratelimit-requests-limit") == "" {
				t.Errorf("error:%d: no rate-limit headers", status)
			}
		}
	}
	for _, r := range srv.Requests() {
		if r.Usage != (fakeapi.Usage{}) {
			t.Errorf("%s: usage %+v", r.Scenario, r.Usage)
		}
	}
}
