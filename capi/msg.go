package main

/*
#include "pz.h"
*/
import "C"

import (
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	zmq "github.com/purezmq/zmq4"
)

// Our layout of zmq_msg_t is pz_msg (pz.h). A live message carries msgMagic;
// calls on memory without it fail with EFAULT.
const (
	msgMagic = 0x5a4d5347

	msgMore      = 1 << 0
	msgHasRID    = 1 << 1
	msgHasGroup  = 1 << 2
	msgLongGroup = 1 << 3

	groupInline = 19 // longest group stored in the message itself
	groupMax    = 255

	// zmq_msg_get/set properties.
	propMore   = 1
	propSrcFd  = 2
	propShared = 3
)

func init() {
	if unsafe.Sizeof(C.pz_msg{}) != 64 {
		panic("capi: pz_msg is not 64 bytes")
	}
}

func asMsg(p unsafe.Pointer) *C.pz_msg {
	if p == nil {
		return nil
	}
	m := (*C.pz_msg)(p)
	if m.magic != msgMagic {
		return nil
	}
	return m
}

// emptyMsg makes *m an empty live message.
func emptyMsg(m *C.pz_msg) {
	*m = C.pz_msg{}
	m.magic = msgMagic
	m.data = unsafe.Pointer(&m.group[0])
}

// newContent allocates a content block with room for n bytes after it.
func newContent(n int) *C.pz_content {
	c := (*C.pz_content)(C.malloc(C.size_t(unsafe.Sizeof(C.pz_content{})) + C.size_t(n)))
	if c == nil {
		return nil
	}
	c.refs = 1
	c.ffn = nil
	c.hint = nil
	c.meta = nil
	c.data = unsafe.Add(unsafe.Pointer(c), unsafe.Sizeof(C.pz_content{}))
	return c
}

// pz_go_zmq_msg_get is zmq_msg_get: reads a message property (ZMQ_MORE, ZMQ_SRCFD, ZMQ_SHARED).
//
//export pz_go_zmq_msg_get
func pz_go_zmq_msg_get(p unsafe.Pointer, property C.int) C.int {
	m := asMsg(p)
	if m == nil {
		return fail(syscall.EFAULT)
	}
	switch property {
	case propMore:
		if m.flags&msgMore != 0 {
			return 1
		}
		return 0
	case propSrcFd:
		if m.meta != nil {
			return C.int(m.meta.srcfd)
		}
		return -1
	case propShared:
		// Shared: the application's buffer (zmq_msg_init_data), or a
		// body other copies hold too. A received part in a batch block
		// (C.PZ_MSG_SLICE) shares the block with the other parts of its
		// batch, not with a copy of its own unless zmq_msg_copy made one.
		if m.flags&C.PZ_MSG_SLICE != 0 {
			if m.flags&C.PZ_MSG_COPIED != 0 {
				return 1
			}
			return 0
		}
		c := m.content
		if c != nil && (c.data != unsafe.Add(unsafe.Pointer(c), unsafe.Sizeof(C.pz_content{})) ||
			atomic.LoadInt64((*int64)(unsafe.Pointer(&c.refs))) > 1) {
			return 1
		}
		return 0
	}
	return fail(syscall.EINVAL)
}

// pz_go_zmq_msg_set is zmq_msg_set: sets a message property; none is settable, as in libzmq.
//
//export pz_go_zmq_msg_set
func pz_go_zmq_msg_set(p unsafe.Pointer, property, value C.int) C.int {
	if asMsg(p) == nil {
		return fail(syscall.EFAULT)
	}
	return fail(syscall.EINVAL)
}

// pz_go_zmq_msg_set_routing_id is zmq_msg_set_routing_id: sets the routing id a SERVER or PEER sends to.
//
//export pz_go_zmq_msg_set_routing_id
func pz_go_zmq_msg_set_routing_id(p unsafe.Pointer, id C.uint32_t) C.int {
	m := asMsg(p)
	if m == nil {
		return fail(syscall.EFAULT)
	}
	if id == 0 {
		return fail(syscall.EINVAL)
	}
	m.routing_id = id
	m.flags |= msgHasRID
	return 0
}

// pz_go_zmq_msg_routing_id is zmq_msg_routing_id: returns the routing id of a message from a SERVER or
// PEER, or 0.
//
//export pz_go_zmq_msg_routing_id
func pz_go_zmq_msg_routing_id(p unsafe.Pointer) C.uint32_t {
	m := asMsg(p)
	if m == nil {
		setErrno(syscall.EFAULT)
		return 0
	}
	return m.routing_id
}

// Groups longer than groupInline live in an interned table; the message
// holds the index.
var (
	groupMu    sync.Mutex
	groupIDs   = map[string]uint32{}
	groupNames []*C.char
)

func internGroup(g string) uint32 {
	groupMu.Lock()
	defer groupMu.Unlock()
	if id, ok := groupIDs[g]; ok {
		return id
	}
	id := uint32(len(groupNames))
	groupNames = append(groupNames, C.CString(g))
	groupIDs[g] = id
	return id
}

