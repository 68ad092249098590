// Package main is libzmq's C API over the pure-Go ZeroMQ in the parent
// module. Built with -buildmode=c-shared it is libzmq.so.5: C programs
// compile against libzmq's own zmq.h and link with it unchanged. See
// README.md for the build and the layout of the opaque C types.
package main

/*
#include "pz.h"
*/
import "C"

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	zmq "github.com/purezmq/zmq4"
)

func main() {}

// Objects handed to C (contexts, sockets, pollers, timers, ...) are small
// C allocations that carry a tag; the Go object they stand for lives in a
// table keyed by the allocation's address. C memory never holds a Go
// pointer. A closed object's allocation is kept with a dead tag, so a call
// on it fails cleanly (ENOTSOCK, EFAULT) instead of reaching freed memory.
const (
	tagContext = 0x5a435458 // live context
	tagSocket  = 0x5a534f43 // live socket
	tagDead    = 0x5a444544 // closed object
	tagOther   = 0x5a4f5448 // live poller, timers, counter, ...
)

// handleBlock is the start of every handle; a socket's (pz_sock in pz.h)
// goes on with its buffers. owner is pz_owner_id (entry.c).
type handleBlock struct {
	tag   uint32
	_     uint32
	owner uint64
}

var objects sync.Map // uintptr -> any

// newHandle allocates the C address that stands for v.
func newHandle(tag uint32, v any) unsafe.Pointer {
	p := C.malloc(C.size_t(unsafe.Sizeof(handleBlock{})))
	b := (*handleBlock)(p)
	b.tag = tag
	b.owner = uint64(C.pz_owner_id)
	objects.Store(uintptr(p), v)
	return p
}

// lookup returns the object at p, or nil when p is NULL, unknown or closed.
func lookup(p unsafe.Pointer) any {
	if p == nil {
		return nil
	}
	v, ok := objects.Load(uintptr(p))
	if !ok {
		return nil
	}
	return v
}

// kill marks p closed; its memory is kept so later calls on it fail cleanly.
func kill(p unsafe.Pointer) {
	objects.Delete(uintptr(p))
	(*handleBlock)(p).tag = tagDead
}

// setErrno sets the calling thread's error number.
func setErrno(e syscall.Errno) {
	C.pz_set_errno(C.int(e))
}

// fail sets the error number and returns -1.
func fail(e syscall.Errno) C.int {
	setErrno(e)
	return -1
}

// errnoOf maps a Go error to libzmq's error number.
func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	if errors.Is(err, zmq.ErrorContextClosed) {
		return syscall.Errno(zmq.ETERM)
	}
	if e := zmq.AsErrno(err); e != 0 {
		return syscall.Errno(e)
	}
	return syscall.EINVAL
}

// failErr sets the error number for err and returns -1.
func failErr(err error) C.int {
	return fail(errnoOf(err))
}

// ---- contexts ----

type ctxEntry struct {
	ctx      *zmq.Context
	mu       sync.Mutex
	shutdown bool
	termDone chan struct{} // closed when the Go Term returns
	termErr  error
	termPipe *termPipe // what zmq_ctx_term polls (termwait.go)
	// namePrefix is ZMQ_THREAD_NAME_PREFIX, kept for zmq_ctx_get_ext.
	namePrefix string
	// threadOpts keeps the thread options (scheduling policy, priority)
	// for zmq_ctx_get, and affinity the CPUs ZMQ_THREAD_AFFINITY_CPU_ADD
	// added: goroutines have no OS thread of their own to apply them to.
	threadOpts map[C.int]int
	affinity   map[int]bool
	// zeroCopyRecvOff is ZMQ_ZERO_COPY_RECV set to 0 (libzmq's default is
	// 1). Stored for zmq_ctx_get only: received parts are always copied
	// into C memory.
	zeroCopyRecvOff bool
	sockets         int32 // live sockets, for diagnostics
	// term is set once the context is terminating; its sockets' receive
	// buffers (recvq.go) read it from C. Never freed, like the handles.
	term *C.int32_t
	// sendSockets holds the sockets with a send buffer (sendq.go), which
	// termination hands to Go first.
	sendSockets sync.Map // *sockEntry -> struct{}
}

