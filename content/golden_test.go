package content

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestGoldenBodies runs the request bodies of captured Claude Code traffic (the
// conversation package's golden corpus) through redaction, Split and Rebuild, and logs how
// much smaller they are stored.
func TestGoldenBodies(t *testing.T) {
	r, _ := NewRedactor(nil)
	c := newTestCodec(t, 1)
	stored := map[string]bool{}
	var n, raw, sealed int
	for _, g := range goldenRequests(t) {
		f := g.file
		body, _ := r.Redact(g.body)
		if !json.Valid(body) {
			t.Fatalf("%s: redaction broke the JSON", f)
		}
		p, ok := Split(body)
		if !ok {
			t.Fatalf("%s: Split refused a Claude Code request", f)
		}
		if !bytes.Equal(Rebuild(p), body) {
			t.Fatalf("%s: Rebuild differs", f)
		}
		for _, piece := range append([][]byte{p.System, p.Tools}, p.Messages...) {
			if id := c.Hash(piece); piece != nil && !stored[string(id)] {
				blob, _ := c.Seal(id, piece)
				stored[string(id)], sealed = true, sealed+len(blob)
			}
		}
		n, raw, sealed = n+1, raw+len(body), sealed+len(p.Template)+16
	}
	if n == 0 {
		t.Skip("no golden corpus in ../conversation/testdata/golden")
	}
	t.Logf("%d captured requests, %d KB as sent, %d KB stored (%.0fx smaller)", n, raw>>10, sealed>>10, float64(raw)/float64(sealed))
}

// goldenRequest is the request body of one captured /v1/messages exchange, and its answer.
type goldenRequest struct {
	file     string
	body     []byte
	response []byte
}

// goldenRequests reads the request bodies of the conversation package's golden corpus of
// captured Claude Code traffic.
func goldenRequests(t *testing.T) []goldenRequest {
	t.Helper()
	files, _ := filepath.Glob("../conversation/testdata/golden/*/*.json")
	var out []goldenRequest
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ex struct {
			Path     string          `json:"path"`
			Request  json.RawMessage `json:"request"`
			Response string          `json:"response"`
		}
		if json.Unmarshal(b, &ex) != nil || ex.Path != "/v1/messages" || len(ex.Request) == 0 {
			continue
		}
		out = append(out, goldenRequest{f, ex.Request, []byte(ex.Response)})
	}
	return out
}
