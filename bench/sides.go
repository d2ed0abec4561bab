package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"nexus/store/sqlite"
)

// side is one way to reach the fake API: direct, through the bare proxy, or through Nexus.
type side struct {
	name string
	base string
	key  string // sent as x-api-key
	pid  int    // the proxy process, 0 for direct
}

// sides holds the processes of one benchmark run.
type sides struct {
	fake, bare, nexus *exec.Cmd
	all               []side // direct, bare, nexus
	dataDir, tmp      string
	client            *http.Client
}

func (s *sides) direct() side    { return s.all[0] }
func (s *sides) bareSide() side  { return s.all[1] }
func (s *sides) nexusSide() side { return s.all[2] }

// apiKeyOfLength returns a key of length n shaped like a real Anthropic API key ("sk-ant-api03-",
// URL-safe base64 characters, "AA"; real ones are 108 characters). Its length matters to the
// latency measured: with a 35-character key Nexus's added p50 at 650 KB was 0.1–0.2 ms higher
// than with a 52- or 135-character one, in the same build (docs/benchmarks.md, session 13).
func apiKeyOfLength(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	key := []byte("sk-ant-api03-")
	for i := 0; len(key) < max(n-2, 13); i++ {
		key = append(key, alphabet[i*7%len(alphabet)])
	}
	return string(key) + "AA"
}

func startSides(nexusBin, fakeBin, bareBin string, keyLen int) (*sides, error) {
	upstreamKey := apiKeyOfLength(keyLen)
	tmp, err := os.MkdirTemp("", "nexus-bench-")
	if err != nil {
		return nil, err
	}
	s := &sides{tmp: tmp, dataDir: filepath.Join(tmp, "data")}
	s.client = &http.Client{Transport: &http.Transport{
		MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, DisableCompression: true, IdleConnTimeout: time.Minute,
	}}
	fakeURL, fake, err := startListening(fakeBin, nil, "--addr", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake API: %w", err)
	}
	s.fake = fake
	// Both proxies start from binaries as they are on disk, not as the linker left them in
	// memory (pagecache_linux.go): that is what their users run, and it is fair to both.
	for _, bin := range []string{bareBin, nexusBin} {
		if err := loadFromDisk(bin); err != nil {
			fmt.Fprintf(os.Stderr, "could not drop %s from the page cache (its RSS may be larger): %v\n", bin, err)
		}
	}
	bareURL, bare, err := startListening(bareBin, nil, "--upstream", fakeURL)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("bare proxy: %w", err)
	}
	s.bare = bare

	env := append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(tmp, "config"))
	env = withoutVar(env, "DATABASE_URL")
	run := func(stdin string, args ...string) (string, error) {
		cmd := exec.Command(nexusBin, args...)
		cmd.Env, cmd.Stdin, cmd.Stderr = env, strings.NewReader(stdin), os.Stderr
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	if _, err := run(upstreamKey+"\n", "credentials", "add-key", "bench"); err != nil {
		s.close()
		return nil, fmt.Errorf("adding the bench account (is a keychain running? use scripts/test-session.sh): %w", err)
	}
	if _, err := run("", "credentials", "default", "bench"); err != nil {
		s.close()
		return nil, err
	}
	clientKey, err := run("", "client-key", "show")
	if err != nil {
		s.close()
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		s.close()
		return nil, err
	}
	nexus := exec.Command(nexusBin, "serve", "--port", strconv.Itoa(port), "--data-dir", s.dataDir, "--upstream", fakeURL)
	nexus.Env = env
	logf, _ := os.Create(filepath.Join(tmp, "nexus.log"))
	nexus.Stderr = logf
	if err := nexus.Start(); err != nil {
		s.close()
		return nil, err
	}
	s.nexus = nexus
	nexusURL := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitHealthy(nexusURL); err != nil {
		s.close()
		return nil, err
	}
	s.all = []side{
		{name: "direct", base: fakeURL, key: upstreamKey},
		{name: "bare ReverseProxy", base: bareURL, key: upstreamKey, pid: bare.Process.Pid},
		{name: "Nexus", base: nexusURL, key: clientKey, pid: nexus.Process.Pid},
	}
	return s, nil
}

// startListening starts a helper that prints "listening URL" as its first line.
func startListening(bin string, env []string, args ...string) (string, *exec.Cmd, error) {
	cmd := exec.Command(bin, args...)
	if env != nil {
		cmd.Env = env
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		return "", nil, fmt.Errorf("%s printed no address: %w", bin, err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if !ok {
		cmd.Process.Kill()
		return "", nil, fmt.Errorf("%s printed %q", bin, line)
	}
	return url, cmd, nil
}

func waitHealthy(base string) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not become healthy", base)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func withoutVar(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// rss returns the resident memory of the two proxies, in MB: total and anonymous.
func (s *sides) rss() map[string][2]float64 {
	out := map[string][2]float64{}
	for _, sd := range s.all[1:] {
		out[sd.name] = [2]float64{rssMB(sd.pid), anonMB(sd.pid)}
	}
	return out
}

func rssMB(pid int) float64 { return procStatusMB(pid, "VmRSS:") }

// anonMB is the anonymous part of the RSS: the heap and stacks, without the file-backed
// pages of the binary and its shared libraries.
func anonMB(pid int) float64 { return procStatusMB(pid, "RssAnon:") }

func procStatusMB(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return -1
}

// recording is what Nexus's recorder made of the requests sent through it.
type recording struct {
	rows       int64         // finished requests in its database
	withBodies int64         // of which stored with their bodies
	catchUp    time.Duration // from the end of the traffic until rows stopped growing
}

// recorded waits for Nexus's recorder to write what it holds (until the row count reaches
// what was sent, or has not grown for 10 s), then counts the rows. The recorder writes at low
// priority, so under the bench's saturating load it falls behind and catches up afterwards.
func (s *sides) recorded() recording {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.dataDir, sqlite.FileName)+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return recording{rows: -1}
	}
	defer db.Close()
	var r recording
	start, lastGrowth := time.Now(), time.Now()
	for time.Since(lastGrowth) < 10*time.Second && time.Since(start) < 5*time.Minute {
		var n int64
		if err := db.QueryRow(`SELECT count(*) FROM requests WHERE finished`).Scan(&n); err != nil {
			return recording{rows: -1}
		}
		if n > r.rows {
			r.rows, lastGrowth = n, time.Now()
		}
		if n >= nexusSent.Load() {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	r.catchUp = lastGrowth.Sub(start)
	if err := db.QueryRow(`SELECT count(*) FROM requests WHERE finished AND content = 'stored'`).Scan(&r.withBodies); err != nil {
		r.withBodies = -1
	}
	return r
}

func (s *sides) close() {
	for _, c := range []*exec.Cmd{s.nexus, s.bare, s.fake} {
		if c != nil && c.Process != nil {
			c.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { c.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				c.Process.Kill()
			}
		}
	}
	os.RemoveAll(s.tmp)
}
