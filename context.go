package zmq4

import (
	"sync"
	"sync/atomic"
	"time"
)

// Context holds a set of sockets and the inproc endpoints they share.
// Shutdown or Term ends it. The zero Context is not usable; call NewContext.
//
// Some context options are the defaults of the sockets made afterwards, as
// in libzmq: IPV6 and BLOCKY (which picks LINGER -1 or 0), and, as CZMQ's
// zsys and pyzmq's Context.setsockopt offer, LINGER, SNDHWM and RCVHWM.
// Changing them leaves sockets that already exist alone.
type Context struct {
	mu      sync.Mutex
	sockets map[*Socket]struct{}
	done    chan struct{} // closed by Shutdown or Term
	// shut is set by Shutdown or Term (no new sockets), just before done
	// is closed: terminated reads it on every send and receive, where it
	// costs a plain load and a receive from done a channel operation.
	shut       atomic.Bool
	termCalled bool // Term was called
	allClosed  *sync.Cond
	wg         sync.WaitGroup // background goroutines of all sockets, incl. lingering ones
	ioThreads  int
	maxSockets int
	maxMsgsz   int
	ipv6       bool
	blocky     bool
	linger     time.Duration // LINGER of new sockets, when lingerSet
	lingerSet  bool
	sndhwm     int // SNDHWM of new sockets
	rcvhwm     int // RCVHWM of new sockets
	nextID     int
	inproc     inprocRegistry
	retryEINTR bool
	auth       *authenticator // made on first use; see Context.AuthStart
}

// NewContext makes a new context.
func NewContext() (*Context, error) {
	c := &Context{
		sockets:    map[*Socket]struct{}{},
		done:       make(chan struct{}),
		ioThreads:  IoThreadsDflt,
		maxSockets: MaxSocketsDflt,
		maxMsgsz:   1<<31 - 1,
		blocky:     true,
		sndhwm:     1000,
		rcvhwm:     1000,
		retryEINTR: true,
	}
	c.allClosed = sync.NewCond(&c.mu)
	c.inproc.init()
	return c, nil
}

// terminated reports whether Shutdown or Term was called.
func (c *Context) terminated() bool {
	return c.shut.Load()
}

// NewSocket makes a socket of the given type in the context.
func (c *Context) NewSocket(t Type) (*Socket, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.terminated() {
		return nil, ETERM
	}
	if len(c.sockets) >= c.maxSockets {
		return nil, emfile
	}
	s, err := newSocket(c, t)
	if err != nil {
		return nil, err
	}
	c.applySocketDefaultsLocked(&s.opt)
	c.nextID++
	s.id = c.nextID
	c.sockets[s] = struct{}{}
	return s, nil
}

// applySocketDefaultsLocked gives a new socket's options the context's
// defaults. Call with c.mu held.
func (c *Context) applySocketDefaultsLocked(o *options) {
	o.ipv6 = c.ipv6
	switch {
	case c.lingerSet:
		o.linger = c.linger
	case c.blocky:
		o.linger = -1
	default:
		o.linger = 0
	}
	o.sndhwm, o.rcvhwm = c.sndhwm, c.rcvhwm
}

// forget removes a closed socket from the context.
func (c *Context) forget(s *Socket, linger time.Duration) {
	c.mu.Lock()
	delete(c.sockets, s)
	c.allClosed.Broadcast()
	c.mu.Unlock()
}

// Shutdown ends the context without waiting, as zmq_ctx_shutdown: calls
// blocked on its sockets return ETERM, and every later call on them but
// Close does too, as does NewSocket. The sockets stay open until they are
// closed; Term must still be called, and then waits for that. A second
// Shutdown does nothing; Shutdown after Term returns ErrorContextClosed.
func (c *Context) Shutdown() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.termCalled {
		return ErrorContextClosed
	}
	c.shutdownLocked()
	return nil
}

// shutdownLocked closes done once and wakes every socket. Call with c.mu
// held.
func (c *Context) shutdownLocked() {
	if c.terminated() {
		return
	}
	c.shut.Store(true)
	close(c.done)
	for _, s := range c.socketList() {
		s.signal()
	}
}

// Term ends the context: calls blocked on its sockets return ETERM, then Term
// waits until every socket is closed and has finished lingering.
func (c *Context) Term() error {
	c.mu.Lock()
	if c.termCalled {
		c.mu.Unlock()
		return ErrorContextClosed
	}
	c.termCalled = true
	c.shutdownLocked()
	for len(c.sockets) > 0 {
		c.allClosed.Wait()
	}
	c.mu.Unlock()
	c.wg.Wait()
	return nil
}

