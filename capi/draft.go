package main

/*
#include "pz.h"
*/
import "C"

import (
	"os"
	"sync"
	"syscall"
	"unsafe"

	zmq "github.com/purezmq/zmq4"
)

// draftBuilt is zmq_has("draft"). This file exports libzmq 4.3.4's draft
// functions (ZMQ_BUILD_DRAFT_API) in any case, but zmq_has("draft") answers
// 0 by default, as Debian's libzmq (built without drafts) does: bindings
// built against that library, such as Debian's pyzmq, take "draft" to mean
// that their own compiled draft calls work, and they do not. Set
// PUREZMQ_CAPI_DRAFT=1 in the environment to answer 1.
var draftBuilt = func() C.int {
	if os.Getenv("PUREZMQ_CAPI_DRAFT") == "1" {
		return 1
	}
	return 0
}()

// pz_go_zmq_join is zmq_join: makes a DISH socket receive a group.
//
//export pz_go_zmq_join
func pz_go_zmq_join(p unsafe.Pointer, group *C.char) C.int {
	return endpointCall(p, group, (*zmq.Socket).Join)
}

// pz_go_zmq_leave is zmq_leave: makes a DISH socket stop receiving a group.
//
//export pz_go_zmq_leave
func pz_go_zmq_leave(p unsafe.Pointer, group *C.char) C.int {
	return endpointCall(p, group, (*zmq.Socket).Leave)
}

// pz_go_zmq_connect_peer is zmq_connect_peer: connects a PEER socket and returns the new peer's
// routing id, or 0 on error.
//
//export pz_go_zmq_connect_peer
func pz_go_zmq_connect_peer(p unsafe.Pointer, addr *C.char) C.uint32_t {
	e := getSock(p)
	if e == nil {
		setErrno(syscall.ENOTSOCK)
		return 0
	}
	if addr == nil {
		setErrno(syscall.EINVAL)
		return 0
	}
	id, err := e.s.ConnectPeer(C.GoString(addr))
	if err != nil {
		setErrno(errnoOf(err))
		return 0
	}
	return C.uint32_t(id)
}

// pz_go_zmq_msg_init_buffer is zmq_msg_init_buffer: makes a message holding a copy of size bytes at buf.
//
//export pz_go_zmq_msg_init_buffer
func pz_go_zmq_msg_init_buffer(p unsafe.Pointer, buf unsafe.Pointer, size C.size_t) C.int {
	if buf == nil && size != 0 {
		return fail(syscall.EFAULT)
	}
	if rc := C.pz_c_zmq_msg_init_size(p, size); rc != 0 {
		return rc
	}
	if size > 0 {
		m := (*C.pz_msg)(p)
		copy(unsafe.Slice((*byte)(m.data), int(size)), cBytes(buf, size))
	}
	return 0
}

// pz_go_zmq_ctx_set_ext is zmq_ctx_set_ext: sets a context option from optlen bytes: an int, or the
// thread name prefix as a string.
//
//export pz_go_zmq_ctx_set_ext
func pz_go_zmq_ctx_set_ext(p unsafe.Pointer, option C.int, optval unsafe.Pointer, optlen C.size_t) C.int {
	c := getCtx(p)
	if c == nil {
		return fail(syscall.EFAULT)
	}
	if option == ctxNamePrefix {
		if optval == nil && optlen != 0 {
			return fail(syscall.EFAULT)
		}
		c.mu.Lock()
		c.namePrefix = string(cBytes(optval, optlen))
		c.mu.Unlock()
		return 0
	}
	if optval == nil || optlen != C.sizeof_int {
		return fail(syscall.EINVAL)
	}
	return pz_go_zmq_ctx_set(p, option, *(*C.int)(optval))
}

