package recording

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"nexus/conversation"
	"nexus/proxy"
)

// BenchmarkStartWhileBatching measures what Queue.Start costs the request that calls it (on
// its way upstream) while the writer gathers a batch, requests about a millisecond apart:
// start-ns. (A writer that received each record as it came was woken by every one: 2.0-2.1 µs
// per Start against 1.45-1.5 µs.)
func BenchmarkStartWhileBatching(b *testing.B) {
	q, err := NewQueue(newMemStore(), b.TempDir(), conversation.DefaultPrices(), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go q.Run(ctx)
	defer func() { cancel(); q.Wait() }()
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		rec := proxy.Record{ID: proxy.NewRecordID(time.Now()), StartedAt: time.Now(), Method: "POST", Path: "/v1/messages"}
		t0 := time.Now()
		q.Start(rec)
		total += time.Since(t0)
		time.Sleep(200 * time.Microsecond)
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "start-ns")
}
