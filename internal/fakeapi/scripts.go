package fakeapi

import (
	"net/http"
	"time"
)

// Reply scripts the answer to one POST /v1/messages request. The zero Reply leaves every
// choice to the request itself (ScenarioHeader, then the body marker, then text).
type Reply struct {
	// Scenario is a scenario name as for ScenarioHeader; "" lets the request choose.
	Scenario string
	// Text replaces the answer text of the text and slow_headers scenarios.
	Text string
	// Usage, if set, replaces the derived usage (see UsageFor) as the answer's final usage.
	Usage *Usage
	// Header is added to the response headers, replacing defaults of the same name.
	Header http.Header
	// Delay holds the response headers back, on top of any slow_headers delay.
	Delay time.Duration
}

// Enqueue appends replies to the queue. Each POST /v1/messages request that passes
// authentication and carries a JSON body takes the next queued Reply; once the queue is
// empty, requests fall back to the Script, then to their own choice. To fail twice and
// then succeed: Enqueue(Reply{Scenario: "error:529"}, Reply{Scenario: "error:529"}).
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Pending returns how many queued replies have not been used yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Script makes fn choose the Reply for each POST /v1/messages request the queue does not
// answer; nil removes it. fn runs concurrently, once per request, and must not keep or
// change body.
func (s *Server) Script(fn func(r *http.Request, body []byte) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = fn
}

// nextReply takes the scripted Reply for one request.
func (s *Server) nextReply(r *http.Request, body []byte) Reply {
	s.mu.Lock()
	if len(s.queue) > 0 {
		rep := s.queue[0]
		s.queue[0] = Reply{}
		s.queue = s.queue[1:]
		s.mu.Unlock()
		return rep
	}
	fn := s.script
	s.mu.Unlock()
	if fn == nil {
		return Reply{}
	}
	return fn(r, body)
}
