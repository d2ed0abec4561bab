package proxy

import (
	"encoding/json"
	"net/http"
)

// Error types of the Anthropic API, used for the proxy's own errors.
const (
	errInvalidRequest = "invalid_request_error"
	errAuthentication = "authentication_error"
	errPermission     = "permission_error"
	errNotFound       = "not_found_error"
	errTooLarge       = "request_too_large"
	errAPI            = "api_error"
	errTimeout        = "timeout_error"
)

// StatusClientClosed is recorded when the client went away before the answer was complete
// (nginx's convention; never sent, there is nobody to send it to).
const StatusClientClosed = 499

// writeError answers with Anthropic's error shape: {"type":"error","error":{"type","message"}}.
func writeError(w http.ResponseWriter, status int, typ, message string) {
	body, _ := json.Marshal(struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}{Type: "error", Error: struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}{typ, message}})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Nexus-Error", "proxy") // tells users the proxy, not Anthropic, answered
	w.WriteHeader(status)
	w.Write(body)
}
