//go:build e2e

package credentials

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/e2e/nexustest"
	"nexus/internal/fakeapi"
)

const messageBody = `{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`

// post sends one message through the proxy with clientKey and returns the status and body.
func post(t testing.TB, base, clientKey string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/messages", strings.NewReader(messageBody))
	req.Header.Set("x-api-key", clientKey)
	req.Header.Set("content-type", "application/json")
	req.Header.Set("anthropic-version", "2023-06-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("POST /v1/messages: %v", err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func apiKeyFile(key, clientKey string) string {
	return fmt.Sprintf(`{"type":"api_key","accountId":"acc_e2e","api_key":%q,"client_api_key":%q}`, key, clientKey)
}

func oauthFile(access, refresh, clientKey string, expires time.Time) string {
	return fmt.Sprintf(`{"type":"oauth","accountId":"acc_e2e","oauth":{"accessToken":%q,"refreshToken":%q,"expiresAt":%d,"scopes":["user:inference"],"isMax":true},"client_api_key":%q}`,
		access, refresh, expires.UnixMilli(), clientKey)
}

func newClientKey() string { return "cnp_live_" + nexustest.RandomHex(16) + "-e2e" }

// removeAfter removes account name from the session's keychain when t ends.
func (e *env) removeAfter(names ...string) {
	e.T.Cleanup(func() {
		for _, n := range names {
			e.Try("", "credentials", "remove", n)
		}
	})
}

// waitLog waits until the server's log contains s.
func waitLog(t testing.TB, s *nexustest.Server, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(s.Logs(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not log %q within %s:\n%s", want, within, s.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDropLegacyFileWhileServing drops a legacy api_key file with a client key into the
// watched CREDENTIALS_DIR of a running `nexus serve`: within a second, a request through that
// client key goes upstream with the file's API key.
func TestDropLegacyFileWhileServing(t *testing.T) {
	e := newEnv(t)
	fake := nexustest.StartFake(t)
	dir := t.TempDir()
	name := "e2e-drop-" + nexustest.RandomHex(4)
	apiKey := "sk-ant-api03-e2e-drop-" + nexustest.RandomHex(16)
	clientKey := newClientKey()
	fake.AcceptAPIKeys(apiKey)
	e.removeAfter(name)
	s := e.Serve(fake.URL(), "CREDENTIALS_DIR="+dir)

	if code, _ := post(t, s.URL, clientKey); code != http.StatusUnauthorized {
		t.Fatalf("before the drop: status %d, want 401", code)
	}
	path := filepath.Join(dir, name+".credentials.json")
	start := time.Now()
	if err := os.WriteFile(path, []byte(apiKeyFile(apiKey, clientKey)), 0o644); err != nil {
		t.Fatal(err)
	}
	var code int
	var body string
	for {
		code, body = post(t, s.URL, clientKey)
		if code == http.StatusOK || time.Since(start) > time.Second {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(start)
	if code != http.StatusOK {
		t.Fatalf("1 s after the drop: status %d %s", code, body)
	}
	t.Logf("drop → first successful request: %s", took)
	reqs := fake.Requests()
	if got := reqs[len(reqs)-1].Header.Get("X-Api-Key"); got != apiKey {
		t.Errorf("upstream x-api-key is not the file's api_key (%d chars)", len(got))
	}
	logs := s.Logs()
	for _, want := range []string{"imported a legacy credential file", path, "still holds the secret", "group_or_world_readable=true"} {
		if !strings.Contains(logs, want) {
			t.Errorf("serve's log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, apiKey) || strings.Contains(logs, clientKey) {
		t.Errorf("a secret reached serve's log")
	}
}

// TestOAuthRefreshOnceUnderLoad imports a legacy OAuth file whose token expires in 10 s and
// sends 20 requests at once: one refresh, and all 20 go upstream with the new token.
func TestOAuthRefreshOnceUnderLoad(t *testing.T) {
	e := newEnv(t)
	fake := nexustest.StartFake(t)
	dir := t.TempDir()
	name := "e2e-oauth-" + nexustest.RandomHex(4)
	access := "sk-ant-oat01-e2e-old-" + nexustest.RandomHex(16)
	refresh := "sk-ant-ort01-e2e-" + nexustest.RandomHex(16)
	clientKey := newClientKey()
	fake.AddRefreshToken(refresh)
	fake.AcceptBearerTokens("sk-ant-oat01-only-issued-tokens") // and those the fake issues
	e.removeAfter(name)
	if err := os.WriteFile(filepath.Join(dir, name+".credentials.json"),
		[]byte(oauthFile(access, refresh, clientKey, time.Now().Add(10*time.Second))), 0o600); err != nil {
		t.Fatal(err)
	}
	s := e.Serve(fake.URL(), "CREDENTIALS_DIR="+dir, "CLAUDE_OAUTH_TOKEN_URL="+fake.URL()+"/v1/oauth/token")
	waitLog(t, s, "account="+name, 2*time.Second)

	const n = 20
	var wg sync.WaitGroup
	codes := make([]int, n)
	bodies := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); codes[i], bodies[i] = post(t, s.URL, clientKey) }()
	}
	wg.Wait()
	if c := fake.TokenCalls(); c != 1 {
		t.Errorf("token endpoint called %d times, want exactly 1", c)
	}
	for i := range n {
		if codes[i] != http.StatusOK {
			t.Errorf("request %d: %d %s", i, codes[i], bodies[i])
		}
	}
	newAccess, _ := fake.LastIssued()
	seen := 0
	for _, r := range fake.Requests() {
		if r.Path != "/v1/messages" {
			continue
		}
		seen++
		if r.Header.Get("Authorization") != "Bearer "+newAccess {
			t.Errorf("upstream request without the refreshed token")
		}
		if !strings.Contains(strings.Join(r.Header.Values("Anthropic-Beta"), ","), "oauth-2025-04-20") {
			t.Errorf("upstream request without the oauth beta: %q", r.Header.Values("Anthropic-Beta"))
		}
	}
	if seen != n {
		t.Errorf("the fake saw %d messages, want %d", seen, n)
	}
	// list --json shows the new expiry, in RFC 3339: the fake's lifetime from about now, not the
	// old token's 10 s. (Comparing dates alone failed when the expiry crossed midnight UTC.)
	out := e.Run("", "credentials", "list", "--json")
	var list struct {
		Accounts []struct {
			Name      string    `json:"name"`
			ExpiresAt time.Time `json:"expires_at"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Accounts) != 1 || list.Accounts[0].Name != name {
		t.Fatalf("list --json (%v):\n%s", err, out)
	}
	want := time.Now().Add(fakeapi.DefaultExpiresIn)
	if got := list.Accounts[0].ExpiresAt; got.Before(want.Add(-time.Minute)) || got.After(want.Add(time.Minute)) {
		t.Errorf("expires_at %s, want about %s:\n%s", got.Format(time.RFC3339), want.UTC().Format(time.RFC3339), out)
	}
}

// login runs `nexus credentials login NAME`, answering the authorize URL with code (registered
// with the fake under the URL's challenge) and the URL's state, or with badState when set.
func (e *env) login(fake *fakeapi.Server, name, code, badState string, register bool) (stdout, stderr string, exit int) {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.Bin, "credentials", "login", name)
	cmd.Env = e.Vars
	in, _ := cmd.StdinPipe()
	outPipe, _ := cmd.StdoutPipe()
	var errBuf strings.Builder
	cmd.Stderr = &errBuf
	if err := cmd.Start(); err != nil {
		e.T.Fatal(err)
	}
	rd := bufio.NewReader(outPipe)
	line, err := rd.ReadString('\n')
	if err != nil {
		cmd.Wait()
		e.T.Fatalf("login printed no URL: %v\n%s", err, errBuf.String())
	}
	u, err := url.Parse(strings.TrimSpace(line))
	if err != nil {
		e.T.Fatalf("login printed %q", line)
	}
	if register {
		fake.AddAuthCode(code, u.Query().Get("code_challenge"))
	}
	state := u.Query().Get("state")
	if badState != "" {
		state = badState
	}
	fmt.Fprintf(in, "%s#%s\n", code, state)
	in.Close()
	rest, _ := io.ReadAll(rd)
	exit = 0
	if err := cmd.Wait(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			exit = ee.ExitCode()
		} else {
			e.T.Fatal(err)
		}
	}
	return line + string(rest), errBuf.String(), exit
}

// TestNoSecretLeaks plants known secrets, exercises every credential path through the CLI and
// serve, and then searches every output, log and file for them.
func TestNoSecretLeaks(t *testing.T) {
	e := newEnv(t)
	fake := nexustest.StartFake(t)
	tokenURL := "CLAUDE_OAUTH_TOKEN_URL=" + fake.URL() + "/v1/oauth/token"
	e.Vars = append(e.Vars, tokenURL)
	dir := t.TempDir()
	tag := nexustest.RandomHex(4)
	var outputs []string // every stdout and stderr that must hold no secret
	var clientKeyOutputs []string
	record := func(out, errOut string, _ int) { outputs = append(outputs, out, errOut) }

	acctKey, acctLogin, acctLegacy, acctOAuth, acctDead := "leak-key-"+tag, "leak-login-"+tag, "leak-legacy-"+tag, "leak-oauth-"+tag, "leak-dead-"+tag
	e.removeAfter(acctKey, acctLogin, acctLegacy, acctOAuth, acctDead, "leak-watched-"+tag)
	apiKey := "sk-ant-api03-LEAKKEY-" + nexustest.RandomHex(20)
	badKey := "sk-ant-api03-BADPASTE-" + nexustest.RandomHex(10) + " " + nexustest.RandomHex(10)
	code, badCode := "authcode-"+nexustest.RandomHex(16), "authcode-bad-"+nexustest.RandomHex(16)
	legacyKey := "sk-ant-api03-LEGACY-" + nexustest.RandomHex(20)
	legacyClient, oauthClient, deadClient, watchedClient := newClientKey(), newClientKey(), newClientKey(), newClientKey()
	oauthAccess, oauthRefresh := "sk-ant-oat01-LEAKACCESS-"+nexustest.RandomHex(16), "sk-ant-ort01-LEAKREFRESH-"+nexustest.RandomHex(16)
	deadAccess, deadRefresh := "sk-ant-oat01-DEADACCESS-"+nexustest.RandomHex(16), "sk-ant-ort01-DEADREFRESH-"+nexustest.RandomHex(16)
	malformedSecret := "sk-ant-api03-MALFORMED-" + nexustest.RandomHex(20)
	watchedKey := "sk-ant-api03-WATCHED-" + nexustest.RandomHex(20)
	secrets := []string{apiKey, badKey, code, badCode, legacyKey, oauthAccess, oauthRefresh, deadAccess, deadRefresh, malformedSecret, watchedKey}
	clientKeys := []string{legacyClient, oauthClient, deadClient, watchedClient}
	fake.AddRefreshToken(oauthRefresh) // deadRefresh is unknown: invalid_grant

	// add-key, and its error path.
	record(e.Try(apiKey+"\n", "credentials", "add-key", acctKey))
	record(e.Try(badKey+"\n", "credentials", "add-key", acctKey))
	// login, a wrong state, and a code the endpoint refuses.
	outLogin, errLogin, exit := e.login(fake, acctLogin, code, "", true)
	record(outLogin, errLogin, exit)
	if exit != 0 {
		t.Fatalf("login: exit %d\n%s", exit, errLogin)
	}
	if _, errOut, exit := e.login(fake, acctLogin, "authcode-other-"+tag, "wrong-state", true); exit != 1 || !strings.Contains(errOut, "state") {
		t.Errorf("login with a wrong state: exit %d\n%s", exit, errOut)
	}
	outLogin, errLogin, exit = e.login(fake, acctLogin, badCode, "", false) // refused: invalid_grant
	record(outLogin, errLogin, exit)
	if exit != 1 || !strings.Contains(errLogin, "invalid_grant") {
		t.Errorf("login with a refused code: exit %d\n%s", exit, errLogin)
	}
	// import: an api key with a client key, OAuth accounts, and a malformed file with a secret.
	files := map[string]string{
		acctLegacy:              apiKeyFile(legacyKey, legacyClient),
		acctOAuth:               oauthFile(oauthAccess, oauthRefresh, oauthClient, time.Now().Add(10*time.Second)),
		acctDead:                oauthFile(deadAccess, deadRefresh, deadClient, time.Now().Add(-time.Minute)),
		"leak-malformed-" + tag: `{"type":"api_key","api_key":"` + malformedSecret + `"`,
	}
	for n, data := range files {
		if err := os.WriteFile(filepath.Join(dir, n+".credentials.json"), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, exit := e.Try("", "credentials", "import", dir)
	record(out, errOut, exit)
	if exit != 1 || !strings.Contains(errOut, "leak-malformed-"+tag+".credentials.json") {
		t.Errorf("import with a malformed file: exit %d\n%s", exit, errOut)
	}
	os.Remove(filepath.Join(dir, "leak-malformed-"+tag+".credentials.json"))
	record(e.Try("", "credentials", "list"))
	record(e.Try("", "credentials", "list", "--json"))

	// serve: a refresh, an invalid_grant, a watched file, requests through every key.
	s := e.Serve(fake.URL(), "CREDENTIALS_DIR="+dir)
	if code, body := post(t, s.URL, oauthClient); code != http.StatusOK {
		t.Errorf("through the OAuth account: %d %s", code, body)
	}
	codeDead, bodyDead := post(t, s.URL, deadClient)
	if codeDead != http.StatusUnauthorized || !strings.Contains(bodyDead, "nexus credentials login "+acctDead) {
		t.Errorf("through the dead account: %d %s", codeDead, bodyDead)
	}
	outputs = append(outputs, bodyDead)
	if err := os.WriteFile(filepath.Join(dir, "leak-watched-"+tag+".credentials.json"), []byte(apiKeyFile(watchedKey, watchedClient)), 0o600); err != nil {
		t.Fatal(err)
	}
	waitLog(t, s, "account=leak-watched-"+tag, 2*time.Second)
	if code, body := post(t, s.URL, watchedClient); code != http.StatusOK {
		t.Errorf("through the watched file's key: %d %s", code, body)
	}
	if code, body := post(t, s.URL, legacyClient); code != http.StatusOK {
		t.Errorf("through the legacy key: %d %s", code, body)
	}
	// rotation of the main client key (printed on stdout by design: checked apart).
	show, errShow, _ := e.Try("", "client-key", "show")
	rot, errRot, _ := e.Try("", "client-key", "rotate")
	outputs = append(outputs, errShow, errRot)
	clientKeyOutputs = append(clientKeyOutputs, show, rot)
	mainKeys := []string{strings.TrimSpace(show), strings.TrimSpace(rot)}
	time.Sleep(4 * time.Second) // the running serve picks the rotation up
	record(e.Try("", "credentials", "list", "--json"))
	if err := s.Stop(t); err != nil {
		t.Errorf("serve: %v", err)
	}

	// Every token the fake issued is a secret too.
	lastAccess, _ := fake.LastIssued()
	var issued int
	fmt.Sscanf(strings.TrimPrefix(lastAccess, "sk-ant-oat01-fake-"), "%d", &issued)
	if issued < 2 {
		t.Errorf("the fake issued %d token pairs, want the login's and a refresh", issued)
	}
	for i := 1; i <= issued; i++ {
		secrets = append(secrets, fmt.Sprintf("sk-ant-oat01-fake-%06d", i), fmt.Sprintf("sk-ant-ort01-fake-%06d", i))
	}
	all := append(append(append([]string{}, secrets...), clientKeys...), mainKeys...)

	check := func(where, text string, list []string) {
		for _, sec := range list {
			if sec != "" && strings.Contains(text, sec) {
				t.Errorf("%s contains a secret (%s…)", where, sec[:min(16, len(sec))])
			}
		}
	}
	check("serve's stderr", s.Logs(), all)
	for i, o := range outputs {
		check(fmt.Sprintf("CLI output #%d", i), o, all)
	}
	for _, o := range clientKeyOutputs {
		check("client-key output", o, append(append([]string{}, secrets...), clientKeys...))
	}
	files2 := 0
	walk := func(root string) {
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("reading %s: %v", p, err)
				return nil
			}
			files2++
			check(p, string(b), all)
			return nil
		})
	}
	walk(e.DataDir)
	walk(filepath.Join(filepath.Dir(e.DataDir), "config")) // the settings file
	if files2 == 0 {
		t.Error("no files searched in the data dir")
	}
	if _, err := os.Stat(filepath.Join(e.DataDir, "nexus.db")); err != nil {
		matches, _ := filepath.Glob(filepath.Join(e.DataDir, "*.db*"))
		if len(matches) == 0 {
			t.Errorf("no SQLite database found in %s", e.DataDir)
		}
	}
}