func getCtx(p unsafe.Pointer) *ctxEntry {
	c, _ := lookup(p).(*ctxEntry)
	return c
}

// pz_go_zmq_ctx_new is zmq_ctx_new: it makes a context.
//
//export pz_go_zmq_ctx_new
func pz_go_zmq_ctx_new() unsafe.Pointer {
	ctx, err := zmq.NewContext()
	if err != nil {
		setErrno(errnoOf(err))
		return nil
	}
	term := (*C.int32_t)(C.calloc(1, C.size_t(unsafe.Sizeof(C.int32_t(0)))))
	return newHandle(tagContext, &ctxEntry{ctx: ctx, term: term})
}

// pz_go_zmq_init is zmq_init: it makes a context with io_threads I/O threads (deprecated API).
//
//export pz_go_zmq_init
func pz_go_zmq_init(ioThreads C.int) unsafe.Pointer {
	if ioThreads < 0 {
		setErrno(syscall.EINVAL)
		return nil
	}
	p := pz_go_zmq_ctx_new()
	if p != nil {
		getCtx(p).ctx.SetIoThreads(int(ioThreads))
	}
	return p
}

// startTerm begins terminating the context once: blocking calls on its
// sockets return ETERM from then on.
func (c *ctxEntry) startTerm() chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shutdown = true
	atomic.StoreInt32((*int32)(unsafe.Pointer(c.term)), 1)
	c.flushSendBuffers()
	if c.termDone == nil {
		c.termDone = make(chan struct{})
		c.termPipe = newTermPipe()
		done, t := c.termDone, c.termPipe
		go func() {
			c.termErr = c.ctx.Term()
			t.signal() // before close(done): a waiter closes the pipe once done is closed
			close(done)
		}()
	}
	return c.termDone
}

// pz_go_zmq_ctx_term is zmq_ctx_term: it terminates the context, waiting until every socket in it is
// closed and done lingering. A signal ends the wait with EINTR, as in
// libzmq; the termination goes on, and a later call waits again.
//
//export pz_go_zmq_ctx_term
func pz_go_zmq_ctx_term(p unsafe.Pointer) C.int {
	c := getCtx(p)
	if c == nil {
		return fail(syscall.EFAULT)
	}
	if e := c.waitTerm(c.startTerm()); e != 0 {
		return fail(e)
	}
	kill(p)
	return 0
}

// pz_go_zmq_term is zmq_term, zmq_ctx_term's deprecated name.
//
//export pz_go_zmq_term
func pz_go_zmq_term(p unsafe.Pointer) C.int { return pz_go_zmq_ctx_term(p) }

// pz_go_zmq_ctx_destroy is zmq_ctx_destroy, zmq_ctx_term's
// deprecated name.
//
//export pz_go_zmq_ctx_destroy
func pz_go_zmq_ctx_destroy(p unsafe.Pointer) C.int { return pz_go_zmq_ctx_term(p) }

// pz_go_zmq_ctx_shutdown is zmq_ctx_shutdown: it makes blocking calls on the context's sockets return
// ETERM, without waiting for anything.
//
//export pz_go_zmq_ctx_shutdown
func pz_go_zmq_ctx_shutdown(p unsafe.Pointer) C.int {
	c := getCtx(p)
	if c == nil {
		return fail(syscall.EFAULT)
	}
	c.startTerm()
	return 0
}

// Context options (zmq.h).
const (
	ctxIoThreads     = 1
	ctxMaxSockets    = 2
	ctxSocketLimit   = 3
	ctxThreadPrio    = 3
	ctxThreadSched   = 4
	ctxMaxMsgsz      = 5
	ctxMsgTSize      = 6
	ctxAffinityAdd   = 7
	ctxAffinityRm    = 8
	ctxNamePrefix    = 9
	ctxZeroCopyRecv  = 10
	ctxIpv6          = 42
	ctxBlocky        = 70
	socketLimitValue = 65535
)

