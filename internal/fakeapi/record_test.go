package fakeapi_test

import (
	"fmt"
	"sync"
	"testing"
)

func TestRecording(t *testing.T) {
	srv := start(t)
	resp, body := message(t, srv, false, "X-Claude-Code-Session-Id", "s1")
	resp.Body.Close()
	recs := srv.Requests()
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if r.Method != "POST" || r.Path != "/v1/messages" || r.RawQuery != "beta=true" || string(r.Body) != body ||
		r.BodyLen != len(body) || r.Header.Get("X-Claude-Code-Session-Id") != "s1" || r.Status != 200 || r.Scenario != "" {
		t.Errorf("record %+v", r)
	}

	srv.KeepBodies(false)
	resp, body = message(t, srv, false)
	resp.Body.Close()
	if r := srv.Requests()[1]; r.Body != nil || r.BodyLen != len(body) {
		t.Errorf("body kept: %+v", r)
	}

	srv.Reset()
	if len(srv.Requests()) != 0 || srv.Count() != 0 {
		t.Errorf("after Reset: %d records, count %d", len(srv.Requests()), srv.Count())
	}
}

func TestRecordingBoundedAndConcurrent(t *testing.T) {
	srv := start(t)
	srv.KeepLast(5)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			resp, _ := message(t, srv, i%2 == 0, "x-n", fmt.Sprint(i))
			readAll(t, resp) //nolint:errcheck
		})
	}
	wg.Wait()
	if srv.Count() != 64 || len(srv.Requests()) != 5 {
		t.Errorf("count %d, %d records", srv.Count(), len(srv.Requests()))
	}
}
