package main

/*
#include "pz.h"
*/
import "C"

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	zmq "github.com/purezmq/zmq4"
)

// ---- Z85 and CURVE keys ----

// pz_go_zmq_z85_encode is zmq_z85_encode: writes the Z85 text of size bytes (a multiple of 4) at data
// into dest, which holds size*5/4+1 bytes; it returns dest or NULL.
//
//export pz_go_zmq_z85_encode
func pz_go_zmq_z85_encode(dest *C.char, data unsafe.Pointer, size C.size_t) *C.char {
	if dest == nil || (data == nil && size != 0) || size%4 != 0 {
		setErrno(syscall.EINVAL)
		return nil
	}
	text, err := zmq.Z85Encode(cBytes(data, size))
	if err != nil {
		setErrno(syscall.EINVAL)
		return nil
	}
	out := unsafe.Slice((*byte)(unsafe.Pointer(dest)), len(text)+1)
	copy(out, text)
	out[len(text)] = 0
	return dest
}

// pz_go_zmq_z85_decode is zmq_z85_decode: writes the bytes of a Z85 string (length a multiple of 5)
// into dest, which holds strlen*4/5 bytes; it returns dest or NULL.
//
//export pz_go_zmq_z85_decode
func pz_go_zmq_z85_decode(dest unsafe.Pointer, str *C.char) unsafe.Pointer {
	if dest == nil || str == nil {
		setErrno(syscall.EINVAL)
		return nil
	}
	s := C.GoString(str)
	if len(s)%5 != 0 {
		setErrno(syscall.EINVAL)
		return nil
	}
	b, err := zmq.Z85Decode(s)
	if err != nil {
		setErrno(syscall.EINVAL)
		return nil
	}
	copy(unsafe.Slice((*byte)(dest), len(b)), b)
	return dest
}

// putZ85Key writes a 40-character key and its NUL.
func putZ85Key(dst *C.char, key string) {
	out := unsafe.Slice((*byte)(unsafe.Pointer(dst)), 41)
	copy(out, key)
	out[40] = 0
}

// pz_go_zmq_curve_keypair is zmq_curve_keypair: makes a CURVE key pair, each key in Z85 (41 bytes with
// the NUL).
//
//export pz_go_zmq_curve_keypair
func pz_go_zmq_curve_keypair(public, secret *C.char) C.int {
	if public == nil || secret == nil {
		return fail(syscall.EFAULT)
	}
	pub, sec, err := zmq.NewCurveKeypair()
	if err != nil {
		return failErr(err)
	}
	putZ85Key(public, pub)
	putZ85Key(secret, sec)
	return 0
}

// pz_go_zmq_curve_public is zmq_curve_public: derives the Z85 public key of a Z85 secret key.
//
//export pz_go_zmq_curve_public
func pz_go_zmq_curve_public(public, secret *C.char) C.int {
	if public == nil || secret == nil {
		return fail(syscall.EFAULT)
	}
	sec := C.GoString(secret)
	if len(sec) != 40 {
		return fail(syscall.EINVAL)
	}
	pub, err := zmq.AuthCurvePublic(sec)
	if err != nil {
		return fail(syscall.EINVAL)
	}
	putZ85Key(public, pub)
	return 0
}

// ---- atomic counters ----

// pz_go_zmq_atomic_counter_new is zmq_atomic_counter_new: makes a counter set to 0.
//
//export pz_go_zmq_atomic_counter_new
func pz_go_zmq_atomic_counter_new() unsafe.Pointer {
	p := C.calloc(1, 8)
	return p
}

// pz_go_zmq_atomic_counter_set is zmq_atomic_counter_set: sets the counter.
//
//export pz_go_zmq_atomic_counter_set
func pz_go_zmq_atomic_counter_set(p unsafe.Pointer, v C.int) {
	if p != nil {
		atomic.StoreInt32((*int32)(p), int32(v))
	}
}