// pz_go_zmq_ctx_set is zmq_ctx_set: it sets a context option.
//
//export pz_go_zmq_ctx_set
func pz_go_zmq_ctx_set(p unsafe.Pointer, option, value C.int) C.int {
	c := getCtx(p)
	if c == nil {
		return fail(syscall.EFAULT)
	}
	v := int(value)
	var err error
	switch option {
	case ctxIoThreads:
		if v < 0 {
			return fail(syscall.EINVAL)
		}
		err = c.ctx.SetIoThreads(v)
	case ctxMaxSockets:
		if v < 1 || v > socketLimitValue {
			return fail(syscall.EINVAL)
		}
		err = c.ctx.SetMaxSockets(v)
	case ctxNamePrefix:
		c.mu.Lock()
		c.namePrefix = strconv.Itoa(v)
		c.mu.Unlock()
	case ctxThreadPrio, ctxThreadSched:
		if v < 0 {
			return fail(syscall.EINVAL)
		}
		c.mu.Lock()
		if c.threadOpts == nil {
			c.threadOpts = map[C.int]int{}
		}
		c.threadOpts[option] = v
		c.mu.Unlock()
	case ctxAffinityAdd, ctxAffinityRm:
		if v < 0 {
			return fail(syscall.EINVAL)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if option == ctxAffinityAdd {
			if c.affinity == nil {
				c.affinity = map[int]bool{}
			}
			c.affinity[v] = true
			break
		}
		if !c.affinity[v] {
			return fail(syscall.EINVAL) // as libzmq: removing a CPU not added
		}
		delete(c.affinity, v)
	case ctxMaxMsgsz:
		if v < 0 {
			return fail(syscall.EINVAL)
		}
		err = c.ctx.SetMaxMsgsz(v)
	case ctxIpv6:
		if v < 0 {
			return fail(syscall.EINVAL)
		}
		err = c.ctx.SetIpv6(v != 0) // any positive value is on, as in libzmq
	case ctxBlocky:
		if v < 0 {
			return fail(syscall.EINVAL)
		}
		err = c.ctx.SetBlocky(v != 0)
	case ctxZeroCopyRecv:
		if v < 0 {
			return fail(syscall.EINVAL)
		}
		c.mu.Lock()
		c.zeroCopyRecvOff = v == 0
		c.mu.Unlock()
	default:
		return fail(syscall.EINVAL)
	}
	if err != nil {
		return failErr(err)
	}
	return 0
}

// pz_go_zmq_ctx_get is zmq_ctx_get: it reads a context option.
//
//export pz_go_zmq_ctx_get
func pz_go_zmq_ctx_get(p unsafe.Pointer, option C.int) C.int {
	c := getCtx(p)
	if c == nil {
		return fail(syscall.EFAULT)
	}
	var v int
	var b bool
	var err error
	switch option {
	case ctxIoThreads:
		v, err = c.ctx.GetIoThreads()
	case ctxMaxSockets:
		v, err = c.ctx.GetMaxSockets()
	case ctxSocketLimit:
		v = socketLimitValue
	case ctxMaxMsgsz:
		v, err = c.ctx.GetMaxMsgsz()
	case ctxMsgTSize:
		v = int(unsafe.Sizeof(C.pz_msg{}))
	case ctxIpv6:
		b, err = c.ctx.GetIpv6()
		if b {
			v = 1
		}
	case ctxBlocky:
		b, err = c.ctx.GetBlocky()
		if b {
			v = 1
		}
	case ctxZeroCopyRecv:
		c.mu.Lock()
		if !c.zeroCopyRecvOff {
			v = 1
		}
		c.mu.Unlock()
	case ctxNamePrefix:
		c.mu.Lock()
		v, _ = strconv.Atoi(c.namePrefix)
		c.mu.Unlock()
	case ctxThreadSched:
		c.mu.Lock()
		var ok bool
		if v, ok = c.threadOpts[option]; !ok {
			v = -1
		}
		c.mu.Unlock()
	default:
		return fail(syscall.EINVAL)
	}
	if err != nil {
		return failErr(err)
	}
	return C.int(v)
}

// ---- sockets ----

type sockEntry struct {
	s      *zmq.Socket
	ctx    *ctxEntry
	typ    zmq.Type
	closed atomic.Bool
	// metas holds the C copies of the properties of recent connections.
	metas  metaCache
	mu     sync.Mutex
	shadow map[int]int // options read back from here (sockopt.go)
	// rq is the socket's receive buffer in C, or nil (recvq.go); rqSrc
	// holds the connection of each part in it, under the buffer's lock.
	rq    *C.pz_rq
	rqSrc []zmq.PartSource
	// sq is the socket's send buffer, or nil (sendq.go).
	sq *sendBuffer
}

func getSock(p unsafe.Pointer) *sockEntry {
	s, _ := lookup(p).(*sockEntry)
	return s
}

// pz_go_zmq_socket is zmq_socket: it makes a socket of the given type in the context.
//
//export pz_go_zmq_socket
func pz_go_zmq_socket(ctxp unsafe.Pointer, typ C.int) unsafe.Pointer {
	c := getCtx(ctxp)
	if c == nil {
		setErrno(syscall.EFAULT)
		return nil
	}
	c.mu.Lock()
	down := c.shutdown
	c.mu.Unlock()
	if down {
		setErrno(syscall.Errno(zmq.ETERM))
		return nil
	}
	if typ < 0 || typ > 20 {
		setErrno(syscall.EINVAL)
		return nil
	}
	s, err := c.ctx.NewSocket(zmq.Type(typ))
	if err != nil {
		setErrno(errnoOf(err))
		return nil
	}
	// New sockets take the context's ZMQ_IPV6, as in libzmq.
	if v6, _ := c.ctx.GetIpv6(); v6 {
		s.SetIpv6(true)
	}
	// A context that is not ZMQ_BLOCKY gives its sockets no linger.
	if blocky, _ := c.ctx.GetBlocky(); !blocky {
		s.SetLinger(0)
	}
	atomic.AddInt32(&c.sockets, 1)
	return newSocketHandle(&sockEntry{s: s, ctx: c, typ: zmq.Type(typ)})
}

// pz_go_zmq_close is zmq_close: it closes the socket; pending messages linger as ZMQ_LINGER says.
//
//export pz_go_zmq_close
func pz_go_zmq_close(p unsafe.Pointer) C.int {
	e := getSock(p)
	if e == nil || !e.closed.CompareAndSwap(false, true) {
		return fail(syscall.ENOTSOCK)
	}
	kill(p)
	atomic.AddInt32(&e.ctx.sockets, -1)
	e.closeSendBuffer()
	e.closeRecvBuffer()
	err := e.s.Close()
	e.metas.clear()
	if err != nil && errnoOf(err) != syscall.ENOTSOCK {
		return failErr(err)
	}
	return 0
}

// endpointCall runs a bind/connect style call with a checked endpoint.
func endpointCall(p unsafe.Pointer, addr *C.char, f func(*zmq.Socket, string) error) C.int {
	e := getSock(p)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	e.flushSends()
	if addr == nil {
		return fail(syscall.EINVAL)
	}
	if err := f(e.s, C.GoString(addr)); err != nil {
		return failErr(err)
	}
	return 0
}

// pz_go_zmq_bind is zmq_bind: binds the socket to an endpoint.
//
//export pz_go_zmq_bind
func pz_go_zmq_bind(p unsafe.Pointer, addr *C.char) C.int {
	return endpointCall(p, addr, (*zmq.Socket).Bind)
}

// pz_go_zmq_connect is zmq_connect: connects the socket to an endpoint.
//
//export pz_go_zmq_connect
func pz_go_zmq_connect(p unsafe.Pointer, addr *C.char) C.int {
	return endpointCall(p, addr, (*zmq.Socket).Connect)
}

// pz_go_zmq_unbind is zmq_unbind: stops listening on an endpoint.
//
//export pz_go_zmq_unbind
func pz_go_zmq_unbind(p unsafe.Pointer, addr *C.char) C.int {
	return endpointCall(p, addr, (*zmq.Socket).Unbind)
}

// pz_go_zmq_disconnect is zmq_disconnect: drops the connection to an endpoint.
//
//export pz_go_zmq_disconnect
func pz_go_zmq_disconnect(p unsafe.Pointer, addr *C.char) C.int {
	rc := endpointCall(p, addr, (*zmq.Socket).Disconnect)
	if e := getSock(p); rc == 0 && e != nil {
		e.dropDisconnected(C.GoString(addr))
	}
	return rc
}

// cBytes views C memory as a Go slice for the duration of a call; the Go
// package copies what it keeps.
func cBytes(buf unsafe.Pointer, n C.size_t) []byte {
	if n == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(buf), int(n))
}

