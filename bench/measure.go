package main

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// latencyCase is one body size and mode.
type latencyCase struct {
	label  string
	size   int
	stream bool
}

var latencyCases = []latencyCase{
	{"JSON, 72 KB body", 72 << 10, false},
	{"SSE, 72 KB body", 72 << 10, true},
	{"JSON, 650 KB body", 650 << 10, false},
	{"SSE, 650 KB body", 650 << 10, true},
}

// latencyResult holds per side the request durations (and times to first event for streams).
type latencyResult struct {
	c          latencyCase
	total      map[string][]time.Duration
	firstEvent map[string][]time.Duration
	errors     map[string]int
}

// measureLatency sends n requests per side at concurrency 1, the sides interleaved and their
// order rotated every round so that none is favoured by caches or timing.
func measureLatency(s *sides, n int) []latencyResult {
	var out []latencyResult
	for _, c := range latencyCases {
		body := claudeCodeBody(c.size, c.stream, "text")
		lr := latencyResult{c: c, total: map[string][]time.Duration{}, firstEvent: map[string][]time.Duration{}, errors: map[string]int{}}
		for i := -20; i < n; i++ { // 20 warm-up rounds
			for k := range s.all {
				sd := s.all[(i+k+21)%len(s.all)]
				r := s.do(s.newRequest(sd, body, ""), false)
				if i < 0 {
					continue
				}
				if r.err != nil || !r.complete {
					lr.errors[sd.name]++
					continue
				}
				lr.total[sd.name] = append(lr.total[sd.name], r.total)
				if c.stream {
					lr.firstEvent[sd.name] = append(lr.firstEvent[sd.name], r.firstEvent)
				}
			}
		}
		fmt.Fprintf(os.Stderr, "latency %s: done\n", c.label)
		out = append(out, lr)
	}
	return out
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p / 100 * float64(len(s)-1))
	return s[i]
}

// pacedResult is the timing of paced streams (64 events, 20 ms apart) per side.
type pacedResult struct {
	firstEventP50 map[string]time.Duration
	// eventDelayP50, P99 and Max are the delays from the fake's send stamp to arrival.
	eventDelayP50 map[string]time.Duration
	eventDelayP99 map[string]time.Duration
	eventDelayMax map[string]time.Duration
	// delays holds every event's delay, to count those late by more than 1 ms.
	delays map[string][]time.Duration
	errors map[string]int
}

var stampPattern = regexp.MustCompile(`ts=(\d{19})`)

func measurePaced(s *sides, n int) pacedResult {
	pr := pacedResult{firstEventP50: map[string]time.Duration{}, eventDelayP50: map[string]time.Duration{},
		eventDelayP99: map[string]time.Duration{}, eventDelayMax: map[string]time.Duration{}, errors: map[string]int{}}
	body := claudeCodeBody(72<<10, true, "paced:64:20")
	first := map[string][]time.Duration{}
	delays := map[string][]time.Duration{}
	for i := 0; i < n; i++ {
		for k := range s.all {
			sd := s.all[(i+k)%len(s.all)]
			r := s.do(s.newRequest(sd, body, "paced:64:20"), true)
			if r.err != nil || !r.complete {
				pr.errors[sd.name]++
				continue
			}
			first[sd.name] = append(first[sd.name], r.firstEvent)
			for _, ev := range r.events {
				m := stampPattern.FindSubmatch(ev.data)
				if m == nil {
					continue
				}
				ns, _ := strconv.ParseInt(string(m[1]), 10, 64)
				d := ev.at.Sub(time.Unix(0, ns))
				delays[sd.name] = append(delays[sd.name], d)
				if d > pr.eventDelayMax[sd.name] {
					pr.eventDelayMax[sd.name] = d
				}
			}
		}
	}
	for name := range first {
		pr.firstEventP50[name] = percentile(first[name], 50)
		pr.eventDelayP50[name] = percentile(delays[name], 50)
		pr.eventDelayP99[name] = percentile(delays[name], 99)
	}
	pr.delays = delays
	fmt.Fprintln(os.Stderr, "paced streams: done")
	return pr
}

// measureThroughput runs 32 concurrent clients per side for d, three rounds, interleaved.
func measureThroughput(s *sides, d time.Duration) map[string]float64 {
	const workers = 32
	body := claudeCodeBody(72<<10, false, "text")
	counts := map[string]int64{}
	elapsed := map[string]time.Duration{}
	for round := 0; round < 3; round++ {
		for k := range s.all {
			sd := s.all[(round+k)%len(s.all)]
			var ok atomic.Int64
			stop := time.Now().Add(d)
			start := time.Now()
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for time.Now().Before(stop) {
						if r := s.do(s.newRequest(sd, body, ""), false); r.err == nil && r.complete {
							ok.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			counts[sd.name] += ok.Load()
			elapsed[sd.name] += time.Since(start)
		}
	}
	out := map[string]float64{}
	for name, c := range counts {
		out[name] = float64(c) / elapsed[name].Seconds()
	}
	fmt.Fprintln(os.Stderr, "throughput: done")
	return out
}

// measureOpenStreams holds n streams open at once through each proxy and samples its RSS
// while they are open.
func measureOpenStreams(s *sides, n int) (map[string][2]float64, map[string]int) {
	rss := map[string][2]float64{}
	errs := map[string]int{}
	body := claudeCodeBody(8<<10, true, "paced:24:250") // each stream lasts about 6 s
	for _, sd := range s.all[1:] {
		var wg sync.WaitGroup
		var failed atomic.Int64
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := s.do(s.newRequest(sd, body, "paced:24:250"), false); r.err != nil || !r.complete {
					failed.Add(1)
				}
			}()
		}
		time.Sleep(3 * time.Second)
		rss[sd.name] = [2]float64{rssMB(sd.pid), anonMB(sd.pid)}
		wg.Wait()
		errs[sd.name] = int(failed.Load())
	}
	fmt.Fprintln(os.Stderr, "open streams: done")
	return rss, errs
}

// measureCuts sends n short streams per proxy at concurrency 32 and counts those that failed
// or ended without message_stop.
func measureCuts(s *sides, n int) map[string][2]int {
	const workers = 32
	body := claudeCodeBody(72<<10, true, "text")
	out := map[string][2]int{}
	for _, sd := range s.all[1:] {
		var next, failed atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(n) {
					if r := s.do(s.newRequest(sd, body, ""), false); r.err != nil || !r.complete {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		out[sd.name] = [2]int{n, int(failed.Load())}
	}
	fmt.Fprintln(os.Stderr, "cut streams: done")
	return out
}
