package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"nexus/content"
	"nexus/credentials"
	"nexus/settings"
	"nexus/store"
)

// BodyStorage says how request bodies are kept, for the window and the checklist.
type BodyStorage struct {
	Enabled        bool // bodies are stored
	Encrypted      bool // sealed under the keychain's data key (always, when Enabled)
	Redacting      bool // secrets are replaced before anything is stored
	RetentionDays  int
	RetentionMaxMB int
	// Reason is why bodies are not stored; "" when they are.
	Reason string
	// Unreadable, when set, says that bodies stored earlier do not open under the keychain's
	// data key (it was deleted and a new one made, or the store came from another machine).
	Unreadable string
}

// openBodies builds the redactor and, when bodies are stored, the codec under the data key
// from kc (nil: no usable keychain, so metadata only — never a key in a file).
func (e *Engine) openBodies(kc credentials.Keychain) (*content.Bodies, error) {
	extra := make([]content.Pattern, len(e.set.RedactPatterns))
	for i, p := range e.set.RedactPatterns {
		extra[i] = content.Pattern{Kind: p.Kind, Regexp: p.Regexp}
	}
	redactor, err := content.NewRedactor(extra)
	if err != nil {
		return nil, fmt.Errorf("redact patterns: %w", err)
	}
	e.storage = PlanBodies(e.set, kc != nil)
	if e.storage.Enabled {
		key, err := credentials.DataKey(kc)
		if err == nil {
			e.codec, err = content.NewCodec(key)
		}
		if err != nil {
			e.storage.Enabled, e.storage.Encrypted = false, false
			e.storage.Reason = "metadata only: the data key is unavailable: " + err.Error()
		}
	}
	return content.NewBodies(e.codec, e.storage.Reason, redactor), nil
}

// PlanBodies is how bodies are kept with set and a keychain that is (or is not) usable,
// before the data key is read: the engine starts from it, and `nexus check` reports it.
func PlanBodies(set settings.Settings, keychainOK bool) BodyStorage {
	b := BodyStorage{Redacting: true, RetentionDays: set.RetentionDays, RetentionMaxMB: set.RetentionMaxMB}
	switch {
	case !set.StorageEnabled:
		b.Reason = "metadata only: body storage is off (STORAGE_ENABLED=false, or storage_enabled in the settings file)"
	case !keychainOK:
		b.Reason = "metadata only: no usable keychain to hold the data key"
	default:
		b.Enabled, b.Encrypted = true, true
	}
	return b
}

// ReadCodec returns the codec for reading stored bodies and titles with the data key from kc
// (nil: the system keychain), or nil when there is no usable keychain. Commands that only
// read use it; they then show no titles or bodies.
func ReadCodec(kc credentials.Keychain) *content.Codec {
	if kc == nil {
		kc = credentials.SystemKeychain{}
	}
	key, err := credentials.ReadDataKey(kc)
	if err != nil {
		return nil
	}
	codec, err := content.NewCodec(key)
	if err != nil {
		return nil
	}
	return codec
}

// BodyStorage reports how request bodies are kept.
func (e *Engine) BodyStorage() BodyStorage { return e.storage }

// Codec opens stored bodies; nil when they are not stored.
func (e *Engine) Codec() *content.Codec { return e.codec }

// Settings are the settings the engine runs with.
func (e *Engine) Settings() settings.Settings { return e.set }

// Refresher hands out credentials, refreshing OAuth tokens; the checklist reads its state.
func (e *Engine) Refresher() *credentials.Refresher { return e.refresher }

// retentionEvery is how often retention runs (and a minute after the engine opens).
const retentionEvery = time.Hour

// retain enforces the retention limits in the background until ctx ends.
func (e *Engine) retain(ctx context.Context) {
	p := store.RetentionPolicy{
		MaxAge:   time.Duration(e.set.RetentionDays) * 24 * time.Hour,
		MaxBytes: int64(e.set.RetentionMaxMB) << 20,
	}
	if p.MaxAge == 0 && p.MaxBytes == 0 {
		return
	}
	wait := time.Minute
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = retentionEvery
		run, err := e.store.Retain(ctx, p)
		if run.Requests > 0 || run.Blobs > 0 {
			e.bodies.Forget()
			e.log.Info("retention removed old records", "requests", run.Requests, "conversations", run.Conversations,
				"blobs", run.Blobs, "reason", run.Reason, "bytes_before", run.BytesBefore, "bytes_after", run.BytesAfter)
		}
		if err != nil {
			e.log.Warn("retention pass failed; will try again", "error", err)
		}
	}
}

// checkStoredBodies looks at the newest stored bodies (up to 20 requests back) and sets
// e.storage.Unreadable when they do not open under the current data key: that key was made
// after they were stored, so they are lost to this keychain, and the user must hear of it.
// Only the embedded store is checked: a shared PostgreSQL store also holds bodies other
// machines sealed under their own keys.
func (e *Engine) checkStoredBodies(ctx context.Context) {
	if e.codec == nil || e.set.DatabaseURL != "" {
		return
	}
	reqs, err := e.store.ListRequests(ctx, store.RequestFilter{Limit: 20})
	if err != nil {
		return
	}
	for _, r := range reqs {
		if r.Content != "stored" {
			continue
		}
		d, err := e.store.GetRequest(ctx, r.ID)
		if err != nil {
			return
		}
		if _, _, err := content.OpenBodies(e.codec, d); errors.Is(err, content.ErrCannotOpen) {
			e.storage.Unreadable = fmt.Sprintf("bodies stored up to %s were sealed under a data key the keychain no longer holds "+
				"(it now has key %s); they cannot be opened, and new bodies are sealed under the current key",
				r.StartedAt.Format(time.RFC3339), e.codec.KeyID())
			e.log.Error("stored bodies do not open under the keychain's data key", "newest", r.ID, "key_id", e.codec.KeyID())
		}
		return
	}
}