// pz_go_zmq_atomic_counter_inc is zmq_atomic_counter_inc: adds one and returns the value before.
//
//export pz_go_zmq_atomic_counter_inc
func pz_go_zmq_atomic_counter_inc(p unsafe.Pointer) C.int {
	if p == nil {
		return 0
	}
	return C.int(atomic.AddInt32((*int32)(p), 1) - 1)
}

// pz_go_zmq_atomic_counter_dec is zmq_atomic_counter_dec: subtracts one and returns 1 when the counter is
// still above zero, else 0.
//
//export pz_go_zmq_atomic_counter_dec
func pz_go_zmq_atomic_counter_dec(p unsafe.Pointer) C.int {
	if p == nil {
		return 0
	}
	if atomic.AddInt32((*int32)(p), -1) > 0 {
		return 1
	}
	return 0
}

// pz_go_zmq_atomic_counter_value is zmq_atomic_counter_value: reads the counter.
//
//export pz_go_zmq_atomic_counter_value
func pz_go_zmq_atomic_counter_value(p unsafe.Pointer) C.int {
	if p == nil {
		return 0
	}
	return C.int(atomic.LoadInt32((*int32)(p)))
}

// pz_go_zmq_atomic_counter_destroy is zmq_atomic_counter_destroy: frees the counter and sets *pp to NULL.
//
//export pz_go_zmq_atomic_counter_destroy
func pz_go_zmq_atomic_counter_destroy(pp *unsafe.Pointer) {
	if pp == nil || *pp == nil {
		return
	}
	C.free(*pp)
	*pp = nil
}

// ---- stopwatch, sleep, threads ----

var clockStart = time.Now()

func nowMicros() uint64 { return uint64(time.Since(clockStart) / time.Microsecond) }

// pz_go_zmq_stopwatch_start is zmq_stopwatch_start: starts a stopwatch.
//
//export pz_go_zmq_stopwatch_start
func pz_go_zmq_stopwatch_start() unsafe.Pointer {
	p := C.malloc(8)
	*(*uint64)(p) = nowMicros()
	return p
}

// pz_go_zmq_stopwatch_intermediate is zmq_stopwatch_intermediate: returns the microseconds since the start.
//
//export pz_go_zmq_stopwatch_intermediate
func pz_go_zmq_stopwatch_intermediate(p unsafe.Pointer) C.ulong {
	if p == nil {
		return 0
	}
	return C.ulong(nowMicros() - *(*uint64)(p))
}

// pz_go_zmq_stopwatch_stop is zmq_stopwatch_stop: returns the microseconds since the start and frees
// the stopwatch.
//
//export pz_go_zmq_stopwatch_stop
func pz_go_zmq_stopwatch_stop(p unsafe.Pointer) C.ulong {
	if p == nil {
		return 0
	}
	d := pz_go_zmq_stopwatch_intermediate(p)
	C.free(p)
	return d
}

// pz_go_zmq_sleep is zmq_sleep: sleeps for the given seconds.
//
//export pz_go_zmq_sleep
func pz_go_zmq_sleep(seconds C.int) {
	time.Sleep(time.Duration(seconds) * time.Second)
}

type thread struct{ done chan struct{} }

// pz_go_zmq_threadstart is zmq_threadstart: runs fn(arg) on a new thread.
//
//export pz_go_zmq_threadstart
func pz_go_zmq_threadstart(fn unsafe.Pointer, arg unsafe.Pointer) unsafe.Pointer {
	if fn == nil {
		setErrno(syscall.EINVAL)
		return nil
	}
	t := &thread{done: make(chan struct{})}
	go func() {
		defer close(t.done)
		C.pz_call_thread(fn, arg)
	}()
	return newHandle(tagOther, t)
}