// Destroy closes every open socket of the context and then terminates it,
// as CZMQ's zctx_destroy. When SetLinger gave the context a LINGER, each
// socket is closed with that LINGER; otherwise each keeps its own. Calls
// blocked on the sockets return ETERM.
func (c *Context) Destroy() error {
	c.mu.Lock()
	if c.termCalled {
		c.mu.Unlock()
		return ErrorContextClosed
	}
	socks := c.socketList()
	linger, lingerSet := c.linger, c.lingerSet
	c.shutdownLocked()
	c.mu.Unlock()
	for _, s := range socks {
		if lingerSet {
			s.mu.Lock()
			s.opt.linger = linger
			s.mu.Unlock()
		}
		s.Close()
	}
	return c.Term()
}

// socketList returns the open sockets; call with mu held.
func (c *Context) socketList() []*Socket {
	l := make([]*Socket, 0, len(c.sockets))
	for s := range c.sockets {
		l = append(l, s)
	}
	return l
}

// String describes the context.
func (c *Context) String() string { return "Context" }

// Context options.

// GetIoThreads returns the I/O thread count option (kept for compatibility;
// goroutines do the I/O here).
func (c *Context) GetIoThreads() (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ioThreads, nil
}

// GetMaxSockets returns the most sockets the context allows.
func (c *Context) GetMaxSockets() (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxSockets, nil
}

// GetMaxMsgsz returns the MAX_MSGSZ option (stored only; see SetMaxMsgsz).
func (c *Context) GetMaxMsgsz() (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxMsgsz, nil
}

// GetIpv6 reports the IPV6 default of sockets made afterwards.
func (c *Context) GetIpv6() (bool, error) { c.mu.Lock(); defer c.mu.Unlock(); return c.ipv6, nil }

// GetBlocky reports the BLOCKY option: whether sockets made afterwards
// start with LINGER -1 (true, the default) or 0 (false).
func (c *Context) GetBlocky() (bool, error) { c.mu.Lock(); defer c.mu.Unlock(); return c.blocky, nil }

// GetRetryAfterEINTR reports whether calls retry after EINTR (always true here).
func (c *Context) GetRetryAfterEINTR() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.retryEINTR }

// SetIoThreads sets the I/O thread option; it is stored and has no other effect.
func (c *Context) SetIoThreads(n int) error {
	if n < 0 {
		return einval
	}
	c.mu.Lock()
	c.ioThreads = n
	c.mu.Unlock()
	return nil
}

// SetMaxSockets sets the most sockets the context allows; NewSocket fails
// with EMFILE past it.
func (c *Context) SetMaxSockets(n int) error {
	if n < 1 {
		return einval
	}
	c.mu.Lock()
	c.maxSockets = n
	c.mu.Unlock()
	return nil
}

// SetMaxMsgsz sets the context's MAX_MSGSZ option. As in libzmq 4.3 it is
// stored and read back but limits nothing; a socket's own MAXMSGSIZE
// (SetMaxmsgsize) bounds what peers may send. Values above 1<<31-1 are
// stored as 1<<31-1; negative values are EINVAL.
func (c *Context) SetMaxMsgsz(n int) error {
	if n < 0 {
		return einval
	}
	c.mu.Lock()
	c.maxMsgsz = min(n, 1<<31-1)
	c.mu.Unlock()
	return nil
}

// SetIpv6 sets the IPV6 option of the sockets made afterwards (libzmq's
// ZMQ_IPV6 context option); existing sockets keep theirs.
func (c *Context) SetIpv6(b bool) error { c.mu.Lock(); c.ipv6 = b; c.mu.Unlock(); return nil }

// SetBlocky sets the BLOCKY option (libzmq's ZMQ_BLOCKY): with false,
// sockets made afterwards start with LINGER 0 instead of -1, so Term does
// not wait for their unsent messages; Term still waits for every socket to
// be closed. A LINGER given with SetLinger takes precedence.
func (c *Context) SetBlocky(b bool) error { c.mu.Lock(); c.blocky = b; c.mu.Unlock(); return nil }

// SetLinger sets the LINGER that sockets made afterwards start with, and
// that Destroy closes every socket with (CZMQ's zsys_set_linger, pyzmq's
// ctx.linger). Any negative value means forever. Until it is called, new
// sockets start with -1, or 0 when BLOCKY is false.
func (c *Context) SetLinger(d time.Duration) error {
	c.mu.Lock()
	c.linger, c.lingerSet = durationFromOption(d), true
	c.mu.Unlock()
	return nil
}

// GetLinger returns the LINGER of sockets made afterwards;
// time.Duration(-1) means forever, as Socket.GetLinger reports it.
func (c *Context) GetLinger() (time.Duration, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.lingerSet:
		return infiniteAsMinusOne(c.linger), nil
	case c.blocky:
		return -1, nil
	}
	return 0, nil
}

