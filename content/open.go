package content

import (
	"encoding/json"
	"errors"
	"fmt"

	"nexus/store"
)

// ErrNoContent is returned by OpenBodies for a request whose bodies were not stored.
var ErrNoContent = errors.New("the request's bodies were not stored")

// OpenBodies rebuilds a stored request's exact request and response bodies (as redacted)
// from its sealed pieces.
func OpenBodies(codec *Codec, d store.RequestDetail) (request, response []byte, err error) {
	if d.Template.Data == nil && d.Response.Data == nil {
		return nil, nil, ErrNoContent
	}
	if codec == nil {
		return nil, nil, errors.New("the data key is not available: stored bodies cannot be read")
	}
	open := func(b store.Sealed) ([]byte, error) {
		if b.Data == nil {
			return nil, nil
		}
		plain, err := codec.Open(b.Hash, b.Data)
		if err != nil {
			return nil, fmt.Errorf("opening stored content: %w", err)
		}
		return plain, nil
	}
	if response, err = open(d.Response); err != nil {
		return nil, nil, err
	}
	template, err := open(d.Template)
	if err != nil || d.Whole || template == nil {
		return template, response, err
	}
	var stored storedTemplate
	if err := json.Unmarshal(template, &stored); err != nil {
		return nil, nil, fmt.Errorf("reading the stored request's template: %w", err)
	}
	parts := stored.Parts
	if parts.System, err = open(d.System); err != nil {
		return nil, nil, err
	}
	if parts.Tools, err = open(d.Tools); err != nil {
		return nil, nil, err
	}
	parts.Messages = make([][]byte, len(d.Messages))
	for i, m := range d.Messages {
		if parts.Messages[i], err = open(m); err != nil {
			return nil, nil, err
		}
	}
	if !restoreCacheControl(parts.Messages, stored.CacheMarks) {
		return nil, nil, errors.New("the stored request's cache markers do not fit its messages")
	}
	request = Rebuild(parts)
	if request == nil {
		return nil, nil, errors.New("the stored request's pieces do not fit its template")
	}
	return request, response, nil
}
