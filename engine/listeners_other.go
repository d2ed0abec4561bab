//go:build !linux

package engine

import (
	"fmt"
	"runtime"

	"nexus/checklist"
)

func ownListeners() checklist.Sockets {
	return checklist.Sockets{Scope: "this process", Err: "reading listening sockets is implemented on Linux only, not " + runtime.GOOS}
}

func portListeners(port int) checklist.Sockets {
	return checklist.Sockets{Scope: fmt.Sprintf("port %d", port), Err: "reading listening sockets is implemented on Linux only, not " + runtime.GOOS}
}
