package content

import (
	"encoding/json"
	"sync"

	"nexus/conversation"
	"nexus/store"
)

// Bodies turns a finished record's bodies into what the store keeps: secrets redacted, the
// linking keys, and — when bodies are stored — the request cut into content-addressed
// pieces, each sealed. It runs on the proxy's recording goroutine, off the response path.
type Bodies struct {
	codec    *Codec // nil: bodies are not stored
	why      string // the content note when they are not
	redactor *Redactor
	pieces   *pieceCache

	mu sync.Mutex // guards known and older
	// known holds the hashes of blobs remembered as stored; older, the generation before it.
	// When known is full it becomes older, so a session's blobs are not all forgotten at once.
	known, older map[string]struct{}
}

// maxKnown bounds each generation of blob hashes remembered as stored.
const maxKnown = 200_000

// NewBodies prepares bodies with redactor, sealing them with codec; a nil codec keeps
// metadata only, with why as the reason shown for every request.
func NewBodies(codec *Codec, why string, redactor *Redactor) *Bodies {
	return &Bodies{codec: codec, why: why, redactor: redactor, pieces: newPieceCache(), known: map[string]struct{}{}}
}

// Forget drops what Bodies remembers as stored (after retention removed content), so that
// the next requests carry their pieces again.
func (b *Bodies) Forget() {
	b.mu.Lock()
	b.known, b.older = map[string]struct{}{}, nil
	b.mu.Unlock()
}

// The Messages API paths whose requests are linked into conversations. A token count is a
// side call of its session: it is attached to it, and starts or continues nothing.
const (
	messagesPath    = "/v1/messages"
	countTokensPath = "/v1/messages/count_tokens"
)

// Prepare fills r's content, redaction count (added to r's) and linking keys from the request's bodies as
// they went through the proxy (r.Path and r.Status say what they are). It does not keep
// request or response.
func (b *Bodies) Prepare(r *store.Request, request, response []byte) {
	if request == nil && response == nil {
		return
	}
	linked := (r.Path == messagesPath || r.Path == countTokensPath) && r.Status < 400 && len(request) > 0
	// One walk of the body serves redaction, the pieces and the linking keys.
	var (
		req    []byte
		n1     int
		parts  Parts
		states pieceStates
		split  bool
	)
	wantParts := b.codec != nil || linked
	if wantParts && b.redactor.local {
		parts, split = Split(request)
	}
	switch {
	case split:
		req, n1, parts, states, split = b.redactRequest(request, parts)
	case wantParts && !b.redactor.local:
		// A pattern may take its context from another piece: redact the whole body.
		req, n1 = b.redactor.Redact(request)
		if parts, split = Split(req); split {
			states = b.stateOf(parts)
		}
	default:
		req, n1 = b.redactor.Redact(request)
	}
	resp, n2 := b.redactor.RedactStream(response)
	r.Redactions += n1 + n2
	if linked {
		if keys, err := readKeys(req, parts, states, split); err == nil {
			if r.Path == countTokensPath {
				keys.Kind = conversation.KindAuxiliary // whatever its body says (spec §6)
			}
			r.Keys = b.sealKeys(keys, conversation.ReadResponseKeys(keys, resp))
			r.Kind = keys.Kind
		}
	}
	if b.codec == nil {
		r.Content = b.why
		return
	}
	body, err := b.seal(req, resp, parts, states, split)
	if err != nil {
		r.Content = "metadata only: " + err.Error()
		return
	}
	r.Body, r.Content = body, "stored"
}

// RedactText returns s with its secrets replaced, and how many: for the texts of a record
// that are not bodies (the query string, an upstream error's message).
func (b *Bodies) RedactText(s string) (string, int) {
	if s == "" {
		return s, 0
	}
	out, n := b.redactor.Redact([]byte(s))
	if n == 0 {
		return s, 0
	}
	return string(out), n
}

// readKeys reads the linking keys of req, from its parts when Split cut it.
func readKeys(req []byte, parts Parts, states pieceStates, split bool) (conversation.RequestKeys, error) {
	if p, ok := parts.linking(); split && ok {
		p.MessageKeys = states.messageKeys()
		return conversation.ReadRequestKeysFromParts(p), nil
	}
	return conversation.ReadRequestKeys(req)
}