// pz_go_zmq_threadclose is zmq_threadclose: waits for the thread to end and frees it.
//
//export pz_go_zmq_threadclose
func pz_go_zmq_threadclose(p unsafe.Pointer) {
	t, _ := lookup(p).(*thread)
	if t == nil {
		return
	}
	<-t.done
	kill(p)
}

// ---- proxies and monitors ----

func socketsOf(ps ...unsafe.Pointer) ([]*zmq.Socket, bool) {
	out := make([]*zmq.Socket, len(ps))
	for i, p := range ps {
		if p == nil {
			continue
		}
		e := getSock(p)
		if e == nil {
			return nil, false
		}
		e.flushSends()
		out[i] = e.s
	}
	return out, true
}

// forwardBufferedBoth forwards what the receive buffers of frontend and
// backend hold (recvq.go) before a proxy between them starts.
func forwardBufferedBoth(frontend, backend unsafe.Pointer, capture *zmq.Socket) error {
	f, b := getSock(frontend), getSock(backend)
	if err := forwardBuffered(f, b.s, capture); err != nil {
		return err
	}
	return forwardBuffered(b, f.s, capture)
}

// pz_go_zmq_proxy is zmq_proxy: forwards messages between frontend and backend, copying them to
// capture if not NULL, until the context ends.
//
//export pz_go_zmq_proxy
func pz_go_zmq_proxy(frontend, backend, capture unsafe.Pointer) C.int {
	if frontend == nil || backend == nil {
		return fail(syscall.EFAULT)
	}
	s, ok := socketsOf(frontend, backend, capture)
	if !ok {
		return fail(syscall.ENOTSOCK)
	}
	if err := forwardBufferedBoth(frontend, backend, s[2]); err != nil {
		return failErr(err)
	}
	return failErr(zmq.Proxy(s[0], s[1], s[2]))
}

// pz_go_zmq_proxy_steerable is zmq_proxy_steerable, which is zmq_proxy with a control socket taking PAUSE,
// RESUME, TERMINATE and STATISTICS.
//
//export pz_go_zmq_proxy_steerable
func pz_go_zmq_proxy_steerable(frontend, backend, capture, control unsafe.Pointer) C.int {
	if frontend == nil || backend == nil {
		return fail(syscall.EFAULT)
	}
	s, ok := socketsOf(frontend, backend, capture, control)
	if !ok {
		return fail(syscall.ENOTSOCK)
	}
	if err := forwardBufferedBoth(frontend, backend, s[2]); err != nil {
		return failErr(err)
	}
	err := zmq.ProxySteerable(s[0], s[1], s[2], s[3])
	if err == nil {
		return 0
	}
	return failErr(err)
}

// pz_go_zmq_device is zmq_device, which is zmq_proxy without capture (deprecated API).
//
//export pz_go_zmq_device
func pz_go_zmq_device(typ C.int, frontend, backend unsafe.Pointer) C.int {
	return pz_go_zmq_proxy(frontend, backend, nil)
}

// pz_go_zmq_socket_monitor is zmq_socket_monitor: reports the socket's events on a PAIR socket bound to
// addr; a NULL addr stops monitoring.
//
//export pz_go_zmq_socket_monitor
func pz_go_zmq_socket_monitor(p unsafe.Pointer, addr *C.char, events C.int) C.int {
	e := getSock(p)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	e.flushSends()
	a := ""
	if addr != nil {
		a = C.GoString(addr)
		if !strings.HasPrefix(a, "inproc://") {
			return fail(syscall.EPROTONOSUPPORT)
		}
	}
	if err := e.s.Monitor(a, zmq.Event(events)); err != nil {
		return failErr(err)
	}
	return 0
}

// ---- timers ----

type timer struct {
	id       int
	interval time.Duration
	when     time.Time
	fn, arg  unsafe.Pointer
}

type timers struct {
	mu     sync.Mutex
	nextID int
	list   map[int]*timer
}

func getTimers(p unsafe.Pointer) *timers {
	t, _ := lookup(p).(*timers)
	return t
}

