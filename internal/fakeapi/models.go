package fakeapi

import (
	"encoding/json"
	"net/http"
)

// modelInfo is one entry of GET /v1/models.
type modelInfo struct {
	Type           string `json:"type"` // "model"
	ID             string `json:"id"`
	DisplayName    string `json:"display_name"`
	CreatedAt      string `json:"created_at"` // RFC 3339
	MaxInputTokens int64  `json:"max_input_tokens"`
	MaxTokens      int64  `json:"max_tokens"`
}

// catalog is the fake's model catalog, newest first, as GET /v1/models lists it.
var catalog = []modelInfo{
	{"model", "claude-opus-4-6", "Claude Opus 4.6", "2026-02-05T00:00:00Z", 200000, 128000},
	{"model", "claude-sonnet-4-6", "Claude Sonnet 4.6", "2026-02-17T00:00:00Z", 200000, 64000},
	{"model", "claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-24T00:00:00Z", 200000, 64000},
	{"model", "claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15T00:00:00Z", 200000, 64000},
	{"model", "claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z", 200000, 64000},
}

// modelCatalog pre-marshals the GET /v1/models answer: one page, has_more false.
func modelCatalog() []byte {
	body, _ := json.Marshal(struct {
		Data    []modelInfo `json:"data"`
		HasMore bool        `json:"has_more"`
		FirstID string      `json:"first_id"`
		LastID  string      `json:"last_id"`
	}{catalog, false, catalog[0].ID, catalog[len(catalog)-1].ID})
	return body
}

// model answers GET /v1/models/{id}: the catalog entry, or 404 not_found_error.
func model(id, requestID string) response {
	for _, m := range catalog {
		if m.ID == id {
			body, _ := json.Marshal(m)
			return jsonOK(body)
		}
	}
	return apiError(http.StatusNotFound, requestID, "model: "+id)
}
