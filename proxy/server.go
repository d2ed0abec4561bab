package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// ErrNotLoopback is returned by Listen for an address other machines could reach.
var ErrNotLoopback = errors.New("the proxy only listens on loopback (127.0.0.1 or ::1) so that no other machine can use your credentials")

// Listen opens the proxy's listeners. host "" or "localhost" means both 127.0.0.1 and ::1
// (::1 is skipped when the machine has no IPv6 loopback); an explicit loopback IP means that
// one only. Anything else fails with ErrNotLoopback. Port 0 picks a free port, the same on
// both addresses. When ::1 exists but its port is taken, Listen fails rather than leave
// "localhost" clients to whoever holds it.
func Listen(host string, port int) ([]net.Listener, error) {
	var addrs []string
	switch host {
	case "", "localhost":
		addrs = []string{"127.0.0.1", "::1"}
	default:
		ip := net.ParseIP(trimBrackets(host))
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("listening on %q: %w", host, ErrNotLoopback)
		}
		addrs = []string{ip.String()}
	}
	for try := 0; ; try++ {
		lns, err := listenAll(addrs, port)
		// With port 0 the port chosen on 127.0.0.1 may be busy on ::1: pick another.
		if port == 0 && errors.Is(err, syscall.EADDRINUSE) && try < 10 {
			continue
		}
		return lns, err
	}
}

// listenAll listens on port at every address, the port of the first fixing the others'.
func listenAll(addrs []string, port int) ([]net.Listener, error) {
	var lns []net.Listener
	for i, a := range addrs {
		addr := net.JoinHostPort(a, strconv.Itoa(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			if i > 0 && a == "::1" && !errors.Is(err, syscall.EADDRINUSE) {
				continue // no IPv6 loopback here: IPv4 alone is fine
			}
			closeAll(lns)
			return nil, fmt.Errorf("listening on %s: %w", addr, err)
		}
		lns = append(lns, ln)
		if port == 0 {
			port = ln.Addr().(*net.TCPAddr).Port
		}
	}
	return lns, nil
}

func trimBrackets(h string) string {
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		return h[1 : len(h)-1]
	}
	return h
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// Server runs the proxy's HTTP server on its listeners and can be started and stopped many
// times (the tray's switch).
type Server struct {
	handler http.Handler
	log     *slog.Logger

	mu   sync.Mutex // guards srv, lns and addr
	srv  *http.Server
	lns  []net.Listener
	addr string
}

// NewServer returns a stopped server for handler.
func NewServer(handler http.Handler, log *slog.Logger) *Server {
	return &Server{handler: handler, log: log}
}

// Start listens on host:port and serves in the background. It fails when already running or
// when the address cannot be had.
func (s *Server) Start(host string, port int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return errors.New("proxy is already running")
	}
	lns, err := Listen(host, port)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	for _, ln := range lns {
		go func() {
			// Stop closes the listeners itself (net.ErrClosed), before shutting down.
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
				s.log.Error("proxy stopped serving", "addr", ln.Addr().String(), "error", err)
			}
		}()
	}
	s.srv, s.lns = srv, lns
	s.addr = lns[0].Addr().String()
	s.log.Info("proxy listening", "addr", s.addr, "listeners", len(lns))
	return nil
}

// Addr is the first listening address ("127.0.0.1:3731"), or "" when stopped.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Running reports whether the proxy is serving.
func (s *Server) Running() bool { return s.Addr() != "" }

// Stop closes the listeners at once, lets requests in flight finish until ctx ends, then
// cuts what is left. Stopping a stopped server does nothing. The port is free when Stop
// returns, and already when a Start waiting for it begins.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	closeAll(s.lns) // before unlocking: a Start right after must find the port free
	s.srv, s.lns, s.addr = nil, nil, ""
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if errors.Is(err, net.ErrClosed) {
		// A listener closed above that its Serve loop had not let go yet: Shutdown closed it
		// again. Nothing failed.
		err = nil
	}
	if err != nil {
		srv.Close()
	}
	s.log.Info("proxy stopped")
	return err
}
