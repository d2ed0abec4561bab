//go:build e2e

package storage

import (
	"bytes"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nexus/e2e/nexustest"
	"nexus/internal/fakeapi"
)

// planted are secrets a user might paste into a conversation.
var planted = []string{
	"sk-ant-api03-" + strings.Repeat("Q7x", 30) + "AA",
	"AKIAIOSFODNN7LEAKTST",
	"AIzaSyA1234567890abcdefghijklmnopqrstuv", // AIza and 35 more, as Google makes them
	"hunter2-database-password",
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7LEAKTEST",
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFrIn0.c2lnbmF0dXJlLWxlYWstdGVzdA",
}

// plainContent is ordinary conversation text: not a secret, so not redacted, but content —
// sealed at rest, it must not be readable in the files or the dump either (titles included).
const plainContent = "purple elephant protocol 7731"

// leakyTurn carries every planted secret in the ways people paste them.
var leakyTurn = plainContent + ": here is my config: ANTHROPIC_API_KEY=" + planted[0] + " aws " + planted[1] + " gcp " + planted[2] +
	" db postgres://admin:" + planted[3] + "@db.internal:5432/prod and the key\n-----BEGIN PRIVATE KEY-----\n" +
	planted[4] + "\n-----END PRIVATE KEY-----\n and Authorization: Bearer " + planted[5]

// TestNoSecretAtRestSQLite sends secrets through the proxy (in messages, as the account's
// own key, as a wrong client key) and finds none of them in any file Nexus wrote.
func TestNoSecretAtRestSQLite(t *testing.T) {
	fake := nexustest.StartFake(t)
	e := newEnv(t)
	apiKey, clientKey := e.SetupAccount()
	s := e.Serve(fake.URL())
	secrets := leak(t, fake, s.URL, clientKey, apiKey)
	// The streamed request: its six secrets, the seventh message's key, and the answer's
	// six, each streamed in 16-byte parts.
	for _, r := range e.Requests(3) {
		if r.Stream && r.Redactions != 13 {
			t.Errorf("streamed request: %d redactions, want 13 (7 in the request, 6 in the answer)", r.Redactions)
		}
	}
	if err := s.Stop(t); err != nil {
		t.Fatal(err)
	}
	dirs := []string{e.DataDir, filepath.Dir(e.DataDir)} // the data dir, and the config dir beside it
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("reading %s: %v", path, err)
				return nil
			}
			for _, sec := range secrets {
				if bytes.Contains(b, []byte(sec)) {
					t.Errorf("%s contains a secret (%.12s…)", path, sec)
				}
			}
			return nil
		})
	}
	if _, err := os.Stat(filepath.Join(e.DataDir, "nexus.db")); err != nil {
		t.Fatalf("no database written: %v", err)
	}
}

// TestNoSecretAtRestPostgres is the same against PostgreSQL, reading a pg_dump.
func TestNoSecretAtRestPostgres(t *testing.T) {
	pg := newCluster(t)
	fake := nexustest.StartFake(t)
	e := newEnv(t, "DATABASE_URL="+pg.URL)
	apiKey, clientKey := e.SetupAccount()
	s := e.Serve(fake.URL())
	secrets := leak(t, fake, s.URL, clientKey, apiKey)
	e.Requests(3)
	dump := pg.Dump()
	if !bytes.Contains(dump, []byte("CREATE TABLE")) || !bytes.Contains(dump, []byte("requests")) {
		t.Fatalf("pg_dump looks empty:\n%.500s", dump)
	}
	for _, sec := range secrets {
		if bytes.Contains(dump, []byte(sec)) {
			t.Errorf("pg_dump contains a secret (%.12s…)", sec)
		}
	}
}

// leak sends the planted secrets and returns every secret that must not be stored: the
// planted ones, the account's key, the client key and a wrong key presented to the proxy.
// The streamed answer repeats them, as a model does: the fake streams 16 bytes per delta, so
// each secret reaches the proxy in parts.
func leak(t *testing.T, fake *fakeapi.Server, base, clientKey, apiKey string) []string {
	t.Helper()
	send(t, base, clientKey, false, leakyTurn)
	fake.Enqueue(fakeapi.Reply{Text: "You pasted " + leakyTurn + " — rotate them all."})
	send(t, base, clientKey, true, leakyTurn, "noted", "and again: "+planted[0])
	wrong := "cnp_live_" + nexustest.RandomHex(16)
	req, _ := http.NewRequest("POST", base+"/v1/messages", strings.NewReader(`{"model":"x","messages":[]}`))
	req.Header.Set("x-api-key", wrong)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("wrong client key answered %d, want 401", resp.StatusCode)
	}
	return append(append([]string{}, planted...), apiKey, clientKey, wrong, plainContent)
}
