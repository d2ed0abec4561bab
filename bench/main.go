// Command bench measures what the Nexus proxy adds to Anthropic API traffic, against the
// direct path and a bare httputil.ReverseProxy, all three interleaved in one run on loopback
// in front of the project's fake Anthropic API. Recording is on. It prints a Markdown report.
//
//	go run ./bench --nexus build/bin/nexus --fakeapi BIN --bareproxy BIN
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"time"
)

func main() {
	nexusBin := flag.String("nexus", "build/bin/nexus", "the nexus binary")
	fakeBin := flag.String("fakeapi", "", "the fake API binary (go build ./internal/fakeapi/cmd/fakeapi)")
	bareBin := flag.String("bareproxy", "", "the bare proxy binary (go build ./bench/bareproxy)")
	latencyN := flag.Int("latency-n", 400, "requests per side and body size for latency")
	pacedN := flag.Int("paced-n", 10, "paced streams per side")
	tputFor := flag.Duration("throughput-for", 4*time.Second, "time per side per round for throughput")
	streams := flag.Int("streams", 500, "concurrent open streams for the RSS check")
	cutN := flag.Int("cut-n", 20000, "streams per side for the cut-stream count")
	out := flag.String("out", "", "also write the report to this file")
	keyLen := flag.Int("key-len", 108, "length of the upstream API key the sides send (a real one's is 108; at least 15)")
	flag.Parse()
	if *fakeBin == "" || *bareBin == "" {
		log.Fatal("--fakeapi and --bareproxy are required")
	}

	env, err := startSides(*nexusBin, *fakeBin, *bareBin, *keyLen)
	if err != nil {
		log.Fatal(err)
	}
	defer env.close()

	r := &report{started: time.Now()}
	// Idle means settled: nexus serve gives back the pages of libraries it never runs just
	// after it starts listening, and the health check can answer before that.
	time.Sleep(2 * time.Second)
	r.idleRSS = env.rss()
	r.latency = measureLatency(env, *latencyN)
	r.paced = measurePaced(env, *pacedN)
	r.throughput = measureThroughput(env, *tputFor)
	r.streamRSS, r.streamErrs = measureOpenStreams(env, *streams)
	r.cuts = measureCuts(env, *cutN)
	r.records = env.recorded()
	text := r.markdown()
	fmt.Print(text)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