// pz_go_zmq_ctx_get_ext is zmq_ctx_get_ext: reads a context option into optval: an int, or the thread
// name prefix as a string.
//
//export pz_go_zmq_ctx_get_ext
func pz_go_zmq_ctx_get_ext(p unsafe.Pointer, option C.int, optval unsafe.Pointer, optlen *C.size_t) C.int {
	c := getCtx(p)
	if c == nil {
		return fail(syscall.EFAULT)
	}
	if optlen == nil || (optval == nil && *optlen != 0) {
		return fail(syscall.EFAULT)
	}
	if option == ctxNamePrefix {
		c.mu.Lock()
		v := c.namePrefix
		c.mu.Unlock()
		if int(*optlen) < len(v)+1 {
			return fail(syscall.EINVAL)
		}
		dst := unsafe.Slice((*byte)(optval), len(v)+1)
		copy(dst, v)
		dst[len(v)] = 0
		*optlen = C.size_t(len(v) + 1)
		return 0
	}
	if *optlen < C.sizeof_int {
		return fail(syscall.EINVAL)
	}
	v := pz_go_zmq_ctx_get(p, option)
	if v == -1 {
		return -1
	}
	*(*C.int)(optval) = v
	*optlen = C.sizeof_int
	return 0
}

// pz_go_zmq_socket_get_peer_state is zmq_socket_get_peer_state, which is not supported: the Go package does not
// expose a ROUTER peer's pipe state.
//
//export pz_go_zmq_socket_get_peer_state
func pz_go_zmq_socket_get_peer_state(p unsafe.Pointer, rid unsafe.Pointer, n C.size_t) C.int {
	if getSock(p) == nil {
		return fail(syscall.ENOTSOCK)
	}
	return fail(syscall.ENOTSUP)
}

// pz_go_zmq_socket_monitor_versioned is zmq_socket_monitor_versioned: reports the socket's events in the given
// event format version on a socket of the given type bound to addr.
//
//export pz_go_zmq_socket_monitor_versioned
func pz_go_zmq_socket_monitor_versioned(p unsafe.Pointer, addr *C.char, events C.uint64_t, version C.int, typ C.int) C.int {
	e := getSock(p)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	e.flushSends()
	a := ""
	if addr != nil {
		a = C.GoString(addr)
		if len(a) < 9 || a[:9] != "inproc://" {
			return fail(syscall.EPROTONOSUPPORT)
		}
	}
	if err := e.s.MonitorVersioned(a, uint64(events), int(version), zmq.Type(typ)); err != nil {
		return failErr(err)
	}
	return 0
}

// pz_go_zmq_socket_monitor_pipes_stats is zmq_socket_monitor_pipes_stats: asks for a ZMQ_EVENT_PIPES_STATS event per
// pipe on the socket's (version 2) monitor.
//
//export pz_go_zmq_socket_monitor_pipes_stats
func pz_go_zmq_socket_monitor_pipes_stats(p unsafe.Pointer) C.int {
	e := getSock(p)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	e.flushSends()
	if err := e.s.MonitorPipesStats(); err != nil {
		return failErr(err)
	}
	return 0
}

// ---- zmq_poller ----

type pollerEntry struct {
	sock     unsafe.Pointer // C handle, nil for an fd
	s        *zmq.Socket
	fd       int
	userData unsafe.Pointer
	events   int
}

type poller struct {
	mu    sync.Mutex
	items []pollerEntry
	// sig is zmq_poller_fd's descriptor once asked for (see
	// poller_fd_linux.go), -1 before.
	sig int
}

func getPoller(p unsafe.Pointer) *poller {
	x, _ := lookup(p).(*poller)
	return x
}

const validPollEvents = pollIn | pollOut | pollErr | pollPri

// pz_go_zmq_poller_new is zmq_poller_new: makes an empty poller.
//
//export pz_go_zmq_poller_new
func pz_go_zmq_poller_new() unsafe.Pointer {
	return newHandle(tagOther, &poller{sig: -1})
}

// pz_go_zmq_poller_destroy is zmq_poller_destroy: frees the poller and sets *pp to NULL.
//
//export pz_go_zmq_poller_destroy
func pz_go_zmq_poller_destroy(pp *unsafe.Pointer) C.int {
	if pp == nil {
		return fail(syscall.EFAULT)
	}
	x := getPoller(*pp)
	if x == nil {
		return fail(syscall.EFAULT)
	}
	x.mu.Lock()
	x.closeSignalerLocked()
	x.mu.Unlock()
	kill(*pp)
	*pp = nil
	return 0
}