// pz_go_zmq_timers_new is zmq_timers_new: makes a timer set.
//
//export pz_go_zmq_timers_new
func pz_go_zmq_timers_new() unsafe.Pointer {
	return newHandle(tagOther, &timers{list: map[int]*timer{}})
}

// pz_go_zmq_timers_destroy is zmq_timers_destroy: frees the timer set and sets *pp to NULL.
//
//export pz_go_zmq_timers_destroy
func pz_go_zmq_timers_destroy(pp *unsafe.Pointer) C.int {
	if pp == nil || getTimers(*pp) == nil {
		return fail(syscall.EFAULT)
	}
	kill(*pp)
	*pp = nil
	return 0
}

// pz_go_zmq_timers_add is zmq_timers_add: adds a timer calling handler(id, arg) every interval ms and
// returns its id.
//
//export pz_go_zmq_timers_add
func pz_go_zmq_timers_add(p unsafe.Pointer, interval C.size_t, handler unsafe.Pointer, arg unsafe.Pointer) C.int {
	t := getTimers(p)
	if t == nil {
		return fail(syscall.EFAULT)
	}
	if handler == nil {
		return fail(syscall.EFAULT)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nextID++
	d := time.Duration(interval) * time.Millisecond
	t.list[t.nextID] = &timer{id: t.nextID, interval: d, when: time.Now().Add(d), fn: handler, arg: arg}
	return C.int(t.nextID)
}

// pz_go_zmq_timers_cancel is zmq_timers_cancel: removes a timer.
//
//export pz_go_zmq_timers_cancel
func pz_go_zmq_timers_cancel(p unsafe.Pointer, id C.int) C.int {
	t := getTimers(p)
	if t == nil {
		return fail(syscall.EFAULT)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.list[int(id)]; !ok {
		return fail(syscall.EINVAL)
	}
	delete(t.list, int(id))
	return 0
}

// pz_go_zmq_timers_set_interval is zmq_timers_set_interval: changes a timer's interval and restarts it.
//
//export pz_go_zmq_timers_set_interval
func pz_go_zmq_timers_set_interval(p unsafe.Pointer, id C.int, interval C.size_t) C.int {
	t := getTimers(p)
	if t == nil {
		return fail(syscall.EFAULT)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	tm, ok := t.list[int(id)]
	if !ok {
		return fail(syscall.EINVAL)
	}
	tm.interval = time.Duration(interval) * time.Millisecond
	tm.when = time.Now().Add(tm.interval)
	return 0
}

// pz_go_zmq_timers_reset is zmq_timers_reset: restarts a timer's interval.
//
//export pz_go_zmq_timers_reset
func pz_go_zmq_timers_reset(p unsafe.Pointer, id C.int) C.int {
	t := getTimers(p)
	if t == nil {
		return fail(syscall.EFAULT)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	tm, ok := t.list[int(id)]
	if !ok {
		return fail(syscall.EINVAL)
	}
	tm.when = time.Now().Add(tm.interval)
	return 0
}

// pz_go_zmq_timers_timeout is zmq_timers_timeout: returns the ms until the next timer is due, 0 when one
// is due, or -1 when there are none.
//
//export pz_go_zmq_timers_timeout
func pz_go_zmq_timers_timeout(p unsafe.Pointer) C.long {
	t := getTimers(p)
	if t == nil {
		setErrno(syscall.EFAULT)
		return -1
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.list) == 0 {
		return -1
	}
	now := time.Now()
	var min time.Duration = -1
	for _, tm := range t.list {
		d := tm.when.Sub(now)
		if d < 0 {
			d = 0
		}
		if min < 0 || d < min {
			min = d
		}
	}
	return C.long((min + time.Millisecond - 1) / time.Millisecond)
}

// pz_go_zmq_timers_execute is zmq_timers_execute: calls the handlers of the due timers.
//
//export pz_go_zmq_timers_execute
func pz_go_zmq_timers_execute(p unsafe.Pointer) C.int {
	t := getTimers(p)
	if t == nil {
		return fail(syscall.EFAULT)
	}
	now := time.Now()
	t.mu.Lock()
	var due []*timer
	for _, tm := range t.list {
		if !tm.when.After(now) {
			due = append(due, tm)
			tm.when = now.Add(tm.interval)
		}
	}
	t.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].id < due[j].id })
	for _, tm := range due {
		t.mu.Lock()
		_, live := t.list[tm.id]
		t.mu.Unlock()
		if live {
			C.pz_call_timer(tm.fn, C.int(tm.id), tm.arg)
		}
	}
	return 0
}

// ---- vector I/O ----

type iovec struct {
	base unsafe.Pointer
	len  C.size_t
}

// pz_go_zmq_sendiov is zmq_sendiov: sends count buffers as the parts of one message.
//
//export pz_go_zmq_sendiov
func pz_go_zmq_sendiov(p unsafe.Pointer, iov unsafe.Pointer, count C.size_t, flags C.int) C.int {
	e := getSock(p)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	if count == 0 || iov == nil {
		return fail(syscall.EINVAL)
	}
	e.flushSends()
	parts := unsafe.Slice((*iovec)(iov), int(count))
	last := 0
	for i, v := range parts {
		if v.base == nil && v.len != 0 {
			return fail(syscall.EFAULT)
		}
		// Every part but the last goes with SNDMORE; the last ends the
		// message whatever flags say, as in libzmq.
		f := zmq.Flag(flags) | zmq.SNDMORE
		if i == len(parts)-1 {
			f &^= zmq.SNDMORE
		}
		if err := e.sendPart(cBytes(v.base, v.len), f); err != nil {
			if i > 0 && e.sq != nil {
				// The Go socket holds the message's first parts.
				e.sq.mu.Lock()
				e.setInMessage(true)
				e.sq.mu.Unlock()
			}
			return failErr(err)
		}
		last = int(v.len)
	}
	if e.sq != nil {
		e.sq.mu.Lock()
		e.setInMessage(false)
		e.sq.mu.Unlock()
	}
	// libzmq returns what the last part's send returned.
	return C.int(last)
}

// pz_go_zmq_recviov is zmq_recviov: receives up to *count parts of a message into malloc'd
// buffers the caller frees; *count and the result are the number of parts.
//
//export pz_go_zmq_recviov
func pz_go_zmq_recviov(p unsafe.Pointer, iov unsafe.Pointer, count *C.size_t, flags C.int) C.int {
	e := getSock(p)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	if count == nil || iov == nil || *count == 0 {
		return fail(syscall.EINVAL)
	}
	parts := unsafe.Slice((*iovec)(iov), int(*count))
	total, n := 0, 0
	for n < len(parts) {
		if e.rq != nil {
			buf, size, more, rc := e.recvBuffered(p, flags)
			if rc < 0 {
				return rc
			}
			parts[n] = iovec{base: buf, len: C.size_t(size)}
			n++
			if !more {
				break
			}
			continue
		}
		var buf unsafe.Pointer
		size := 0
		var info zmq.PartInfo
		err := blocking(e.s, zmq.Flag(flags), zmq.POLLIN, func(f zmq.Flag) error {
			var err error
			info, err = e.s.RecvPart(f, func(b []byte) {
				size = len(b)
				buf = C.malloc(C.size_t(size + 1))
				if buf != nil {
					copy(unsafe.Slice((*byte)(buf), size), b)
				}
			})
			return err
		})
		if err != nil {
			return failErr(err)
		}
		parts[n] = iovec{base: buf, len: C.size_t(size)}
		n++
		total += size
		if !info.More {
			break
		}
	}
	*count = C.size_t(n)
	_ = total
	// libzmq returns the number of parts received.
	return C.int(n)
}