// pz_send_buf is zmq_send (pz.c) for a socket without a send buffer: it
// sends a message part from a buffer.
//
//export pz_send_buf
func pz_send_buf(p unsafe.Pointer, buf unsafe.Pointer, n C.size_t, flags C.int) C.int {
	e := getSock(p)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	if buf == nil && n != 0 {
		return fail(syscall.EFAULT)
	}
	if n > 1<<31-1 {
		return fail(syscall.EINVAL)
	}
	if err := e.sendPart(cBytes(buf, n), zmq.Flag(flags)); err != nil {
		return failErr(err)
	}
	return C.int(n)
}

// pz_recv_buf is zmq_recv (pz.c) for a socket without a receive buffer:
// it receives a message part into buf, truncating it to n bytes, and
// returns the part's full size.
//
//export pz_recv_buf
func pz_recv_buf(p unsafe.Pointer, buf unsafe.Pointer, n C.size_t, flags C.int) C.int {
	e := getSock(p)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	if buf == nil && n != 0 {
		return fail(syscall.EFAULT)
	}
	size := 0
	err := blocking(e.s, zmq.Flag(flags), zmq.POLLIN, func(f zmq.Flag) error {
		_, err := e.s.RecvPart(f, func(b []byte) {
			size = len(b)
			if n > 0 {
				copy(unsafe.Slice((*byte)(buf), int(n)), b)
			}
		})
		return err
	})
	if err != nil {
		return failErr(err)
	}
	if size > 1<<31-1 {
		size = 1<<31 - 1
	}
	return C.int(size)
}

