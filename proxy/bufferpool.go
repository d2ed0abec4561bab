package proxy

import "sync"

// bufferPool recycles the copy buffers ReverseProxy uses per response. 16 KB rather than its
// 32 KB default: a stream holds its buffer for as long as it is open, its events are far
// smaller, and a JSON answer of 72 KB takes five reads instead of three.
type bufferPool struct{}

const copyBufferSize = 16 << 10

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}

func (bufferPool) Get() []byte  { return *(copyBuffers.Get().(*[]byte)) }
func (bufferPool) Put(b []byte) { copyBuffers.Put(&b) }
