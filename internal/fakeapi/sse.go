package fakeapi

import "net/http"

// sseWriter writes server-sent events, flushing each so the client sees it at once.
type sseWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	buf []byte
	err error // the first write or flush error; later events are dropped
}

func newSSEWriter(w http.ResponseWriter) *sseWriter {
	return &sseWriter{w: w, rc: http.NewResponseController(w)}
}

// send writes "event: name\ndata: data\n\n" and flushes; it reports whether the client
// still listens.
func (e *sseWriter) send(name string, data []byte) bool {
	if e.err != nil {
		return false
	}
	e.buf = append(e.buf[:0], "event: "...)
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, "\ndata: "...)
	e.buf = append(e.buf, data...)
	e.buf = append(e.buf, "\n\n"...)
	if _, e.err = e.w.Write(e.buf); e.err == nil {
		e.err = e.rc.Flush()
	}
	return e.err == nil
}