// ---- errors and versions ----

var strerrors sync.Map // int -> *C.char

// pz_go_zmq_strerror is zmq_strerror: returns the text for an error number; the string is static.
//
//export pz_go_zmq_strerror
func pz_go_zmq_strerror(errnum C.int) *C.char {
	if v, ok := strerrors.Load(int(errnum)); ok {
		return v.(*C.char)
	}
	text := zmq.Error(int(errnum))
	cs := C.CString(text)
	if v, loaded := strerrors.LoadOrStore(int(errnum), cs); loaded {
		C.free(unsafe.Pointer(cs))
		return v.(*C.char)
	}
	return cs
}

// pz_go_zmq_version is zmq_version: reports the libzmq version whose API and behaviour this
// library provides.
//
//export pz_go_zmq_version
func pz_go_zmq_version(major, minor, patch *C.int) {
	// The exported ABI is libzmq 4.3.4's zmq.h, whatever 4.3 release the
	// Go package's behaviour tracks.
	a, b, c := 4, 3, 4
	if major != nil {
		*major = C.int(a)
	}
	if minor != nil {
		*minor = C.int(b)
	}
	if patch != nil {
		*patch = C.int(c)
	}
}

// pz_go_zmq_has is zmq_has: reports whether a capability ("ipc", "curve", ...) is built in.
//
//export pz_go_zmq_has
func pz_go_zmq_has(capability *C.char) C.int {
	if capability == nil {
		return 0
	}
	switch C.GoString(capability) {
	case "ipc":
		return boolInt(zmq.HasIpc())
	case "pgm":
		return boolInt(zmq.HasPgm())
	case "tipc":
		return boolInt(zmq.HasTipc())
	case "norm":
		return boolInt(zmq.HasNorm())
	case "curve":
		return boolInt(zmq.HasCurve())
	case "gssapi":
		return boolInt(zmq.HasGssapi())
	case "ws", "wss":
		return 1
	case "draft":
		return draftBuilt
	}
	return 0
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
