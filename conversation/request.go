package conversation

import (
	"encoding/json"
	"strings"
)

// RequestMeta is what the recorder needs from a Messages API request body.
type RequestMeta struct {
	Model  string
	Stream bool
	// SessionID comes from metadata.user_id: Claude Code sends either a JSON object with
	// session_id or a string like "user_…_account_…_session_<uuid>".
	SessionID string
}

// ReadRequestMeta extracts RequestMeta from a request body; anything unreadable is left empty.
func ReadRequestMeta(body []byte) RequestMeta {
	var req struct {
		Model    string `json:"model"`
		Stream   bool   `json:"stream"`
		Metadata struct {
			UserID json.RawMessage `json:"user_id"`
		} `json:"metadata"`
	}
	if json.Unmarshal(body, &req) != nil {
		return RequestMeta{}
	}
	return RequestMeta{Model: req.Model, Stream: req.Stream, SessionID: sessionFromUserID(req.Metadata.UserID)}
}

func sessionFromUserID(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var obj struct {
		SessionID string `json:"session_id"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.SessionID != "" {
		return obj.SessionID
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	if json.Unmarshal([]byte(s), &obj) == nil && obj.SessionID != "" {
		return obj.SessionID
	}
	if _, after, ok := strings.Cut(s, "_session_"); ok {
		return after
	}
	return ""
}