// sealKeys keeps the linking keys without content in the clear: the title and the summary
// probe are sealed (or dropped when bodies are not stored), the answer's text is dropped (the
// store reads stored answers when it looks for a summary).
func (b *Bodies) sealKeys(req conversation.RequestKeys, resp conversation.ResponseKeys) *store.LinkKeys {
	k := &store.LinkKeys{Request: req, Response: resp}
	title, summary := req.Title, req.Summary
	k.Request.Title, k.Request.Summary, k.Response.Text = "", "", ""
	if b.codec == nil {
		return k
	}
	if title != "" {
		k.SealedTitle, _ = b.codec.Seal(store.TitleID, []byte(title))
	}
	if summary != "" {
		k.SealedSummary, _ = b.codec.Seal(store.SummaryID, []byte(summary))
	}
	return k
}

// storedTemplate is the plain content of a request's template blob: the Parts without their
// pieces, and the cache_control members cut out of the messages.
type storedTemplate struct {
	Parts
	CacheMarks []CacheMark `json:"cache_marks,omitempty"`
}

// seal seals the pieces of the request (parts, with their states, when split; else it is
// kept whole) and the response, but those known to be stored.
func (b *Bodies) seal(req, resp []byte, parts Parts, states pieceStates, split bool) (*store.Body, error) {
	body := &store.Body{KeyID: b.codec.KeyID()}
	var template []byte
	if split {
		var err error
		if body.System, _, err = b.addPiece(body, parts.System, states.system, -1); err != nil {
			return nil, err
		}
		if body.Tools, _, err = b.addPiece(body, parts.Tools, states.tools, -1); err != nil {
			return nil, err
		}
		body.Messages = make([][]byte, len(parts.Messages))
		var marks []CacheMark
		for i, m := range parts.Messages {
			var ms []CacheMark
			if body.Messages[i], ms, err = b.addPiece(body, m, states.messages[i], len(parts.Messages)-1-i); err != nil {
				return nil, err
			}
			marks = append(marks, ms...)
		}
		parts.System, parts.Tools, parts.Messages = nil, nil, nil
		template, _ = json.Marshal(storedTemplate{Parts: parts, CacheMarks: marks})
	} else {
		template, body.Whole = req, true
	}
	var err error
	if body.Template, err = b.add(body, template); err != nil {
		return nil, err
	}
	if body.Response, err = b.add(body, resp); err != nil {
		return nil, err
	}
	return body, nil
}

// add names piece by its hash, sealing it into body unless it is known to be stored; nil
// stays nil.
func (b *Bodies) add(body *store.Body, piece []byte) ([]byte, error) {
	if piece == nil {
		return nil, nil
	}
	hash := b.codec.Hash(piece)
	if b.isKnown(hash) {
		return hash, nil
	}
	sealed, err := b.codec.Seal(hash, piece)
	if err != nil {
		return nil, err
	}
	body.Blobs = append(body.Blobs, store.Blob{Hash: hash, Size: len(piece), Data: sealed})
	return hash, nil
}

// Stored remembers the blobs of a body the store has written, so that the next requests
// sharing them need not seal them again.
func (b *Bodies) Stored(body *store.Body) {
	if body == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.known)+len(body.Blobs) > maxKnown {
		b.known, b.older = map[string]struct{}{}, b.known
	}
	for _, blob := range body.Blobs {
		b.known[string(blob.Hash)] = struct{}{}
	}
}

// isKnown reports whether the blob named hash is remembered as stored; one found in the
// older generation is remembered again in the newer.
func (b *Bodies) isKnown(hash []byte) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.known[string(hash)]; ok {
		return true
	}
	if _, ok := b.older[string(hash)]; !ok {
		return false
	}
	if len(b.known) >= maxKnown {
		b.known, b.older = map[string]struct{}{}, b.known
	}
	b.known[string(hash)] = struct{}{}
	return true
}
