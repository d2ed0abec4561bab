package cli

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"nexus/internal/syncbuf"
)

// Without a keychain nothing keeps the client key and `nexus client-key show` cannot show it,
// so `nexus serve` prints the run's key on stdout — never in its log — and clients can use it.
func TestServeWithoutKeychainPrintsTheRunKey(t *testing.T) {
	isolate(t)
	noKeychain(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncbuf.Buffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"serve", "--port", "0", "--upstream", "http://127.0.0.1:1"},
			IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}, nil)
	}()
	keyLine := regexp.MustCompile(`client key for this run only \(no keychain to keep it\): (cnp_live_\S+)\n`)
	url := regexp.MustCompile(`url=(http://\S+)`)
	var key, base string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && (key == "" || base == ""); time.Sleep(20 * time.Millisecond) {
		if m := keyLine.FindStringSubmatch(out.String()); m != nil {
			key = m[1]
		}
		if m := url.FindStringSubmatch(errOut.String()); m != nil {
			base = m[1]
		}
	}
	if key == "" || base == "" {
		cancel()
		t.Fatalf("no key on stdout or no url in the log:\nstdout: %s\nstderr: %s", out.String(), errOut.String())
	}
	if strings.Contains(errOut.String(), key) {
		t.Error("the log holds the client key")
	}
	for presented, want := range map[string]int{key: http.StatusBadGateway, "cnp_live_wrongwrongwrongwrong": http.StatusUnauthorized} {
		req, _ := http.NewRequest("GET", base+"/v1/models", nil)
		// No keychain, no account: the client sends its own credential (passthrough).
		req.Header.Set("x-nexus-client-key", presented)
		req.Header.Set("x-api-key", "sk-ant-api03-the-clients-own-credential")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("with key %.12s…: %d %s, want %d (502: past client auth, to an upstream that is down)", presented, resp.StatusCode, body, want)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d", code)
	}
}
