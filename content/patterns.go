package content

import "bytes"

// Pattern is one kind of secret the Redactor finds.
type Pattern struct {
	// Kind names the secret in the replacement "[REDACTED:<kind>]": letters, digits, '.',
	// '_' or '-', at most 40.
	Kind string `json:"kind"`
	// Regexp finds the secret (Go RE2 syntax). When it has a group named "secret", only that
	// group is replaced (e.g. the password of a URL, not its user).
	Regexp string `json:"regexp"`
	// Anchor, when set, is a literal every match contains: bodies without it skip the
	// regexp. Empty means the regexp's literal prefix, if it has one.
	Anchor string `json:"anchor,omitempty"`
}

// DefaultPatterns returns the built-in patterns. Secrets are found in JSON text, where a
// secret inside a string may sit next to escapes (\n, \") or be escaped twice (JSON quoted in
// a message), so no pattern matches across a quote. Anchors start with a byte that is rare
// in prose and code, and with few distinct first bytes: each is one pass over the body.
func DefaultPatterns() []Pattern {
	return []Pattern{
		// sk-ant-api03-…, sk-ant-oat01-…, sk-ant-ort01-…, sk-ant-admin01-…
		{Kind: "anthropic-key", Regexp: `sk-ant-[a-z]+[0-9]*-[A-Za-z0-9_-]{20,}`, Anchor: "-ant-"},
		{Kind: "bearer-token", Regexp: bearer("Bearer")},
		{Kind: "bearer-token", Regexp: bearer("bearer")},
		// Nexus client keys: the prefix and base64url.
		{Kind: "nexus-client-key", Regexp: `cnp_live_[A-Za-z0-9_-]{16,}`, Anchor: "_live_"},
		{Kind: "aws-access-key-id", Regexp: `AKIA[A-Z0-9]{16}\b`},
		{Kind: "aws-access-key-id", Regexp: `ASIA[A-Z0-9]{16}\b`},
		// aws_secret_access_key = …, AWS_SECRET_ACCESS_KEY="…", "aws_secret_access_key": "…";
		// a quoted key wants a quoted value, so that a JSON number is never replaced.
		{Kind: "aws-secret-access-key", Regexp: awsSecretAfter("aws_secret_access_key"), Anchor: "_secret_access_key"},
		{Kind: "aws-secret-access-key", Regexp: awsSecretAfter("AWS_SECRET_ACCESS_KEY"), Anchor: "_SECRET_ACCESS_KEY"},
		{Kind: "gcp-api-key", Regexp: `AIza[0-9A-Za-z_-]{35}`},
		// The value of a service account's "private_key", in JSON or in JSON quoted in a
		// string (once or more: \", \\\"…).
		{Kind: "gcp-private-key", Regexp: `private_key\\*"\s*:\s*\\*"(?P<secret>[^"\\\[](?:[^"\\]|\\[^"])*?)\\*"`, Anchor: "_key"},
		// A PEM private key block: its base64, line breaks real or escaped (at any depth), "\/"
		// and the headers of an encrypted key (Proc-Type: 4,ENCRYPTED), then the END line
		// when there is one (a block cut short ends where its base64 does). No lazy search
		// for the END line: with many BEGINs and no END that took the square of the body's
		// length (280 s for 512 KB).
		{Kind: "private-key", Regexp: `-----BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----` +
			`(?:[A-Za-z0-9+/=\s:,]|-[A-Za-z0-9]|\\[\\/nrt])*(?:-----END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----)?`},
		// scheme://user:password@host: the password only; and with "/" escaped as "\/".
		{Kind: "url-password", Regexp: urlPassword},
		{Kind: "url-password", Regexp: `:\\/\\/` + urlPassword[len("://"):], Anchor: `:\/\/`},
		// OpenAI keys all carry "T3BlbkFJ" (base64 of "OpenAI").
		{Kind: "openai-key", Regexp: `sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}`, Anchor: "BlbkFJ"},
	}
}

// bearer finds the token after an Authorization scheme (RFC 6750 b64token), the scheme kept.
// A "/" in these secrets may come escaped as "\/" (PHP's json_encode does so by default).
func bearer(scheme string) string {
	return scheme + `[ \t]+(?P<secret>(?:[A-Za-z0-9._~+-]|\\?/){20,}=*)`
}

func awsSecretAfter(key string) string {
	return key + `(?:\\*"\s*:\s*\\*"|\s*[:=]\s*(?:\\*["'])?)(?P<secret>(?:[A-Za-z0-9+]|\\?/){40})(?:[^A-Za-z0-9/+=]|$)`
}

// urlPassword finds the password of scheme://user:password@host. Other reserved characters
// must be percent-encoded in it, so none of them is taken (nor "[", so "[REDACTED" is not)
// but "@": clients split user info from the host at the last "@", and so does the match.
const urlPassword = `://[^:@/?#\s"\\\[\]]*:(?P<secret>(?:[^/?#\s"\\\[\]]|\\u[0-9A-Fa-f]{4})+)@`

// gates are cheap tests a text must pass for a built-in regexp to match in it, for regexps
// whose anchor is in most bodies: every URL has "://", and trying the regexp at each one
// costs microseconds.
var gates = map[string]func([]byte) bool{urlPassword: mayHaveURLPassword}

// mayHaveURLPassword reports whether some "://" in b is followed by a ':' and then an '@'
// before the URL's authority can have ended.
func mayHaveURLPassword(b []byte) bool {
	for i := 0; ; {
		k := bytes.Index(b[i:], []byte("://"))
		if k < 0 {
			return false
		}
		i += k + 3
		colon := false
	authority:
		for j := i; j < len(b); j++ {
			switch b[j] {
			case ':':
				colon = true
			case '@':
				if colon {
					return true
				}
				break authority
			case '\\':
				if j+1 < len(b) && b[j+1] == 'u' {
					continue
				}
				break authority
			case '/', '?', '#', ' ', '\t', '\n', '\f', '\r', '"', '[', ']':
				break authority
			}
		}
	}
}