// pz_go_zmq_poller_size is zmq_poller_size: returns the number of registered sockets and fds.
//
//export pz_go_zmq_poller_size
func pz_go_zmq_poller_size(p unsafe.Pointer) C.int {
	x := getPoller(p)
	if x == nil {
		return fail(syscall.EFAULT)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return C.int(len(x.items))
}

func (x *poller) find(sock unsafe.Pointer, fd int) int {
	for i, it := range x.items {
		if sock != nil && it.sock == sock || sock == nil && it.sock == nil && it.fd == fd {
			return i
		}
	}
	return -1
}

// pz_go_zmq_poller_add is zmq_poller_add: registers a socket with its user data and events.
//
//export pz_go_zmq_poller_add
func pz_go_zmq_poller_add(p, sock, userData unsafe.Pointer, events C.short) C.int {
	x := getPoller(p)
	if x == nil {
		return fail(syscall.EFAULT)
	}
	e := getSock(sock)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	if int(events)&^validPollEvents != 0 {
		return fail(syscall.EINVAL)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.find(sock, 0) >= 0 {
		return fail(syscall.EINVAL)
	}
	x.items = append(x.items, pollerEntry{sock: sock, s: e.s, userData: userData, events: int(events)})
	if threadSafe(e.typ) {
		x.watchLocked(e.s, true)
	}
	return 0
}

// pz_go_zmq_poller_modify is zmq_poller_modify: changes a registered socket's events.
//
//export pz_go_zmq_poller_modify
func pz_go_zmq_poller_modify(p, sock unsafe.Pointer, events C.short) C.int {
	x := getPoller(p)
	if x == nil {
		return fail(syscall.EFAULT)
	}
	if getSock(sock) == nil {
		return fail(syscall.ENOTSOCK)
	}
	if int(events)&^validPollEvents != 0 {
		return fail(syscall.EINVAL)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	i := x.find(sock, 0)
	if i < 0 {
		return fail(syscall.EINVAL)
	}
	x.items[i].events = int(events)
	return 0
}

// pz_go_zmq_poller_remove is zmq_poller_remove: unregisters a socket.
//
//export pz_go_zmq_poller_remove
func pz_go_zmq_poller_remove(p, sock unsafe.Pointer) C.int {
	x := getPoller(p)
	if x == nil {
		return fail(syscall.EFAULT)
	}
	if getSock(sock) == nil {
		return fail(syscall.ENOTSOCK)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	i := x.find(sock, 0)
	if i < 0 {
		return fail(syscall.EINVAL)
	}
	if threadSafe(getSock(sock).typ) {
		x.watchLocked(x.items[i].s, false)
	}
	x.items = append(x.items[:i], x.items[i+1:]...)
	return 0
}

// pz_go_zmq_poller_add_fd is zmq_poller_add_fd: registers a file descriptor.
//
//export pz_go_zmq_poller_add_fd
func pz_go_zmq_poller_add_fd(p unsafe.Pointer, fd C.int, userData unsafe.Pointer, events C.short) C.int {
	x := getPoller(p)
	if x == nil {
		return fail(syscall.EFAULT)
	}
	if fd < 0 {
		return fail(syscall.EBADF)
	}
	if int(events)&^validPollEvents != 0 {
		return fail(syscall.EINVAL)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.find(nil, int(fd)) >= 0 {
		return fail(syscall.EINVAL)
	}
	x.items = append(x.items, pollerEntry{fd: int(fd), userData: userData, events: int(events)})
	return 0
}

// pz_go_zmq_poller_modify_fd is zmq_poller_modify_fd: changes a registered fd's events.
//
//export pz_go_zmq_poller_modify_fd
func pz_go_zmq_poller_modify_fd(p unsafe.Pointer, fd C.int, events C.short) C.int {
	x := getPoller(p)
	if x == nil {
		return fail(syscall.EFAULT)
	}
	if fd < 0 {
		return fail(syscall.EBADF)
	}
	if int(events)&^validPollEvents != 0 {
		return fail(syscall.EINVAL)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	i := x.find(nil, int(fd))
	if i < 0 {
		return fail(syscall.EINVAL)
	}
	x.items[i].events = int(events)
	return 0
}

// pz_go_zmq_poller_remove_fd is zmq_poller_remove_fd: unregisters a file descriptor.
//
//export pz_go_zmq_poller_remove_fd
func pz_go_zmq_poller_remove_fd(p unsafe.Pointer, fd C.int) C.int {
	x := getPoller(p)
	if x == nil {
		return fail(syscall.EFAULT)
	}
	if fd < 0 {
		return fail(syscall.EBADF)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	i := x.find(nil, int(fd))
	if i < 0 {
		return fail(syscall.EINVAL)
	}
	x.items = append(x.items[:i], x.items[i+1:]...)
	return 0
}

// pz_go_zmq_poller_fd is zmq_poller_fd: gives a descriptor that turns readable when a thread-safe
// socket in the poller may be ready, as libzmq's signaler: EINVAL while the
// poller holds none (libzmq makes its signaler for thread-safe sockets only).
//
//export pz_go_zmq_poller_fd
func pz_go_zmq_poller_fd(p unsafe.Pointer, fd *C.int) C.int {
	x := getPoller(p)
	if x == nil {
		return fail(syscall.EFAULT)
	}
	if fd == nil {
		return fail(syscall.EFAULT)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	sig, errno := x.signalerLocked()
	if errno != 0 {
		return fail(errno)
	}
	*fd = C.int(sig)
	return 0
}

// threadSafe reports whether libzmq counts a socket type as thread-safe:
// the draft types whose sockets a poller signals through zmq_poller_fd.
func threadSafe(t zmq.Type) bool {
	switch t {
	case zmq.SERVER, zmq.CLIENT, zmq.RADIO, zmq.DISH, zmq.GATHER, zmq.SCATTER, zmq.PEER, zmq.CHANNEL:
		return true
	}
	return false
}

// pz_go_zmq_poller_wait_all is zmq_poller_wait_all: waits until registered items are ready, or timeout
// ms pass (EAGAIN), and fills up to n events.
//
//export pz_go_zmq_poller_wait_all
func pz_go_zmq_poller_wait_all(p unsafe.Pointer, events unsafe.Pointer, n C.int, timeout C.long) C.int {
	x := getPoller(p)
	if x == nil {
		return fail(syscall.EFAULT)
	}
	if n < 0 {
		return fail(syscall.EINVAL)
	}
	if events == nil && n > 0 {
		return fail(syscall.EFAULT)
	}
	x.mu.Lock()
	entries := append([]pollerEntry(nil), x.items...)
	x.mu.Unlock()
	var items []pollItem
	var idx []int
	for i, it := range entries {
		if it.events == 0 {
			continue
		}
		items = append(items, pollItem{sock: it.s, entry: getSock(it.sock), fd: it.fd, events: it.events})
		idx = append(idx, i)
	}
	if len(items) == 0 || n == 0 {
		if timeout < 0 {
			return fail(syscall.EFAULT)
		}
		pollWait(nil, int(timeout))
		return fail(syscall.EAGAIN)
	}
	revents, ready, errno := pollWait(items, int(timeout))
	if errno != 0 {
		return fail(errno)
	}
	if ready == 0 {
		return fail(syscall.EAGAIN)
	}
	out := unsafe.Slice((*C.pz_poller_event)(events), int(n))
	k := 0
	for j, r := range revents {
		if r == 0 || k == len(out) {
			continue
		}
		it := entries[idx[j]]
		out[k] = C.pz_poller_event{socket: it.sock, fd: C.int(it.fd), user_data: it.userData, events: C.short(r)}
		if it.sock != nil {
			out[k].fd = -1
		}
		k++
	}
	return C.int(k)
}

// pz_go_zmq_poller_wait is zmq_poller_wait, which is zmq_poller_wait_all for one event.
//
//export pz_go_zmq_poller_wait
func pz_go_zmq_poller_wait(p unsafe.Pointer, event unsafe.Pointer, timeout C.long) C.int {
	if getPoller(p) == nil {
		return fail(syscall.EFAULT)
	}
	if event == nil {
		return fail(syscall.EFAULT)
	}
	rc := pz_go_zmq_poller_wait_all(p, event, 1, timeout)
	if rc < 0 {
		return rc
	}
	return 0
}
