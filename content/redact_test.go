package content

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// Made-up secrets of each kind's real shape.
const (
	anthropicKey = "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AA"
	oauthToken   = "sk-ant-oat01-ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210-_ZyXwVuTsRqPoNmLkJiHgFeDcBa98765"
	clientKey    = "cnp_live_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8"
	awsKeyID     = "AKIAIOSFODNN7EXAMPLE"
	awsSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	gcpKey       = "AIzaSyD-1234567890abcdefghijklmnopqrstu"
	openAIKey    = "sk-proj-abcdefghijklmnopqrstuvwxT3BlbkFJabcdefghijklmnopqrstuvwx"
	pemKey       = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2\n+Jq3eYrhNeG5Mn0kL==\n-----END RSA PRIVATE KEY-----"
)

// jsonString returns s as a JSON string literal.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestRedact(t *testing.T) {
	r, err := NewRedactor(nil)
	if err != nil {
		t.Fatal(err)
	}
	serviceAccount := `{"type": "service_account", "private_key_id": "abc", "private_key": "` + strings.ReplaceAll(pemKey, "\n", `\n`) + `\n", "client_email": "x@y.iam.gserviceaccount.com"}`
	for _, tc := range []struct {
		name string
		in   string // the text of a JSON string; the test also tries it escaped once more
		want string // "" when nothing is redacted
	}{
		{"anthropic key", "export ANTHROPIC_API_KEY=" + anthropicKey + "\n", "export ANTHROPIC_API_KEY=[REDACTED:anthropic-key]\n"},
		{"anthropic oauth token", "token " + oauthToken, "token [REDACTED:anthropic-key]"},
		{"anthropic refresh token", "sk-ant-ort01-" + strings.Repeat("Ab9_-", 10), "[REDACTED:anthropic-key]"},
		{"anthropic prefix only", "keys start with sk-ant-api03- and are long", ""},
		{"anthropic short", "sk-ant-api03-short", ""},

		{"bearer header", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_-~+/abc==", "Authorization: Bearer [REDACTED:bearer-token]"},
		{"bearer lower case", "authorization: bearer abcdefghij0123456789XYZ", "authorization: bearer [REDACTED:bearer-token]"},
		{"bearer short", "Authorization: Bearer abc123", ""},
		{"bearer a variable", `Authorization: Bearer ${ANTHROPIC_API_KEY_FROM_ENVIRONMENT}`, ""},
		{"bearer in prose", "the Bearer token goes in the header", ""},

		{"nexus client key", "x-nexus-client-key: " + clientKey, "x-nexus-client-key: [REDACTED:nexus-client-key]"},
		{"nexus prefix only", "keys look like cnp_live_… in the UI", ""},

		{"aws key id", "aws_access_key_id = " + awsKeyID, "aws_access_key_id = [REDACTED:aws-access-key-id]"},
		{"aws session key id", "ASIAY34FZKBOKMUTVV7A", "[REDACTED:aws-access-key-id]"},
		{"aws key id too long", awsKeyID + "X", ""},
		{"aws key id lower case", "AKIAiosfodnn7example", ""},

		{"aws secret ini", "aws_secret_access_key = " + awsSecret + "\n", "aws_secret_access_key = [REDACTED:aws-secret-access-key]\n"},
		{"aws secret env", `AWS_SECRET_ACCESS_KEY="` + awsSecret + `"`, `AWS_SECRET_ACCESS_KEY="[REDACTED:aws-secret-access-key]"`},
		{"aws secret json", `{"aws_secret_access_key": "` + awsSecret + `"}`, `{"aws_secret_access_key": "[REDACTED:aws-secret-access-key]"}`},
		{"aws secret yaml", "aws_secret_access_key: " + awsSecret, "aws_secret_access_key: [REDACTED:aws-secret-access-key]"},
		{"aws secret wrong length", "aws_secret_access_key = " + awsSecret[:39], ""},
		{"aws secret without its key", "the value " + awsSecret, ""},

		{"gcp api key", "key=" + gcpKey + "&q=1", "key=[REDACTED:gcp-api-key]&q=1"},
		{"gcp api key short", "AIzaSyD-1234", ""},

		{"gcp service account", serviceAccount, `{"type": "service_account", "private_key_id": "abc", "private_key": "[REDACTED:gcp-private-key]", "client_email": "x@y.iam.gserviceaccount.com"}`},
		{"gcp private key not PEM", `{"private_key": "c2VjcmV0IGtleSBtYXRlcmlhbA"}`, `{"private_key": "[REDACTED:gcp-private-key]"}`},
		{"gcp private key id", `{"private_key_id": "0123456789abcdef"}`, ""},
		{"gcp private key empty", `{"private_key": ""}`, ""},

		{"pem block", "key:\n" + pemKey + "\ndone", "key:\n[REDACTED:private-key]\ndone"},
		{"pem openssh", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----", "[REDACTED:private-key]"},
		{"pem cut short", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nAQEFAASC", "[REDACTED:private-key]"},
		{"pem encrypted", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nMIIEpAIBAAKCAQEA3Tz2\n-----END RSA PRIVATE KEY-----\nafter", "[REDACTED:private-key]\nafter"},
		{"pem public key", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEF\n-----END PUBLIC KEY-----", ""},
		{"pem certificate", "-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEF\n-----END CERTIFICATE-----", ""},

		{"url password", "DATABASE_URL=postgres://nexus:s3cr%40t-pass@db.example.com:5432/nexus", "DATABASE_URL=postgres://nexus:[REDACTED:url-password]@db.example.com:5432/nexus"},
		{"url password no user", "redis://:hunter2@localhost:6379", "redis://:[REDACTED:url-password]@localhost:6379"},
		{"url password with colon", "https://user:pa:ss@host/", "https://user:[REDACTED:url-password]@host/"},
		// Clients split at the last "@", so the password runs to it.
		{"url password with @", "postgres://admin:p@ssw0rd-Secret@db.internal:5432/app", "postgres://admin:[REDACTED:url-password]@db.internal:5432/app"},
		{"url with port", "https://example.com:8443/path?a=b@c", ""},
		{"url user only", "ssh://git@github.com:22/repo.git", ""},
		{"url no password", "https://docs.claude.com/en/docs/claude-code", ""},

		{"openai key", "OPENAI_API_KEY=" + openAIKey, "OPENAI_API_KEY=[REDACTED:openai-key]"},
		{"openai marker missing", "sk-proj-" + strings.Repeat("a", 60), ""},
		{"task ids", "task-0123456789abcdef0123456789abcdef risk-assessment disk-usage", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == "" {
				want = tc.in
			}
			// As a string in a body, and as JSON quoted inside such a string (a file's text
			// in a tool result), whose escapes are escaped again.
			for level, in := range []string{jsonString(tc.in), jsonString(jsonString(tc.in))} {
				wantOut := jsonString(want)
				if level == 1 {
					wantOut = jsonString(jsonString(want))
				}
				body := []byte(`{"messages":[{"role":"user","content":` + in + `}]}`)
				got, n := r.Redact(body)
				if !json.Valid(got) {
					t.Fatalf("level %d: result is not JSON: %s", level, got)
				}
				wantBody := `{"messages":[{"role":"user","content":` + wantOut + `}]}`
				if string(got) != wantBody {
					t.Fatalf("level %d:\n got %s\nwant %s", level, got, wantBody)
				}
				wantN := strings.Count(want, "[REDACTED:")
				if n != wantN {
					t.Fatalf("level %d: count %d, want %d", level, n, wantN)
				}
				if n == 0 && &got[0] != &body[0] {
					t.Fatal("nothing redacted, yet Redact copied the body")
				}
				if again, n := r.Redact(got); n != 0 || !bytes.Equal(again, got) {
					t.Fatalf("level %d: redacting again changed %d things: %s", level, n, again)
				}
			}
		})
	}
}

func TestRedactCountsAndMerges(t *testing.T) {
	r, _ := NewRedactor(nil)
	body := `{"headers":"Authorization: Bearer ` + oauthToken + `","k":["` + anthropicKey + `","` + awsKeyID + `"],"x":"` + anthropicKey + anthropicKey[7:] + `"}`
	got, n := r.Redact([]byte(body))
	want := `{"headers":"Authorization: Bearer [REDACTED:anthropic-key]","k":["[REDACTED:anthropic-key]","[REDACTED:aws-access-key-id]"],"x":"[REDACTED:anthropic-key]"}`
	if string(got) != want || n != 4 {
		t.Fatalf("got %d: %s\nwant 4: %s", n, got, want)
	}
}

func TestRedactNeverBreaksEscapes(t *testing.T) {
	r, err := NewRedactor([]Pattern{
		{Kind: "greedy", Regexp: `SECRET[^ ]*`},      // would take a backslash and a quote
		{Kind: "hex-start", Regexp: `[0-9a-f]{2}ZZ`}, // would start inside \u00e9
		{Kind: "ends-mid-escape", Regexp: `TAIL.`},   // would end after a backslash
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"a":"SECRET\"}"}`,
		`{"a":"x SECRETabc\\"}`,
		`{"a":"\u00e9ZZ"}`,
		`{"a":"TAIL\n"}`,
		`{"a":"TAIL\\"}`,
		`{"a":"\bearer abcdefghij0123456789XYZ"}`,
		`{"a":"\\\bearer abcdefghij0123456789XYZ"}`,
	} {
		got, _ := r.Redact([]byte(body))
		if !json.Valid(got) {
			t.Errorf("%s → %s: not JSON", body, got)
		}
	}
}

func TestNewRedactorExtras(t *testing.T) {
	r, err := NewRedactor([]Pattern{
		{Kind: "ticket", Regexp: `TICKET-[0-9]{6}`},
		{Kind: "pin", Regexp: `pin=(?P<secret>[0-9]{4})\b`, Anchor: "pin="},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, n := r.Redact([]byte(`{"a":"TICKET-123456 pin=1234 pin=12 ` + gcpKey + `"}`))
	if want := `{"a":"[REDACTED:ticket] pin=[REDACTED:pin] pin=12 [REDACTED:gcp-api-key]"}`; string(got) != want || n != 3 {
		t.Fatalf("got %d: %s\nwant 3: %s", n, got, want)
	}
	for name, p := range map[string]Pattern{
		"broken regexp":      {Kind: "broken", Regexp: `(unclosed`},
		"empty kind":         {Kind: "", Regexp: `x`},
		"kind breaking JSON": {Kind: `a"b`, Regexp: `x`},
	} {
		_, err := NewRedactor([]Pattern{p})
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), fmt.Sprintf("%q", p.Kind)) {
			t.Errorf("%s: error %q does not name the pattern", name, err)
		}
	}
}

func TestDefaultPatternsCompile(t *testing.T) {
	for _, p := range DefaultPatterns() {
		if _, err := NewRedactor([]Pattern{p}); err != nil {
			t.Error(err)
		}
	}
}

// TestRedactKeepsJSONValid redacts strings made of secrets, escapes and the characters the
// patterns look for, quoted once and twice, and checks the result is still JSON.
func TestRedactKeepsJSONValid(t *testing.T) {
	builtIn, _ := NewRedactor(nil)
	// Extras that match anything, numbers and quotes included.
	greedy, err := NewRedactor([]Pattern{{Kind: "digits", Regexp: `[0-9]+`}, {Kind: "any", Regexp: `..?.?`}})
	if err != nil {
		t.Fatal(err)
	}
	tokens := []string{anthropicKey, oauthToken, clientKey, awsKeyID, awsSecret, gcpKey, openAIKey, pemKey,
		"Bearer ", "bearer\t", "aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", `"private_key"`, ": ", "=", "'",
		"-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "https://", "u:", "@", "/", "[", "]",
		"\n", `"`, `\`, `\n`, "\b", "\t", "\r", "<", "&", "\u2028", "\x01", " ", "é", "x", "0", "ZZ", "sk-", "T3BlbkFJ"}
	rng := rand.New(rand.NewPCG(1, 2))
	redacted := 0
	for range 5000 {
		var s strings.Builder
		for range 1 + rng.IntN(12) {
			s.WriteString(tokens[rng.IntN(len(tokens))])
		}
		for _, in := range []string{jsonString(s.String()), jsonString(jsonString(s.String()))} {
			body := `{"messages":[` + in + `, 12, {"k": true}]}`
			for _, r := range []*Redactor{builtIn, greedy} {
				got, n := r.Redact([]byte(body))
				if !json.Valid(got) {
					t.Fatalf("%s → %s: not JSON", body, got)
				}
				redacted += n
			}
		}
	}
	if redacted == 0 {
		t.Fatal("nothing was redacted: the test tests nothing")
	}
}

func FuzzRedactKeepsJSON(f *testing.F) {
	f.Add(`{"a":"Bearer abcdefghij0123456789XYZ"}`)
	f.Add(`{"a":"postgres://u:p\u00e9@h"}`)
	f.Add(`{"a":"` + strings.ReplaceAll(pemKey, "\n", `\n`) + `"}`)
	f.Add(`{"a":"` + strings.ReplaceAll(jsonString(`{"private_key": "`+strings.ReplaceAll(pemKey, "\n", `\n`)+`"}`), `"`, `\"`) + `"}`)
	f.Add(`{"a":"aws_secret_access_key=\"` + awsSecret + `\""}`)
	builtIn, _ := NewRedactor(nil)
	greedy, _ := NewRedactor([]Pattern{{Kind: "digits", Regexp: `[0-9]+`}, {Kind: "any", Regexp: `..?.?`}})
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return
		}
		for _, r := range []*Redactor{builtIn, greedy} {
			if got, _ := r.Redact([]byte(in)); !json.Valid(got) {
				t.Fatalf("%s → %s: not JSON", in, got)
			}
		}
	})
}

func BenchmarkRedact(b *testing.B) {
	r, _ := NewRedactor(nil)
	body := claudeCodeBody(700 << 10)
	if _, n := r.Redact(body); n != 0 {
		b.Fatalf("the test body has %d secrets", n)
	}
	withSecret := bytes.Replace(body, []byte("Only use emojis"), []byte("Bearer "+anthropicKey+" and "+awsKeyID), 1)
	for name, in := range map[string][]byte{"700KB no match": body, "700KB one match": withSecret} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				r.Redact(in)
			}
		})
	}
}

func TestRedactOnlyInsideStrings(t *testing.T) {
	r, err := NewRedactor([]Pattern{
		{Kind: "card", Regexp: `\b4[0-9]{15}\b`},
		{Kind: "field", Regexp: `"password"`},
	})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"n":4111111111111111,"text":"card 4111111111111111 \"password\"","password":"x"}`
	got, n := r.Redact([]byte(body))
	want := `{"n":4111111111111111,"text":"card [REDACTED:card] \"password\"","password":"x"}`
	if string(got) != want || n != 1 {
		t.Fatalf("got %d: %s\nwant 1: %s", n, got, want)
	}
	// Text that is not JSON (an SSE stream) is redacted anywhere.
	sse := "event: ping\ndata: 4111111111111111\n\n"
	if got, n := r.Redact([]byte(sse)); n != 1 || strings.Contains(string(got), "4111") {
		t.Fatalf("SSE text: %d redactions: %q", n, got)
	}
}

// TestURLPasswordGate checks the gate never turns away a text the url-password regexp
// matches in.
func TestURLPasswordGate(t *testing.T) {
	re := regexp.MustCompile(urlPassword)
	parts := []string{"://", "u", ":", "p", "@", "/", `\/`, "?", "#", " ", `"`, `\`, `\u00e9`, `\n`, "[", "]", "h.com", "é"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		var s strings.Builder
		for range 1 + rng.IntN(10) {
			s.WriteString(parts[rng.IntN(len(parts))])
		}
		if b := []byte(s.String()); re.Match(b) && !mayHaveURLPassword(b) {
			t.Fatalf("the gate turns away %q, where the regexp matches", b)
		}
	}
}

func TestRedactManySecretsInOneString(t *testing.T) {
	r, _ := NewRedactor(nil)
	text := strings.Repeat(awsKeyID+" ", 20000)
	body := []byte(`{"messages":[{"role":"user","content":"` + text + `"}]}`)
	got, n := r.Redact(body)
	if n != 20000 || !json.Valid(got) || bytes.Contains(got, []byte(awsKeyID)) {
		t.Fatalf("%d redactions, want 20000", n)
	}
}

// A body whose encoder escapes "/" as "\/" (PHP's json_encode does by default) has its
// secrets redacted all the same.
func TestRedactEscapedSlashes(t *testing.T) {
	r, _ := NewRedactor(nil)
	body := `{"messages":[{"role":"user","content":"aws_secret_access_key = wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYEXAMPLEKEY, ` +
		`postgres:\/\/admin:Hunter2SuperSecret@db\/x, Authorization: Bearer abcdefghij\/0123456789XYZ, ` +
		`-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\/BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"}]}`
	got, n := r.Redact([]byte(body))
	for _, secret := range []string{"wJalrXUtnFEMI", "Hunter2SuperSecret", "0123456789XYZ", "BKcwggSjAgEA"} {
		if bytes.Contains(got, []byte(secret)) {
			t.Errorf("%s survived: %s", secret, got)
		}
	}
	if n != 4 || !json.Valid(got) {
		t.Errorf("%d redactions (want 4), valid JSON %v: %s", n, json.Valid(got), got)
	}
}

// Many BEGIN lines and no END line: each match ends where its base64 does, so the work
// grows with the body, not with its square (a lazy search for the END line took 280 s at
// 512 KB). go test ./content -bench PEMWithoutEnd.
func BenchmarkRedactPEMWithoutEnd(b *testing.B) {
	r, _ := NewRedactor(nil)
	const unit = "-----BEGIN PRIVATE KEY-----!"
	body := []byte(`{"messages":[{"role":"user","content":"` + strings.Repeat(unit, (512<<10)/len(unit)) + `"}]}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		r.Redact(body)
	}
}
