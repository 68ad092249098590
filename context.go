package zmq4

import (
	"sync"
	"time"
)

// Context holds a set of sockets and the inproc endpoints they share.
// Term ends it. The zero Context is not usable; call NewContext.
type Context struct {
	mu         sync.Mutex
	sockets    map[*Socket]struct{}
	done       chan struct{} // closed by Term
	isTerm     bool
	allClosed  *sync.Cond
	wg         sync.WaitGroup // background goroutines of all sockets, incl. lingering ones
	ioThreads  int
	maxSockets int
	maxMsgsz   int
	ipv6       bool
	blocky     bool
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
		retryEINTR: true,
	}
	c.allClosed = sync.NewCond(&c.mu)
	c.inproc.init()
	return c, nil
}

func (c *Context) terminated() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// NewSocket makes a socket of the given type in the context.
func (c *Context) NewSocket(t Type) (*Socket, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isTerm {
		return nil, ETERM
	}
	if len(c.sockets) >= c.maxSockets {
		return nil, emfile
	}
	s, err := newSocket(c, t)
	if err != nil {
		return nil, err
	}
	c.nextID++
	s.id = c.nextID
	c.sockets[s] = struct{}{}
	return s, nil
}

// forget removes a closed socket from the context.
func (c *Context) forget(s *Socket, linger time.Duration) {
	c.mu.Lock()
	delete(c.sockets, s)
	c.allClosed.Broadcast()
	c.mu.Unlock()
}

// Term ends the context: calls blocked on its sockets return ETERM, then Term
// waits until every socket is closed and has finished lingering.
func (c *Context) Term() error {
	c.mu.Lock()
	if c.isTerm {
		c.mu.Unlock()
		return ErrorContextClosed
	}
	c.isTerm = true
	close(c.done)
	for _, s := range c.socketList() {
		s.signal()
	}
	for len(c.sockets) > 0 {
		c.allClosed.Wait()
	}
	c.mu.Unlock()
	c.wg.Wait()
	return nil
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

// GetMaxMsgsz returns the largest message size the context allows.
func (c *Context) GetMaxMsgsz() (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxMsgsz, nil
}

// GetIpv6 reports whether new sockets allow IPv6 by default.
func (c *Context) GetIpv6() (bool, error) { c.mu.Lock(); defer c.mu.Unlock(); return c.ipv6, nil }

// GetBlocky reports whether Term blocks for lingering messages.
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

// SetMaxMsgsz sets the largest message size the context allows.
func (c *Context) SetMaxMsgsz(n int) error {
	if n < 0 {
		return einval
	}
	c.mu.Lock()
	c.maxMsgsz = n
	c.mu.Unlock()
	return nil
}

// SetIpv6 sets the IPv6 default for new sockets.
func (c *Context) SetIpv6(b bool) error { c.mu.Lock(); c.ipv6 = b; c.mu.Unlock(); return nil }

// SetBlocky sets whether Term blocks for lingering messages; with false,
// sockets closed afterwards default to LINGER 0.
func (c *Context) SetBlocky(b bool) error { c.mu.Lock(); c.blocky = b; c.mu.Unlock(); return nil }

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

// GetMaxMsgsz returns the default context's message size limit.
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

// SetMaxMsgsz sets the default context's message size limit.
func SetMaxMsgsz(n int) error { return getDefaultContext().SetMaxMsgsz(n) }

// SetIpv6 sets the default context's IPv6 default.
func SetIpv6(b bool) error { return getDefaultContext().SetIpv6(b) }

// SetBlocky sets the default context's blocky option.
func SetBlocky(b bool) error { return getDefaultContext().SetBlocky(b) }

// SetRetryAfterEINTR sets the default context's EINTR option.
func SetRetryAfterEINTR(b bool) { getDefaultContext().SetRetryAfterEINTR(b) }

// SetThreadSchedPolicy is accepted for compatibility and has no effect.
func SetThreadSchedPolicy(n int) error { return nil }

// SetThreadPriority is accepted for compatibility and has no effect.
func SetThreadPriority(n int) error { return nil }
