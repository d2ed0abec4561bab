package content

import (
	"bytes"
	"regexp/syntax"
	"strings"
	"testing"

	"nexus/conversation"
	"nexus/store"
)

// secretBodies are request bodies with secrets in every kind of place: the system prompt, the
// tools, messages early and late, and the template (metadata, an unknown member).
var secretBodies = []string{
	`{"model":"m","max_tokens":10,"system":"key ` + anthropicKey + `","messages":[{"role":"user","content":"hi"}]}`,
	`{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"use ` + awsKeyID + `"},{"role":"user","content":"ok"}],"tools":[{"name":"t","description":"Bearer ` + oauthToken + `"}]}`,
	`{"metadata":{"user_id":"` + clientKey + `"},"messages":[{"role":"user","content":[{"type":"text","text":"` + jsonString(pemKey)[1:len(jsonString(pemKey))-1] + `"}]}],"x":"` + gcpKey + `"}`,
	`{"messages":[{"role":"user","content":"postgres://u:hunter2@db/x"}, {"role":"user","content":"aws_secret_access_key=` + awsSecret + `"}],"system":[{"type":"text","text":"` + openAIKey + `"}]}`,
	`{"messages":[],"system":"no secret","n":4111111111111111}`,
	// Two rules match the same text: the same label whether read whole or piece by piece.
	`{"system":"Bearer ` + anthropicKey + `","messages":[` + strings.Repeat(`{"role":"user","content":"Bearer `+anthropicKey+`"},`, 6) +
		`{"role":"user","content":"Bearer ` + anthropicKey + `"}]}`,
}

// localPatterns are custom patterns that cannot match a quote.
var localPatterns = []Pattern{
	{Kind: "card", Regexp: `\b4[0-9]{15}\b`},
	{Kind: "pin", Regexp: `pin=(?P<secret>[0-9]{4})\b`, Anchor: "pin="},
}

// redactTwice redacts body as the first request of a session and again as the next one, the
// pieces then in the piece cache as Prepare leaves them, and checks each time that the result
// is Redact's on the whole body.
func redactTwice(t *testing.T, b *Bodies, body []byte) {
	t.Helper()
	wantOut, wantN := b.redactor.Redact(body)
	for round := range 2 {
		parts, ok := Split(body)
		if !ok {
			return
		}
		out, n, parts, states, split := b.redactRequest(body, parts)
		if !bytes.Equal(out, wantOut) || n != wantN {
			t.Fatalf("round %d of %s:\ngot  %d %s\nwant %d %s", round, body, n, out, wantN, wantOut)
		}
		if !split {
			t.Fatalf("round %d of %s: the redacted body no longer cuts", round, body)
		}
		if !bytes.Equal(Rebuild(parts), out) {
			t.Fatalf("round %d: the parts rebuild %s, not %s", round, Rebuild(parts), out)
		}
		// What addPiece keeps for the next request.
		keep := func(piece []byte, s pieceState) {
			if piece != nil {
				b.pieces.put(s.key, storedPiece{clean: s.clean})
			}
		}
		keep(parts.System, states.system)
		keep(parts.Tools, states.tools)
		for i, m := range parts.Messages {
			keep(m, states.messages[i])
		}
	}
}

func newRedactingBodies(t testing.TB, extra ...Pattern) *Bodies {
	r, err := NewRedactor(extra)
	if err != nil {
		t.Fatal(err)
	}
	return NewBodies(newTestCodec(t, 1), "", r)
}

// Redacting only the pieces not known clean gives what redacting the whole body gives, on the
// first request and on the next, whichever piece holds the secret.
func TestRedactRequestIsRedact(t *testing.T) {
	b := newRedactingBodies(t)
	for _, body := range secretBodies {
		redactTwice(t, b, []byte(body))
	}
	big := claudeCodeBody(72 << 10)
	redactTwice(t, b, big)
	withSecret := bytes.Replace(big, []byte("Only use emojis"), []byte("Bearer "+anthropicKey), 1)
	redactTwice(t, b, withSecret)
}

// A piece known clean is not read again, and a piece that held a secret never counts as
// clean: the next request sending it again has it redacted again.
func TestRedactRequestSkipsOnlyCleanPieces(t *testing.T) {
	b := newRedactingBodies(t)
	first := []byte(`{"messages":[{"role":"user","content":"my key ` + anthropicKey + `"},{"role":"user","content":"fine"}]}`)
	parts, _ := Split(first)
	_, n, parts, states, _ := b.redactRequest(first, parts)
	if n != 1 || states.messages[0].clean || !states.messages[1].clean {
		t.Fatalf("first request: %d redactions, states %+v", n, states.messages)
	}
	for i, m := range parts.Messages {
		b.pieces.put(states.messages[i].key, storedPiece{clean: states.messages[i].clean})
		if i == 0 && strings.Contains(string(m), anthropicKey) {
			t.Fatalf("the redacted piece holds the key: %s", m)
		}
	}
	// Sent again, the message with the key is read and redacted again.
	parts, _ = Split(first)
	out, n, _, _, _ := b.redactRequest(first, parts)
	if n != 1 || strings.Contains(string(out), anthropicKey) {
		t.Fatalf("second request: %d redactions: %s", n, out)
	}

	// The cache's word is taken for a clean piece: one it (wrongly) calls clean is not read.
	// This is what makes a resent conversation cheap, and why only redaction puts clean.
	liar := []byte(`{"messages":[{"role":"user","content":"` + awsKeyID + `"}]}`)
	parts, _ = Split(liar)
	b.pieces.put(conversation.KeyOf(parts.Messages[0]), storedPiece{clean: true})
	if out, n, _, _, _ := b.redactRequest(liar, parts); n != 0 || !bytes.Equal(out, liar) {
		t.Fatalf("a piece the cache calls clean was read: %d redactions", n)
	}
}