// SetSndhwm sets the SNDHWM that sockets made afterwards start with (CZMQ's
// zsys_set_sndhwm); 0 means no limit.
func (c *Context) SetSndhwm(n int) error { return c.setHWMDefault(&c.sndhwm, n) }

// GetSndhwm returns the SNDHWM that sockets made afterwards start with.
func (c *Context) GetSndhwm() (int, error) { c.mu.Lock(); defer c.mu.Unlock(); return c.sndhwm, nil }

// SetRcvhwm sets the RCVHWM that sockets made afterwards start with (CZMQ's
// zsys_set_rcvhwm); 0 means no limit.
func (c *Context) SetRcvhwm(n int) error { return c.setHWMDefault(&c.rcvhwm, n) }

// setHWMDefault stores a non-negative HWM default in *field under c.mu.
func (c *Context) setHWMDefault(field *int, n int) error {
	if n < 0 {
		return einval
	}
	c.mu.Lock()
	*field = n
	c.mu.Unlock()
	return nil
}

// GetRcvhwm returns the RCVHWM that sockets made afterwards start with.
func (c *Context) GetRcvhwm() (int, error) { c.mu.Lock(); defer c.mu.Unlock(); return c.rcvhwm, nil }

// SetRetryAfterEINTR is accepted for compatibility; calls never fail with EINTR here.
func (c *Context) SetRetryAfterEINTR(b bool) { c.mu.Lock(); c.retryEINTR = b; c.mu.Unlock() }

// SetThreadSchedPolicy is accepted for compatibility and has no effect.
func (c *Context) SetThreadSchedPolicy(n int) error { return nil }

// SetThreadPriority is accepted for compatibility and has no effect.
func (c *Context) SetThreadPriority(n int) error { return nil }

// The default context, used by the package-level functions.

var (
	defaultCtxMu sync.Mutex
	defaultCtx   *Context
)

func getDefaultContext() *Context {
	defaultCtxMu.Lock()
	defer defaultCtxMu.Unlock()
	if defaultCtx == nil {
		defaultCtx, _ = NewContext()
		defaultCtx.auth = defaultAuth
	}
	return defaultCtx
}

// NewSocket makes a socket in the default context.
func NewSocket(t Type) (*Socket, error) { return getDefaultContext().NewSocket(t) }

// Term ends the default context; a later call makes a fresh one.
func Term() error {
	defaultCtxMu.Lock()
	c := defaultCtx
	defaultCtx = nil
	defaultCtxMu.Unlock()
	if c == nil {
		return nil
	}
	return c.Term()
}

// GetIoThreads returns the default context's I/O thread option.
func GetIoThreads() (int, error) { return getDefaultContext().GetIoThreads() }

// GetMaxSockets returns the default context's socket limit.
func GetMaxSockets() (int, error) { return getDefaultContext().GetMaxSockets() }

// GetMaxMsgsz returns the default context's MAX_MSGSZ option (stored only).
func GetMaxMsgsz() (int, error) { return getDefaultContext().GetMaxMsgsz() }

// GetIpv6 returns the default context's IPv6 default.
func GetIpv6() (bool, error) { return getDefaultContext().GetIpv6() }

// GetBlocky returns the default context's blocky option.
func GetBlocky() (bool, error) { return getDefaultContext().GetBlocky() }

// GetRetryAfterEINTR returns the default context's EINTR option.
func GetRetryAfterEINTR() bool { return getDefaultContext().GetRetryAfterEINTR() }

// SetIoThreads sets the default context's I/O thread option.
func SetIoThreads(n int) error { return getDefaultContext().SetIoThreads(n) }

// SetMaxSockets sets the default context's socket limit.
func SetMaxSockets(n int) error { return getDefaultContext().SetMaxSockets(n) }

// SetMaxMsgsz sets the default context's MAX_MSGSZ option (stored only).
func SetMaxMsgsz(n int) error { return getDefaultContext().SetMaxMsgsz(n) }

// SetIpv6 sets the IPV6 option of sockets the default context makes afterwards.
func SetIpv6(b bool) error { return getDefaultContext().SetIpv6(b) }

// SetBlocky sets the default context's BLOCKY option (see Context.SetBlocky).
func SetBlocky(b bool) error { return getDefaultContext().SetBlocky(b) }

// SetRetryAfterEINTR sets the default context's EINTR option.
func SetRetryAfterEINTR(b bool) { getDefaultContext().SetRetryAfterEINTR(b) }

// SetThreadSchedPolicy is accepted for compatibility and has no effect.
func SetThreadSchedPolicy(n int) error { return nil }

// SetThreadPriority is accepted for compatibility and has no effect.
func SetThreadPriority(n int) error { return nil }
