package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
)

type report struct {
	started  time.Time
	elapsed  time.Duration
	requests int
	runs     int
	cpus     int
	amp      []ampResult
	scale    []scaleResult
}

func kb(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }
func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// label names a scale run: backend, size and whether the index fix was applied.
func (s scaleResult) label() string {
	n := fmt.Sprintf("%dk", s.requests/1000)
	if s.requests%1000 != 0 {
		n = fmt.Sprint(s.requests)
	}
	if s.requests >= 1_000_000 && s.requests%1_000_000 == 0 {
		n = fmt.Sprintf("%dM", s.requests/1_000_000)
	}
	if s.pragma != "" {
		n += ", " + s.pragma
	}
	return fmt.Sprintf("%s %s", s.backend, n)
}

func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# Storage benchmark\n\n")
	p("`go run ./bench/storage`, %s, %s/%s, %d CPUs, %s; total run time %s.\n\n", r.started.UTC().Format("2006-01-02 15:04 UTC"),
		runtime.GOOS, runtime.GOARCH, r.cpus, runtime.Version(), r.elapsed.Round(time.Second))

	if len(r.amp) > 0 {
		a0 := r.amp[0]
		p("## Storage amplification\n\n")
		p("One Claude Code-shaped session of %d requests (system prompt + tools %s on every call; the history grows by an\n"+
			"assistant message and a tool result or user prompt per turn; cache_control on the last message; streamed answers),\n"+
			"recorded as the recorder does: a start, then `Bodies.Prepare` and a finish, each its own `WriteRequests`.\n\n",
			a0.requests, kb(int64(a0.fixed)))
		p("| backend | last request body | naive (all bodies as sent) | naive ÷ last | on disk | **on disk ÷ last** | target ≤ 1.5 | empty schema | (on disk − empty) ÷ last | compacted ÷ last |\n")
		p("|---|---|---|---|---|---|---|---|---|---|\n")
		for _, a := range r.amp {
			name, met := a.backend, yes(a.ratio() <= 1.5)
			if a.whatIf {
				name, met = a.backend+": what-if, no cache_control on messages", "–"
			}
			if a.second {
				// The store held the first session: what this one added is the measure.
				p("| %s: a second session, into the same store (what it added) | %s | %s | %.1f× | +%s | **%.2f×** | – | %s before it | %.2f× | – |\n",
					a.backend, kb(int64(a.lastBody)), mb(a.naive), a.naiveRatio(), kb(a.onDisk-a.emptyDB), a.growthRatio(),
					kb(a.emptyDB), a.growthRatio())
				continue
			}
			p("| %s | %s | %s | %.1f× | %s | **%.2f×** | %s | %s | %.2f× | %.2f× |\n", name, kb(int64(a.lastBody)), mb(a.naive),
				a.naiveRatio(), kb(a.onDisk), a.ratio(), met, kb(a.emptyDB),
				float64(a.onDisk-a.emptyDB)/float64(a.lastBody), float64(a.compacted)/float64(a.lastBody))
		}
		p("\n")
		for _, a := range r.amp {
			if a.whatIf || a.second {
				continue
			}
			p("- %s (%s): %d blobs, %s plain → %s sealed (zstd + AES-GCM, %.1f× smaller); %d message nodes; "+
				"%d of %d sampled requests rebuilt byte for byte (request and response); %d conversation(s), %d requests in it; "+
				"%d redactions; recorded in %s.\n",
				a.backend, a.onDiskHow, a.blobs, kb(a.blobPlain), kb(a.blobSealed), float64(a.blobPlain)/float64(max(a.blobSealed, 1)),
				a.nodes, a.verified, a.verified, a.conversations, a.convRequests, a.redactions, a.elapsed.Round(time.Millisecond))
			if len(a.tables) > 0 {
				var names []string
				for n := range a.tables {
					names = append(names, n)
				}
				slices.SortFunc(names, func(x, y string) int { return int(a.tables[y] - a.tables[x]) })
				var parts []string
				for _, n := range names {
					parts = append(parts, fmt.Sprintf("%s %s", n, kb(a.tables[n])))
				}
				p("  Tables with their indexes: %s.\n", strings.Join(parts, ", "))
			}
			if a.pageUse[0] > 0 {
				p("  Pages: %s of payload, %s unused inside pages.\n", kb(a.pageUse[0]), kb(a.pageUse[1]))
			}
			var parts []string
			for _, k := range pieceKinds {
				if pc := a.pieces[k]; pc != nil && pc.n > 0 {
					parts = append(parts, fmt.Sprintf("%s: %d, %s → %s", k, pc.n, kb(pc.plain), kb(pc.sealed)))
				}
			}
			p("  Blobs written, plain → sealed: %s.\n", strings.Join(parts, "; "))
		}
		p("\n")
	}

	if len(r.scale) > 0 {
		s0 := r.scale[0] // the largest run, whose sizes are described
		for _, s := range r.scale {
			if s.requests > s0.requests {
				s0 = s
			}
		}
		p("## Scale\n\n")
		p("The largest run: %d requests in %d Claude Code sessions (10–90 requests each) over 30 days, 25 client keys, 4\n"+
			"accounts, 3 models. Each session: a Haiku title side call, tool loops, the user writing again about every tenth\n"+
			"turn, ~2 %% failed attempts (529, 500, 429, no answer) retried. Small real bodies (a shared 2.4 KB tool list, a\n"+
			"1.3 KB system prompt per session, messages of 0.1–0.8 KB, streamed answers) go through `Bodies.Prepare`, so every\n"+
			"request carries its linking keys and its new sealed pieces and conversations form by linking. Written as the\n"+
			"recorder writes: a start and a finish per request in time order, %d ops per `WriteRequests` (a start whose finish is\n"+
			"in the same batch is dropped). Bodies are generated and prepared on a second goroutine, as on the proxy's side, and\n"+
			"marked stored as soon as prepared: in real time a session's next request comes seconds later, when the recorder has\n"+
			"long written the previous one. *Ingest* is requests ÷ wall time of the writes (both goroutines share the 2 CPUs);\n"+
			"*store-only* is requests ÷ time inside `WriteRequests`.\n\n", s0.requests, s0.conversations, batchOps)
		p("| backend | requests | batches | wall | **ingest (requests/s)** | store-only (requests/s) | slowest / fastest tenth | target ≥ 2,000/s | on disk | per request |\n")
		p("|---|---|---|---|---|---|---|---|---|---|\n")
		for _, s := range r.scale {
			lo, hi := slices.Min(s.windows), slices.Max(s.windows)
			target := yes(s.rate() >= 2000)
			if s.backend != "SQLite" {
				target = "(no target)"
			}
			p("| %s | %d | %d | %s | **%.0f** | %.0f | %.0f / %.0f | %s | %s | %.0f B |\n", s.label(), s.requests, s.batches,
				s.wall.Round(time.Second), s.rate(), s.storeRate(), lo, hi, target, mb(s.onDisk), float64(s.onDisk)/float64(s.requests))
		}
		p("\n")
		for _, s := range r.scale {
			p("- %s: %d conversations stored (%d sessions planned); %d successful requests left unlinked, %d sessions split "+
				"across conversations; %d blobs stored of %d sent (%s of bodies as sent); body generation + `Prepare` %s of CPU "+
				"on the producer goroutine.\n", s.label(), s.storedConvs, s.conversations, s.unlinked, s.splitSessions, s.blobRows,
				s.blobsSent, mb(s.bodyBytes), s.prepare.Round(time.Second))
		}
		p("\n")
		p("Query latency after the load, %d timed runs each after 3 warm-up runs (ms):\n\n", r.runs)
		p("| query |")
		sep := "|---|"
		for _, s := range r.scale {
			p(" %s p50 | p95 |", s.label())
			sep += "---|---|"
		}
		p(" rows | target | met |\n%s---|---|---|\n", sep)
		for i, q := range s0.queries {
			p("| %s |", q.name)
			met := []string{}
			for _, s := range r.scale {
				if i < len(s.queries) {
					p(" %.2f | %.2f |", ms(s.queries[i].p50), ms(s.queries[i].p95))
					met = append(met, s.queries[i].met())
				}
			}
			target := q.target
			if target == "" {
				target = "–"
			}
			p(" %d | %s | %s |\n", q.rows, target, strings.Join(slices.Compact(met), " / "))
		}
		p("\n")
	}
	return b.String()
}