// setGroup stores g in the message.
func setGroup(m *C.pz_msg, g string) {
	m.flags &^= msgHasGroup | msgLongGroup
	if g == "" {
		return
	}
	m.flags |= msgHasGroup
	if len(g) <= groupInline {
		for i := 0; i < len(g); i++ {
			m.group[i] = C.char(g[i])
		}
		m.group[len(g)] = 0
		return
	}
	m.flags |= msgLongGroup
	*(*uint32)(unsafe.Pointer(&m.group[0])) = internGroup(g)
}

// groupPtr returns the message's group as a C string.
func groupPtr(m *C.pz_msg) *C.char {
	if m.flags&msgHasGroup == 0 {
		m.group[0] = 0
		return &m.group[0]
	}
	if m.flags&msgLongGroup != 0 {
		id := *(*uint32)(unsafe.Pointer(&m.group[0]))
		groupMu.Lock()
		defer groupMu.Unlock()
		return groupNames[id]
	}
	return &m.group[0]
}

func groupString(m *C.pz_msg) string {
	if m.flags&msgHasGroup == 0 {
		return ""
	}
	return C.GoString(groupPtr(m))
}

// pz_go_zmq_msg_set_group is zmq_msg_set_group: sets the group a RADIO sends the message to.
//
//export pz_go_zmq_msg_set_group
func pz_go_zmq_msg_set_group(p unsafe.Pointer, group *C.char) C.int {
	m := asMsg(p)
	if m == nil {
		return fail(syscall.EFAULT)
	}
	if group == nil {
		return fail(syscall.EINVAL)
	}
	g := C.GoString(group)
	if len(g) > groupMax {
		return fail(syscall.EINVAL)
	}
	setGroup(m, g)
	return 0
}

// pz_go_zmq_msg_group is zmq_msg_group: returns the message's group ("" when it has none).
//
//export pz_go_zmq_msg_group
func pz_go_zmq_msg_group(p unsafe.Pointer) *C.char {
	m := asMsg(p)
	if m == nil {
		setErrno(syscall.EFAULT)
		return nil
	}
	return groupPtr(m)
}

// pz_msg_send_part sends message p's bytes on socket sp for zmq_msg_send
// (pz.c), which checked p and, on success, releases and empties it in C:
// freeing the content from Go would cost one more cgo call per message.
// The Go package copies the bytes before it returns, so the C buffer is
// read only during the call. Returns the size sent (clamped to INT_MAX) or
// -1 with errno set.
//
//export pz_msg_send_part
func pz_msg_send_part(p unsafe.Pointer, sp unsafe.Pointer, flags C.int) C.int {
	m := (*C.pz_msg)(p)
	e := getSock(sp)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	var opts []interface{}
	if m.flags&msgHasRID != 0 && (e.typ == zmq.SERVER || e.typ == zmq.PEER) {
		opts = append(opts, zmq.OptRoutingId(m.routing_id))
	}
	if m.flags&msgHasGroup != 0 && e.typ == zmq.RADIO {
		opts = append(opts, zmq.OptGroup(groupString(m)))
	}
	var data []byte
	if m.content != nil {
		data = cBytes(m.data, m.size)
	} else {
		data = []byte{}
	}
	if err := e.sendPart(data, zmq.Flag(flags), opts...); err != nil {
		return failErr(err)
	}
	return clampSize(int(m.size))
}

// pz_msg_recv_part receives one part for zmq_msg_recv (pz.c) into the
// empty message out. A part of at most scratchCap bytes is copied into
// scratch (out's content stays NULL and pz.c moves the bytes into a block
// it allocates, saving a cgo call per message); a larger one gets its own
// content block here. Returns the size (clamped to INT_MAX) or -1 with
// errno set, out untouched.
//
//export pz_msg_recv_part
func pz_msg_recv_part(out unsafe.Pointer, sp unsafe.Pointer, flags C.int, scratch unsafe.Pointer, scratchCap C.size_t) C.int {
	m := (*C.pz_msg)(out)
	e := getSock(sp)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	var c *C.pz_content
	var size int
	oom := false
	var info zmq.PartInfo
	err := blocking(e.s, zmq.Flag(flags), zmq.POLLIN, func(f zmq.Flag) error {
		var err error
		info, err = e.s.RecvPart(f, func(b []byte) {
			size = len(b)
			if size <= int(scratchCap) {
				copy(unsafe.Slice((*byte)(scratch), size), b)
				return
			}
			c = newContent(size)
			if c == nil {
				oom = true
				return
			}
			copy(unsafe.Slice((*byte)(c.data), size), b)
		})
		return err
	})
	if err != nil {
		return failErr(err)
	}
	if oom {
		return fail(syscall.ENOMEM)
	}
	emptyMsg(m)
	m.size = C.size_t(size)
	if c != nil {
		m.content = c
		m.data = c.data
	}
	if info.More {
		m.flags |= msgMore
	}
	if info.RoutingID != 0 {
		m.routing_id = C.uint32_t(info.RoutingID)
	}
	setGroup(m, info.Group)
	m.meta = e.metas.get(info.Metadata, info.SrcFD)
	return clampSize(size)
}

// clampSize is a part's size as the int libzmq's calls return.
func clampSize(n int) C.int {
	if n > 1<<31-1 {
		n = 1<<31 - 1
	}
	return C.int(n)
}