// Prepare counts and stores what Redact would, with pieces resent from one request to the
// next.
func TestPrepareRedactsResentPieces(t *testing.T) {
	b := newRedactingBodies(t)
	stored := map[string][]byte{}
	resp := []byte(`{"type":"message","content":[]}`)
	msgs := []string{`{"role":"user","content":"start"}`}
	for turn, secret := range []string{"", awsKeyID, "", "Bearer " + anthropicKey, ""} {
		msgs = append(msgs, `{"role":"assistant","content":"ok `+secret+`"}`, `{"role":"user","content":"next"}`)
		body := []byte(`{"model":"m","max_tokens":5,"messages":[` + strings.Join(msgs, ",") + `]}`)
		want, wantN := b.redactor.Redact(body)
		r := store.Request{Path: "/v1/messages", Status: 200}
		b.Prepare(&r, body, resp)
		if r.Redactions != wantN {
			t.Fatalf("turn %d: %d redactions, want %d", turn, r.Redactions, wantN)
		}
		got := rebuild(t, b.codec, r.Body, stored)
		if !bytes.Equal(got, want) {
			t.Fatalf("turn %d: stored\n%s\nwant\n%s", turn, got, want)
		}
		b.Stored(r.Body)
	}
}

// FuzzRedactRequest: for any body Split cuts, redacting the pieces not known clean, on a first
// request and on the same body again, gives what Redact gives on the whole body.
func FuzzRedactRequest(f *testing.F) {
	for _, body := range secretBodies {
		f.Add([]byte(body))
	}
	for _, tc := range splitBodies {
		f.Add([]byte(tc.body))
	}
	f.Add([]byte(`{"messages":[{"role":"user","content":"pin=1234 card 4111111111111111"}],"n":4111111111111111}`))
	builtIn, custom := newRedactingBodies(f), newRedactingBodies(f, localPatterns...)
	if !custom.redactor.local {
		f.Fatal("the local custom patterns are not seen as local")
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		redactTwice(t, builtIn, body)
		redactTwice(t, custom, body)
	})
}

func TestMayMatchQuote(t *testing.T) {
	for expr, want := range map[string]bool{
		`\b4[0-9]{15}\b`:                           false,
		`pin=(?P<secret>[0-9]{4})\b`:               false,
		`password[^"]{0,40}(?P<secret>\w{12,})`:    false,
		`"system"\s*:\s*"(?P<secret>[^"\\]+)"`:     true,
		`(?is)password.{0,40}?(?P<secret>\w{12,})`: true,
		`password.{0,40}?(?P<secret>\w{12,})`:      true, // '.' takes '"' without (?s) too
		`key[^a]+`:                                 true,
		`\x22`:                                     true,
		`[[:punct:]]+`:                             true,
		`(?i)secret`:                               false,
	} {
		if got := mayMatchQuote(expr); got != want {
			t.Errorf("mayMatchQuote(%s) = %v, want %v", expr, got, want)
		}
	}
	for _, p := range DefaultPatterns() {
		if _, err := syntax.Parse(p.Regexp, syntax.Perl); err != nil {
			t.Fatal(err)
		}
	}
}

// A custom pattern that takes its context from another string (the template's key, an
// earlier message) makes Prepare redact the whole body, as it did before bodies were
// redacted piece by piece.
func TestPrepareWithContextPatterns(t *testing.T) {
	for _, tc := range []struct {
		pattern Pattern
		body    string
		secret  string
	}{
		{Pattern{Kind: "system-prompt", Regexp: `"system"\s*:\s*"(?P<secret>[^"\\]+)"`},
			`{"model":"m","system":"TOPSECRETPROMPT","messages":[{"role":"user","content":"hi"}]}`, "TOPSECRETPROMPT"},
		{Pattern{Kind: "pw", Regexp: `(?is)password.{0,40}?(?P<secret>[A-Za-z0-9]{12,})`},
			`{"messages":[{"role":"assistant","content":"Your password?"},{"role":"user","content":"Hunter2Hunter2x"}]}`, "Hunter2Hunter2x"},
	} {
		b := newRedactingBodies(t, tc.pattern)
		if b.redactor.local {
			t.Fatalf("%s: seen as local", tc.pattern.Regexp)
		}
		stored := map[string][]byte{}
		for round := range 2 {
			r := store.Request{Path: "/v1/messages", Status: 200}
			b.Prepare(&r, []byte(tc.body), []byte(`{}`))
			got := rebuild(t, b.codec, r.Body, stored)
			want, n := b.redactor.Redact([]byte(tc.body))
			if n == 0 || r.Redactions != n || !bytes.Equal(got, want) || bytes.Contains(got, []byte(tc.secret)) {
				t.Fatalf("round %d, %s: %d redactions, stored %s", round, tc.pattern.Kind, r.Redactions, got)
			}
			b.Stored(r.Body)
		}
	}
}

// Bytes stored as a message (cache_control cut out) and then sent as the system prompt are
// stored as they are: the body rebuilds.
func TestMessageBytesSentAsSystem(t *testing.T) {
	b := newRedactingBodies(t)
	stored := map[string][]byte{}
	message := `{"role":"user","content":[{"type":"text","text":"y","cache_control":{"type":"ephemeral"}}]}`
	for _, body := range []string{`{"messages":[` + message + `]}`, `{"system":` + message + `,"messages":[]}`} {
		r := store.Request{Path: "/v1/messages", Status: 200}
		b.Prepare(&r, []byte(body), []byte(`{}`))
		if got := rebuild(t, b.codec, r.Body, stored); string(got) != body {
			t.Fatalf("stored\n%s\nwant\n%s", got, body)
		}
		b.Stored(r.Body)
	}
}
