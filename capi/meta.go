package main

/*
#include "pz.h"
*/
import "C"

import (
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// metaCacheSize bounds how many connections' properties one socket keeps
// converted to C.
const metaCacheSize = 64

// metaCache gives each received message the properties of its connection
// as a reference-counted C block (pz_meta), which zmq_msg_gets reads and
// the message's close releases, so they live exactly as long as some
// message or the cache needs them. The Go package hands out one property
// map per connection; the cache converts a map on first sight and keeps
// the blocks of the metaCacheSize most recently seen maps. It also holds
// each cached map, so the map's address, its key, cannot be reused while
// cached.
type metaCache struct {
	mu     sync.Mutex
	closed bool // the socket closed: convert, but cache nothing
	last   *metaSlot
	slots  map[uintptr]*metaSlot
	order  []uintptr // keys, oldest first
}

type metaSlot struct {
	key   uintptr
	props map[string]string
	block *C.pz_meta
}

// get returns props, and srcFD (the connection's descriptor, ZMQ_SRCFD),
// as a C block with one reference for the caller, or nil when props is nil
// or memory runs out. A connection's map and descriptor go together, so a
// cached block keeps the descriptor of the map's first sight.
func (c *metaCache) get(props map[string]string, srcFD int) *C.pz_meta {
	if props == nil {
		return nil
	}
	key := uintptr(reflect.ValueOf(props).UnsafePointer())
	c.mu.Lock()
	defer c.mu.Unlock()
	slot := c.last
	if slot == nil || slot.key != key {
		slot = c.slots[key]
	}
	if slot == nil {
		block := newMeta(props, srcFD)
		if block == nil || c.closed {
			return block
		}
		slot = &metaSlot{key: key, props: props, block: block}
		c.add(slot)
	}
	c.last = slot
	// pz_meta_retain's increment, done here: a call into C per message
	// would cost more than the rest of this function.
	atomic.AddInt64((*int64)(unsafe.Pointer(&slot.block.refs)), 1)
	return slot.block
}

// add caches slot, dropping the oldest when full.
func (c *metaCache) add(slot *metaSlot) {
	if c.slots == nil {
		c.slots = map[uintptr]*metaSlot{}
	}
	if len(c.order) == metaCacheSize {
		old := c.slots[c.order[0]]
		delete(c.slots, c.order[0])
		c.order = append(c.order[:0], c.order[1:]...)
		C.pz_meta_release(old.block)
		if c.last == old {
			c.last = nil
		}
	}
	c.slots[slot.key] = slot
	c.order = append(c.order, slot.key)
}

// clear drops the cache's references (the socket is closing); blocks
// that messages still carry live on until those messages are closed.
func (c *metaCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, slot := range c.slots {
		C.pz_meta_release(slot.block)
	}
	c.slots, c.order, c.last = nil, nil, nil
	c.closed = true
}

// newMeta copies props and srcFD into a new C block with one reference.
func newMeta(props map[string]string, srcFD int) *C.pz_meta {
	// A C reader sees each name and value up to its first NUL, as
	// libzmq's zmq_msg_gets returns a value's c_str(): the block holds
	// only that much of each, so that a NUL inside a value (a peer's
	// Identity may hold one) does not shift the pairs after it.
	cut := make(map[string]string, len(props))
	for k, v := range props {
		cut[cString(k)] = cString(v)
	}
	props = cut
	size := int(unsafe.Sizeof(C.pz_meta{}))
	for k, v := range props {
		size += len(k) + 1 + len(v) + 1
	}
	block := (*C.pz_meta)(C.malloc(C.size_t(size)))
	if block == nil {
		return nil
	}
	C.pz_meta_allocated()
	block.refs = 1
	block.count = C.int64_t(len(props))
	block.srcfd = C.int64_t(srcFD)
	out := unsafe.Slice((*byte)(unsafe.Pointer(block)), size)[unsafe.Sizeof(C.pz_meta{}):]
	for k, v := range props {
		out = out[copy(out, k):]
		out[0] = 0
		out = out[1+copy(out[1:], v):]
		out[0] = 0
		out = out[1:]
	}
	return block
}

// cString returns s up to its first NUL byte, what C sees of it.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}
