package proxy

import "sync"

// bufferPool recycles the copy buffers ReverseProxy uses per response. 8 KB rather than its
// 32 KB default: a stream holds its buffer for as long as it is open (500 open streams hold
// 4 MB of them, not 16) and its events are far smaller; a JSON answer of 72 KB takes nine
// reads instead of three.
type bufferPool struct{}

const copyBufferSize = 8 << 10

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}

func (bufferPool) Get() []byte  { return *(copyBuffers.Get().(*[]byte)) }
func (bufferPool) Put(b []byte) { copyBuffers.Put(&b) }
