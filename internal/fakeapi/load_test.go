package fakeapi_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"nexus/internal/fakeapi"
)

// TestManyOpenStreams holds 500 streams open at once, as the proxy benchmark does.
func TestManyOpenStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 500 connections")
	}
	srv := start(t)
	srv.KeepBodies(false)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 500}}
	body := requestBody(true, "hi")
	var wg sync.WaitGroup
	errs := make(chan string, 500)
	for range 500 {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", srv.URL()+"/v1/messages", strings.NewReader(body))
			req.Header.Set("x-api-key", "k")
			req.Header.Set(fakeapi.ScenarioHeader, "paced:3:100")
			resp, err := client.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil || !strings.HasSuffix(string(b), "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n") {
				errs <- "incomplete stream"
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if srv.Count() != 500 {
		t.Errorf("count %d", srv.Count())
	}
}

func BenchmarkMessage(b *testing.B) {
	for _, stream := range []bool{false, true} {
		name := map[bool]string{false: "json", true: "stream"}[stream]
		b.Run(name, func(b *testing.B) {
			srv := start(b)
			srv.KeepBodies(false)
			srv.KeepLast(100)
			body := requestBody(stream, strings.Repeat("x", 64<<10))
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.SetBytes(int64(len(body)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("POST", srv.URL()+"/v1/messages", strings.NewReader(body))
					req.Header.Set("x-api-key", "k")
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body) //nolint:errcheck
					resp.Body.Close()
				}
			})
		})
	}
}
