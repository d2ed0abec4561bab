package recording

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// MaxSpoolBytes bounds the spool on disk. Past it new records are refused (and counted)
// rather than filling the disk.
const MaxSpoolBytes = 1 << 30

// spooled is one line of the spool: an operation and its request.
type spooled struct {
	Op      string          `json:"op"` // "start" or "finish"
	Request json.RawMessage `json:"request"`
}

// spool keeps records on disk while the store cannot take them. Appends go to the current
// file, one write per line so that a crash loses at most a torn last line; replay rotates it
// aside, so appends and replay never touch the same file. Files are 0600 in a 0700
// directory and survive a restart. After close, appends still work (each opens, writes and
// closes the file), so records that arrive late wait for the next run.
type spool struct {
	dir string

	mu      sync.Mutex // guards the fields below
	f       *os.File   // the current file; nil until the next append
	closed  bool
	size    int64 // bytes in all spool files
	refused int64 // records not spooled because the spool was full
}

const currentSpool = "current.jsonl"

func openSpool(dir string) (*spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating spool: %w", err)
	}
	// The directory may predate us with a looser mode; records hold request metadata.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("securing spool: %w", err)
	}
	s := &spool{dir: dir}
	files, err := s.pending()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			s.size += st.Size()
		}
	}
	return s, nil
}

// crowded reports whether the spool is past half its bound: records then wait without
// their bodies, so that an outage fills it with metadata rather than refusing records.
func (s *spool) crowded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size > MaxSpoolBytes/2
}

// append writes one line. It fails when the disk does, or the spool is full.
func (s *spool) append(line []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.size+int64(len(line))+1 > MaxSpoolBytes {
		s.refused++
		return errors.New("spool is full")
	}
	if s.f == nil {
		f, err := os.OpenFile(filepath.Join(s.dir, currentSpool), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("opening spool: %w", err)
		}
		s.f = f
	}
	n, err := s.f.Write(append(line[:len(line):len(line)], '\n'))
	if err != nil && n > 0 {
		// A short write (a full disk) would leave a torn line that the next line joins; cut
		// it off so the file stays whole lines.
		if st, serr := s.f.Stat(); serr == nil && s.f.Truncate(st.Size()-int64(n)) == nil {
			n = 0
		}
	}
	s.size += int64(n)
	if s.closed {
		if cerr := s.f.Close(); err == nil {
			err = cerr
		}
		s.f = nil
	}
	if err != nil {
		return fmt.Errorf("writing spool: %w", err)
	}
	return nil
}

// rotate renames the current file for replay, so new appends start a new file, then syncs
// and closes it. A current file left by an earlier run is rotated too. The sync happens
// outside the lock: appends come from request goroutines when the queue is full, and must
// not wait for a slow disk's flush.
func (s *spool) rotate() error {
	s.mu.Lock()
	f := s.f
	s.f = nil
	name := fmt.Sprintf("replay-%020d.jsonl", time.Now().UnixNano())
	err := os.Rename(filepath.Join(s.dir, currentSpool), filepath.Join(s.dir, name))
	s.mu.Unlock()
	if f != nil {
		serr := f.Sync()
		if cerr := f.Close(); serr == nil {
			serr = cerr
		}
		if serr != nil {
			return fmt.Errorf("flushing spool: %w", serr)
		}
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("rotating spool: %w", err)
	}
	return nil
}

// pending lists the files waiting for replay, oldest first, current last.
func (s *spool) pending() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("reading spool: %w", err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "replay-") && strings.HasSuffix(e.Name(), ".jsonl") {
			out = append(out, filepath.Join(s.dir, e.Name()))
		}
	}
	sort.Strings(out)
	if _, err := os.Stat(filepath.Join(s.dir, currentSpool)); err == nil {
		out = append(out, filepath.Join(s.dir, currentSpool))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return out, nil
}

// replayFiles rotates the current file and returns every file ready for replay.
func (s *spool) replayFiles() ([]string, error) {
	if err := s.rotate(); err != nil {
		return nil, err
	}
	files, err := s.pending()
	if err != nil {
		return nil, err
	}
	out := files[:0]
	for _, f := range files {
		if filepath.Base(f) != currentSpool {
			out = append(out, f)
		}
	}
	return out, nil
}

// done removes a replayed file.
func (s *spool) done(path string) {
	st, err := os.Stat(path)
	if err == nil {
		s.mu.Lock()
		s.size -= st.Size()
		s.mu.Unlock()
	}
	os.Remove(path)
}

func (s *spool) empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size == 0
}

// close syncs and closes the current file. Later appends still reach the disk.
func (s *spool) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.f == nil {
		return nil
	}
	err := s.f.Sync()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	return err
}
