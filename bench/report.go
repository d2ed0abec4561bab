package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

type report struct {
	started    time.Time
	idleRSS    map[string][2]float64
	latency    []latencyResult
	paced      pacedResult
	throughput map[string]float64
	streamRSS  map[string][2]float64
	streamErrs map[string]int
	cuts       map[string][2]int
	records    recording
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d.Microseconds())/1000) }

func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("## Proxy benchmark (%s, %d CPUs, %s)\n\n", r.started.UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), runtime.Version())
	p("Loopback, fake Anthropic API, recording on (SQLite). Sides interleaved in one run.\n\n")
	p("### Latency at concurrency 1 (ms; added = side − direct)\n\n")
	p("| case | direct p50 | direct p99 | bare p50 | bare p99 | Nexus p50 | Nexus p99 | bare added p50 | Nexus added p50 | Nexus − bare p50 | bare added p99 | Nexus added p99 |\n")
	p("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, l := range r.latency {
		d50, d99 := percentile(l.total["direct"], 50), percentile(l.total["direct"], 99)
		b50, b99 := percentile(l.total["bare ReverseProxy"], 50), percentile(l.total["bare ReverseProxy"], 99)
		n50, n99 := percentile(l.total["Nexus"], 50), percentile(l.total["Nexus"], 99)
		p("| %s | %s | %s | %s | %s | %s | %s | %s | %s | **%s** | %s | %s |\n", l.c.label, ms(d50), ms(d99), ms(b50), ms(b99),
			ms(n50), ms(n99), ms(b50-d50), ms(n50-d50), ms(n50-b50), ms(b99-d99), ms(n99-d99))
	}
	p("\n### Time to first event (SSE, p50, ms)\n\n| case | direct | bare | Nexus | bare added | Nexus added |\n|---|---|---|---|---|---|\n")
	for _, l := range r.latency {
		if !l.c.stream {
			continue
		}
		d, bb, n := percentile(l.firstEvent["direct"], 50), percentile(l.firstEvent["bare ReverseProxy"], 50), percentile(l.firstEvent["Nexus"], 50)
		p("| %s | %s | %s | %s | %s | %s |\n", l.c.label, ms(d), ms(bb), ms(n), ms(bb-d), ms(n-d))
	}
	pr := r.paced
	p("\n### Paced stream (64 events, 20 ms apart; delay = arrival − the fake's send stamp, ms)\n\n")
	p("| side | first event p50 | event delay p50 | p99 | max | added max (vs direct p50) | events over 1 ms added | failed |\n|---|---|---|---|---|---|---|---|\n")
	for _, name := range []string{"direct", "bare ReverseProxy", "Nexus"} {
		late := 0
		for _, d := range pr.delays[name] {
			if d-pr.eventDelayP50["direct"] > time.Millisecond {
				late++
			}
		}
		p("| %s | %s | %s | %s | %s | %s | %d of %d | %d |\n", name, ms(pr.firstEventP50[name]), ms(pr.eventDelayP50[name]),
			ms(pr.eventDelayP99[name]), ms(pr.eventDelayMax[name]), ms(pr.eventDelayMax[name]-pr.eventDelayP50["direct"]),
			late, len(pr.delays[name]), pr.errors[name])
	}
	p("\n### Throughput at concurrency 32 (72 KB JSON requests)\n\n| side | requests/s | share of bare |\n|---|---|---|\n")
	for _, name := range []string{"direct", "bare ReverseProxy", "Nexus"} {
		p("| %s | %.0f | %.0f %% |\n", name, r.throughput[name], 100*r.throughput[name]/r.throughput["bare ReverseProxy"])
	}
	p("\n### Memory (MB: RSS, and its anonymous part without shared libraries) and streams\n\n")
	p("| proxy | idle RSS | idle anon | open streams RSS | open streams anon | failed open streams | cut or failed streams |\n|---|---|---|---|---|---|---|\n")
	for _, name := range []string{"bare ReverseProxy", "Nexus"} {
		c := r.cuts[name]
		p("| %s | %.1f | %.1f | %.1f | %.1f | %d | %d of %d |\n", name, r.idleRSS[name][0], r.idleRSS[name][1],
			r.streamRSS[name][0], r.streamRSS[name][1], r.streamErrs[name], c[1], c[0])
	}
	p("\nRequests sent through Nexus: %d; recorded in its database: %d (%d with their bodies; the rest metadata only,\n"+
		"shed while the machine was saturated), the last written %.1f s after the traffic ended.\n",
		nexusSent.Load(), r.records.rows, r.records.withBodies, r.records.catchUp.Seconds())
	return b.String()
}
