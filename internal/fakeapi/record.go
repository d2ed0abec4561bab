package fakeapi

import (
	"net/http"
	"time"
)

// Received is the record of one request, taken before the first byte of the answer is sent.
// Treat its Header and Body as read-only.
type Received struct {
	Time      time.Time
	RequestID string // the request-id header (and error request_id) of the answer
	Method    string
	Path      string
	RawQuery  string
	Header    http.Header // a clone of the request headers
	Body      []byte      // nil when KeepBodies(false)
	BodyLen   int

	// Auth is AuthAPIKey or AuthOAuth when the request authenticated, else "".
	Auth string
	// Scenario is the scenario name a POST /v1/messages answered with, as given ("" for
	// other endpoints and for requests rejected before a scenario was chosen).
	Scenario string
	// Status is the HTTP status of the answer (200 also for midstream_error and drop).
	Status int
	// Usage is the usage the answer reported: for a stream, message_start merged with
	// message_delta; zero for errors and endpoints other than POST /v1/messages.
	Usage Usage
}

// Requests returns the retained records, oldest first.
func (s *Server) Requests() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := s.records
	if s.keepLast > 0 && len(recs) > s.keepLast {
		recs = recs[len(recs)-s.keepLast:]
	}
	return append([]Received(nil), recs...)
}

// Count returns how many requests arrived since New or Reset, retained or not.
func (s *Server) Count() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Reset forgets the records, the count, the queued replies and the Script. Credentials,
// OAuth state and retention settings stay.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records, s.count, s.queue, s.script = nil, 0, nil, nil
}

// KeepBodies sets whether records keep request bodies (the default). Without them a
// benchmark's records stay small; BodyLen is always set.
func (s *Server) KeepBodies(keep bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keepBodies = keep
}

// KeepLast bounds the records to the n most recent; n <= 0 keeps all (the default).
func (s *Server) KeepLast(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keepLast = n
	s.trimLocked()
}

func (s *Server) record(rec Received, header http.Header, body []byte) {
	rec.Header = header.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	if s.keepBodies {
		rec.Body = body
	}
	s.records = append(s.records, rec)
	if s.keepLast > 0 && len(s.records) >= 2*s.keepLast {
		s.trimLocked()
	}
}

// trimLocked drops all but the keepLast most recent records.
func (s *Server) trimLocked() {
	if s.keepLast <= 0 || len(s.records) <= s.keepLast {
		return
	}
	n := copy(s.records, s.records[len(s.records)-s.keepLast:])
	clear(s.records[n:])
	s.records = s.records[:n]
}
