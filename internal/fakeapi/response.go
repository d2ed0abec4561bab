package fakeapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// jsonResponse is a complete JSON answer: every answer except a successful message.
type jsonResponse struct {
	status int
	body   []byte
	header http.Header   // added to, and overriding, the default headers
	delay  time.Duration // before the headers are sent
}

func (j *jsonResponse) statusCode() int { return j.status }

func (j *jsonResponse) send(w http.ResponseWriter, r *http.Request) {
	if !sleep(r.Context(), j.delay) {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	setHeaders(h, j.header)
	w.WriteHeader(j.status)
	w.Write(j.body) //nolint:errcheck // the client may be gone; nothing to do
}

// jsonOK answers 200 with body, which must already be JSON.
func jsonOK(body []byte) *jsonResponse { return &jsonResponse{status: http.StatusOK, body: body} }

// emptyList is a list page with no items, as /v1/messages/batches and /v1/files answer.
var emptyList = []byte(`{"data":[],"has_more":false,"first_id":null,"last_id":null}`)

// errorTypes maps the statuses the API documents to their error.type; other 4xx statuses
// are invalid_request_error and other 5xx statuses api_error.
var errorTypes = map[int]string{
	400: "invalid_request_error",
	401: "authentication_error",
	402: "billing_error",
	403: "permission_error",
	404: "not_found_error",
	409: "conflict_error",
	413: "request_too_large",
	429: "rate_limit_error",
	500: "api_error",
	504: "timeout_error",
	529: "overloaded_error",
}

// errorMessages holds the default error.message per error.type.
var errorMessages = map[string]string{
	"invalid_request_error": "Invalid request.",
	"authentication_error":  "invalid x-api-key",
	"billing_error":         "Your credit balance is too low.",
	"permission_error":      "Your API key does not have permission to use the specified resource.",
	"not_found_error":       "Not found.",
	"conflict_error":        "Conflict.",
	"request_too_large":     "Request exceeds the maximum allowed number of bytes.",
	"rate_limit_error":      "Number of requests has exceeded your rate limit.",
	"api_error":             "Internal server error.",
	"timeout_error":         "Request timed out.",
	"overloaded_error":      "Overloaded",
}

// ErrorType returns the error.type the fake (and the API) uses for an HTTP status.
func ErrorType(status int) string {
	if t, ok := errorTypes[status]; ok {
		return t
	}
	if status < 500 {
		return "invalid_request_error"
	}
	return "api_error"
}

// apiError builds the official error answer:
// {"type":"error","error":{"type":…,"message":…},"request_id":…}. An empty message takes
// the type's default. 429 carries retry-after: 1.
func apiError(status int, requestID, message string) *jsonResponse {
	return &jsonResponse{status: status, body: errorBody(status, requestID, message), header: errorHeader(status)}
}

func errorBody(status int, requestID, message string) []byte {
	typ := ErrorType(status)
	if message == "" {
		message = errorMessages[typ]
	}
	type detail struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}
	body, _ := json.Marshal(struct {
		Type      string `json:"type"`
		Error     detail `json:"error"`
		RequestID string `json:"request_id"`
	}{"error", detail{typ, message}, requestID})
	return body
}

func errorHeader(status int) http.Header {
	if status == http.StatusTooManyRequests {
		return http.Header{"Retry-After": {"1"}}
	}
	return nil
}

// setHeaders copies extra into h, replacing values of the same name.
func setHeaders(h, extra http.Header) {
	for k, v := range extra {
		h[http.CanonicalHeaderKey(k)] = v
	}
}

// sleep waits d, or less if ctx ends first; it reports whether the full wait happened.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
