package engine

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"nexus/checklist"
)

// tcpListen is the state of a listening socket in /proc/net/tcp (TCP_LISTEN).
const tcpListen = "0A"

// procSocket is one listening socket of /proc/net/tcp or tcp6.
type procSocket struct {
	addr  string // host:port
	port  int
	inode string
}

// ownListeners reads this process's listening TCP sockets: the network namespace's listening
// sockets (/proc/self/net/tcp and tcp6) whose inodes are among this process's open files
// (/proc/self/fd).
func ownListeners() checklist.Sockets {
	s := checklist.Sockets{Scope: "this process"}
	all, err := readProcListeners("/proc/self/net")
	if err != nil {
		s.Err = err.Error()
		return s
	}
	mine, err := socketInodes("/proc/self/fd")
	if err != nil {
		s.Err = err.Error()
		return s
	}
	for _, ps := range all {
		if mine[ps.inode] {
			s.List = append(s.List, checklist.Socket{Addr: ps.addr})
		}
	}
	return s
}

// portListeners reads the sockets listening on port, whoever owns them, and those of other
// processes running this same program (another Nexus on another port), with their owners
// where this user may see them.
func portListeners(port int) checklist.Sockets {
	s := checklist.Sockets{Scope: fmt.Sprintf("port %d and other Nexus processes", port)}
	all, err := readProcListeners("/proc/self/net")
	if err != nil {
		s.Err = err.Error()
		return s
	}
	owners := socketOwners()
	self, _ := os.Executable()
	for _, ps := range all {
		o, known := owners[ps.inode]
		if ps.port != port && !(known && self != "" && o.exe == self && o.pid != os.Getpid()) {
			continue
		}
		sock := checklist.Socket{Addr: ps.addr}
		if known {
			sock.Owner = fmt.Sprintf("%s, pid %d", o.name, o.pid)
		}
		s.List = append(s.List, sock)
	}
	return s
}

// readProcListeners parses the listening sockets of dir/tcp and dir/tcp6. A missing tcp6
// (no IPv6) is not an error.
func readProcListeners(dir string) ([]procSocket, error) {
	var out []procSocket
	for _, name := range []string{"tcp", "tcp6"} {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) && name == "tcp6" {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading listening sockets: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // the header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || fields[3] != tcpListen {
				continue
			}
			addr, port, err := parseProcAddr(fields[1])
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("reading listening sockets: %s: %w", name, err)
			}
			out = append(out, procSocket{addr: addr, port: port, inode: fields[9]})
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading listening sockets: %w", err)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out, nil
}

// parseProcAddr decodes a /proc/net/tcp address, "0100007F:0E93": the IP as 32-bit words in
// the host's (little-endian) byte order, the port big-endian.
func parseProcAddr(s string) (string, int, error) {
	hexIP, hexPort, ok := strings.Cut(s, ":")
	if !ok {
		return "", 0, fmt.Errorf("address %q", s)
	}
	raw, err := hex.DecodeString(hexIP)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return "", 0, fmt.Errorf("address %q", s)
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return "", 0, fmt.Errorf("port in %q", s)
	}
	ip := make(net.IP, len(raw))
	for w := 0; w < len(raw); w += 4 {
		ip[w], ip[w+1], ip[w+2], ip[w+3] = raw[w+3], raw[w+2], raw[w+1], raw[w]
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(int(port))), int(port), nil
}

// socketInodes returns the inodes of the sockets among the open files in fdDir.
func socketInodes(fdDir string) (map[string]bool, error) {
	ents, err := os.ReadDir(fdDir)
	if err != nil {
		return nil, fmt.Errorf("reading open files: %w", err)
	}
	out := map[string]bool{}
	for _, e := range ents {
		if target, err := os.Readlink(filepath.Join(fdDir, e.Name())); err == nil {
			if inode, ok := socketInode(target); ok {
				out[inode] = true
			}
		}
	}
	return out, nil
}

func socketInode(link string) (string, bool) {
	rest, ok := strings.CutPrefix(link, "socket:[")
	if !ok || !strings.HasSuffix(rest, "]") {
		return "", false
	}
	return strings.TrimSuffix(rest, "]"), true
}

// owner is a process holding a socket.
type owner struct {
	pid       int
	name, exe string
}

// socketOwners maps socket inodes to the processes holding them, for the processes whose
// open files this user may read (their own; all of them for root).
func socketOwners() map[string]owner {
	out := map[string]owner{}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join("/proc", p.Name())
		inodes, err := socketInodes(filepath.Join(dir, "fd"))
		if err != nil || len(inodes) == 0 {
			continue
		}
		name, _ := os.ReadFile(filepath.Join(dir, "comm"))
		exe, _ := os.Readlink(filepath.Join(dir, "exe"))
		o := owner{pid: pid, name: strings.TrimSpace(string(name)), exe: exe}
		for inode := range inodes {
			out[inode] = o
		}
	}
	return out
}
