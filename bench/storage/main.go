// Command storage benchmarks the store on real databases (docs/benchmarks.md, "Storage"):
//
//   - storage amplification: a 200-turn Claude Code-shaped session recorded as the recorder
//     records it; bytes on disk ÷ the last request body;
//   - scale: N synthetic requests in N/50 conversations over 30 days, written in the
//     recorder's batches (sustained ingest), then the window's first pages and a 30-day usage
//     aggregate (p50/p95 latency).
//
// SQLite runs in a temporary directory; PostgreSQL in a fresh schema (dropped after) of the
// database at NEXUS_TEST_DATABASE_URL.
//
//	go run ./bench/storage [-backend sqlite|postgres|both] [-requests N] [-out build/bench/storage.md]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"
)

func main() {
	backendFlag := flag.String("backend", "both", "sqlite, postgres or both (postgres needs NEXUS_TEST_DATABASE_URL)")
	requests := flag.Int("requests", 1_000_000, "requests of the scale measurement (conversations: requests/50)")
	runs := flag.Int("runs", 50, "timed runs of each query")
	out := flag.String("out", "build/bench/storage.md", "also write the report to this file ('' for none)")
	only := flag.String("only", "", "run only this part: amplification or scale")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the scale ingest to this file (per backend: .sqlite/.postgres appended)")
	pragma := flag.String("sqlite-pragma", "", "experiment: run PRAGMA this (e.g. wal_autocheckpoint=10000) on the SQLite scale store's reading connections (not the writer's)")
	pgRequests := flag.Int("pg-requests", 0, "requests of PostgreSQL's scale measurement (0: as -requests)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	pgURL := os.Getenv("NEXUS_TEST_DATABASE_URL")
	var names []string
	switch *backendFlag {
	case "sqlite", "postgres":
		names = []string{*backendFlag}
	case "both":
		names = []string{"sqlite", "postgres"}
	default:
		log.Fatalf("-backend %q: want sqlite, postgres or both", *backendFlag)
	}
	if slicesContains(names, "postgres") && pgURL == "" {
		log.Fatal("PostgreSQL needs NEXUS_TEST_DATABASE_URL (e.g. postgres://nexus:nexus@127.0.0.1:5432/nexus_test?sslmode=disable); or use -backend sqlite")
	}

	rep := &report{started: time.Now(), requests: *requests, runs: *runs, cpus: runtime.NumCPU()}
	for _, name := range names {
		if *only == "" || *only == "amplification" {
			for _, whatIf := range []bool{false, true} {
				b, err := openBackend(ctx, name, pgURL)
				if err != nil {
					log.Fatal(err)
				}
				cfg := defaultAmp
				cfg.noMessageCache = whatIf
				log.Printf("%s: amplification (%d turns, cache_control on messages: %v)", b.name, cfg.turns, !whatIf)
				r, err := amplify(ctx, b, cfg)
				if err != nil {
					log.Fatalf("%s amplification: %v", name, err)
				}
				log.Printf("%s: %.2f× on disk, %.1f× naive", b.name, r.ratio(), r.naiveRatio())
				rep.amp = append(rep.amp, r)
				if !whatIf {
					// What one more session costs once the store's fixed pages exist.
					r2, err := amplify(ctx, b, secondSession(cfg))
					if err != nil {
						log.Fatalf("%s amplification, second session: %v", name, err)
					}
					r2.second = true
					log.Printf("%s: a second session grows the store by %.2f× its last body", b.name, r2.growthRatio())
					rep.amp = append(rep.amp, r2)
				}
				b.close()
			}
		}
		if *only == "" || *only == "scale" {
			n := *requests
			if name == "postgres" && *pgRequests > 0 {
				n = *pgRequests
			}
			{
				b, err := openBackend(ctx, name, pgURL)
				if err != nil {
					log.Fatal(err)
				}
				prof := ""
				if *cpuProfile != "" {
					prof = fmt.Sprintf("%s.%s.%d", *cpuProfile, name, n)
				}
				r, err := scale(ctx, b, scaleConfig{requests: n, runs: *runs, seed: 2, cpuProfile: prof, pragma: *pragma})
				b.close()
				if err != nil {
					log.Fatalf("%s scale: %v", name, err)
				}
				rep.scale = append(rep.scale, r)
			}
		}
	}
	rep.elapsed = time.Since(rep.started)
	text := rep.markdown()
	fmt.Print(text)
	if *out != "" {
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// startProfile starts a CPU profile to path ("" for none) and returns its stop.
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
