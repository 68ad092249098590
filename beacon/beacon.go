package beacon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// A Beacon announces a service and discovers others with UDP broadcasts on a
// local network, as CZMQ's zbeacon does, and talks to zbeacon peers: a
// beacon is one datagram of at most MaxSize bytes whose content the
// application chooses (Zyre's is "ZRE", a version byte, a 16-byte UUID and
// a 2-byte port, on UDP port 5670).
//
// A Beacon publishes one payload at a fixed interval (Publish, Silence) and
// delivers the datagrams it hears whose payload starts with the subscribed
// prefix (Subscribe, Unsubscribe), together with the sender's IP address.
// Before the first Subscribe nothing is delivered. A datagram equal to the
// payload the beacon itself publishes is taken for its own echo and dropped.
// Delivered beacons wait in a bounded queue (QueueLength); when the
// application does not keep up, new ones are dropped and counted (Dropped).
//
// A Beacon is safe for concurrent use. Close stops it and every goroutine it
// started.
type Beacon struct {
	conn         *net.UDPConn
	destination  *net.UDPAddr
	hostname     string
	port         int
	loopbackOnly bool

	mu         sync.Mutex
	transmit   []byte // the published payload; nil while silent
	interval   time.Duration
	filter     []byte
	subscribed bool

	republish chan struct{} // wakes the publisher after Publish or Silence
	incoming  chan Message
	dropped   atomic.Uint64 // beacons dropped because the queue was full
	heard     atomic.Uint64 // datagrams read and dealt with, wanted or not
	sent      atomic.Uint64 // beacons sent
	done      chan struct{}
	closeOnce sync.Once
	workers   sync.WaitGroup
}

// Message is one beacon heard from a peer.
type Message struct {
	// Sender is the sender's IP address in numeric form, as zbeacon
	// reports it ("192.168.1.20").
	Sender string
	// Payload is the datagram, at most MaxSize bytes.
	Payload []byte
}

const (
	// MaxSize is the largest beacon payload, CZMQ's UDP_FRAME_MAX.
	// Larger datagrams are ignored on receipt (zbeacon reads them cut to
	// their first 255 bytes).
	MaxSize = 255
	// DefaultInterval is the publishing interval Publish uses when
	// given 0, as zbeacon does.
	DefaultInterval = time.Second
	// DefaultQueueLength is how many received beacons wait for the
	// application before new ones are dropped.
	DefaultQueueLength = 100
)

// Errors reported by beacons.
var (
	// ErrTooLarge means a payload is longer than MaxSize.
	ErrTooLarge = errors.New("beacon: payload is longer than 255 bytes")
	// ErrNoInterface means no network interface matches the beacon's
	// interface choice (zbeacon's CONFIGURE then reports an empty hostname).
	ErrNoInterface = errors.New("beacon: no broadcast interface found")
)

// config collects the options of New.
type config struct {
	iface       string
	broadcast   string
	loopback    bool
	queueLength int
}

// Option configures New.
type Option func(*config)

// Interface chooses the network interface as CZMQ's ZSYS_INTERFACE
// does: "" (the default) takes the first interface that is up, can
// broadcast, is neither loopback nor point-to-point and has an IPv4
// address; an interface name or one of its IPv4 addresses takes that one;
// a single digit takes that entry of the same list; "*" sends to
// 255.255.255.255 and reports "*" as the hostname.
func Interface(spec string) Option {
	return func(c *config) { c.iface = spec }
}

// BroadcastAddress sends the beacons to address (an IPv4 address such
// as "192.168.1.255" or "127.255.255.255") instead of the chosen interface's
// broadcast address. A unicast address reaches only one of the sockets
// bound to the port on that host.
func BroadcastAddress(address string) Option {
	return func(c *config) { c.broadcast = address }
}

// Loopback keeps the beacon on the loopback network, for tests and
// single-host use: it reports "127.0.0.1" as its hostname, broadcasts to
// 127.255.255.255 and ignores datagrams from non-loopback senders. Every
// loopback beacon on the same port on the host hears the others.
func Loopback() Option {
	return func(c *config) { c.loopback = true }
}

// QueueLength sets how many received beacons wait for the application
// (default DefaultQueueLength, at least 1).
func QueueLength(n int) Option {
	return func(c *config) { c.queueLength = n }
}

// New binds UDP port on all IPv4 addresses (sharing it with other
// beacons on the host, as zbeacon does with SO_REUSEADDR and SO_REUSEPORT)
// and starts listening. It neither publishes nor delivers anything until
// Publish and Subscribe are called.
func New(port int, opts ...Option) (*Beacon, error) {
	if port <= 0 || port > 65535 {
		return nil, fmt.Errorf("beacon: port %d out of range", port)
	}
	cfg := config{queueLength: DefaultQueueLength}
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.queueLength < 1 {
		cfg.queueLength = 1
	}
	r, err := routeFor(cfg)
	if err != nil {
		return nil, err
	}
	conn, err := listen(port)
	if err != nil {
		return nil, err
	}
	b := &Beacon{
		conn:         conn,
		destination:  net.UDPAddrFromAddrPort(netip.AddrPortFrom(r.broadcast, uint16(port))),
		hostname:     r.hostname,
		port:         port,
		loopbackOnly: cfg.loopback,
		republish:    make(chan struct{}, 1),
		incoming:     make(chan Message, cfg.queueLength),
		done:         make(chan struct{}),
	}
	b.workers.Add(2)
	go b.publishLoop()
	go b.receiveLoop()
	return b, nil
}

// listen opens the beacon's UDP socket on 0.0.0.0:port with the
// options that let several beacons share the port and broadcast. zbeacon
// sends from a second socket bound to the interface's address; one socket
// does both jobs here, and the kernel picks the same source address (the
// interface's, on the route to its broadcast address) without leaving an
// unread socket that could catch unicast beacons.
func listen(port int) (*net.UDPConn, error) {
	config := net.ListenConfig{Control: socketControl}
	pc, err := config.ListenPacket(context.Background(), "udp4", fmt.Sprintf("0.0.0.0:%d", port))
	if err != nil {
		return nil, err
	}
	return pc.(*net.UDPConn), nil
}

// Hostname returns the address zbeacon's CONFIGURE would report: the chosen
// interface's IPv4 address, "127.0.0.1" for a loopback beacon, or "*" when
// broadcasting on all interfaces.
func (b *Beacon) Hostname() string { return b.hostname }

// Port returns the UDP port the beacon works on.
func (b *Beacon) Port() int { return b.port }

// Publish starts broadcasting payload every interval (0 means
// DefaultInterval), replacing any earlier payload. The first beacon
// goes out at once and its send error, if any, is returned; the beacon
// keeps publishing at each interval regardless, as zbeacon does.
func (b *Beacon) Publish(payload []byte, interval time.Duration) error {
	if len(payload) > MaxSize {
		return ErrTooLarge
	}
	if interval < 0 {
		return fmt.Errorf("beacon: negative interval %v", interval)
	}
	if interval == 0 {
		interval = DefaultInterval
	}
	frame := make([]byte, len(payload)) // never nil, even when empty
	copy(frame, payload)
	b.mu.Lock()
	if b.isClosed() {
		b.mu.Unlock()
		return net.ErrClosed
	}
	b.transmit, b.interval = frame, interval
	err := b.sendLocked(frame)
	b.mu.Unlock()
	b.wakePublisher()
	return err
}

// sendLocked sends one beacon. Sending with b.mu held means that once
// Silence returns no beacon is on its way out.
func (b *Beacon) sendLocked(frame []byte) error {
	if _, err := b.conn.WriteToUDP(frame, b.destination); err != nil {
		return err
	}
	b.sent.Add(1)
	return nil
}

// Silence stops publishing. No beacon goes out after it returns.
func (b *Beacon) Silence() {
	b.mu.Lock()
	b.transmit = nil
	b.mu.Unlock()
	b.wakePublisher()
}

// Subscribe delivers from now on the beacons whose payload starts with
// prefix (every beacon if prefix is empty), replacing any earlier prefix.
func (b *Beacon) Subscribe(prefix []byte) {
	filter := make([]byte, len(prefix))
	copy(filter, prefix)
	b.mu.Lock()
	b.filter, b.subscribed = filter, true
	b.mu.Unlock()
}

// Unsubscribe stops delivering beacons. Those already queued stay readable.
func (b *Beacon) Unsubscribe() {
	b.mu.Lock()
	b.filter, b.subscribed = nil, false
	b.mu.Unlock()
}

// Recv waits for the next delivered beacon and returns its sender's IP
// address and payload. It returns ctx's error when ctx ends first, and
// net.ErrClosed once the beacon is closed and its queue is empty.
func (b *Beacon) Recv(ctx context.Context) (sender string, payload []byte, err error) {
	select {
	case m, ok := <-b.incoming:
		if !ok {
			return "", nil, net.ErrClosed
		}
		return m.Sender, m.Payload, nil
	case <-ctx.Done():
		return "", nil, ctx.Err()
	}
}

// Beacons returns the channel the delivered beacons arrive on, for use in a
// select. It is closed when the beacon is closed, after what it holds.
func (b *Beacon) Beacons() <-chan Message { return b.incoming }

// Dropped returns how many beacons were dropped because the queue was full.
func (b *Beacon) Dropped() uint64 { return b.dropped.Load() }

// Close stops publishing and listening, releases the port and waits for the
// beacon's goroutines to end. Beacons already queued can still be read.
// Closing again does nothing.
func (b *Beacon) Close() error {
	var err error
	b.closeOnce.Do(func() {
		b.mu.Lock()
		close(b.done)
		b.transmit = nil
		b.mu.Unlock()
		err = b.conn.Close()
		b.workers.Wait()
	})
	return err
}

// isClosed reports whether Close has begun.
func (b *Beacon) isClosed() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

// wakePublisher tells the publisher that the payload or interval changed.
func (b *Beacon) wakePublisher() {
	select {
	case b.republish <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// publishLoop sends the published payload at each interval. Publish sends
// the first one itself; a wake-up restarts the interval from then.
func (b *Beacon) publishLoop() {
	defer b.workers.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		send := false
		select {
		case <-b.done:
			return
		case <-b.republish:
		case <-timer.C:
			send = true
		}
		b.mu.Lock()
		frame, interval := b.transmit, b.interval
		if frame != nil && send {
			// A failed send (say, the network is down) is retried at the
			// next interval.
			b.sendLocked(frame)
		}
		b.mu.Unlock()
		if frame == nil {
			timer.Stop()
			continue
		}
		timer.Reset(interval)
	}
}

// receiveLoop reads datagrams until the socket closes and queues the
// wanted ones, then closes the queue.
func (b *Beacon) receiveLoop() {
	defer b.workers.Done()
	defer close(b.incoming)
	// One byte more than a beacon, so that longer datagrams show as such.
	buf := make([]byte, MaxSize+1)
	for {
		n, from, err := b.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if b.isClosed() || errors.Is(err, net.ErrClosed) {
				return
			}
			// A transient error; pause so that a persistent one cannot spin.
			select {
			case <-b.done:
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		b.deliver(buf[:n], from.Addr())
		b.heard.Add(1) // after delivering, so that tests may count on it
	}
}

// deliver queues the datagram from sender if the beacon wants it, or counts
// it as dropped when the queue is full.
func (b *Beacon) deliver(datagram []byte, sender netip.Addr) {
	m, ok := b.accept(datagram, sender)
	if !ok {
		return
	}
	select {
	case b.incoming <- m:
	default:
		b.dropped.Add(1)
	}
}

// accept decides whether the datagram from sender is delivered and, if so,
// returns it as a message that owns a copy of the bytes.
func (b *Beacon) accept(datagram []byte, sender netip.Addr) (Message, bool) {
	if len(datagram) > MaxSize {
		return Message{}, false
	}
	sender = sender.Unmap()
	if b.loopbackOnly && !sender.IsLoopback() {
		return Message{}, false
	}
	b.mu.Lock()
	wanted := passes(datagram, b.subscribed, b.filter, b.transmit)
	b.mu.Unlock()
	if !wanted {
		return Message{}, false
	}
	payload := make([]byte, len(datagram))
	copy(payload, datagram)
	return Message{Sender: sender.String(), Payload: payload}, true
}

// passes applies zbeacon's receive rules: nothing passes without a
// subscription, the datagram must start with the filter, and a datagram
// equal to our own published payload (transmit, nil when silent) is our
// echo.
func passes(datagram []byte, subscribed bool, filter, transmit []byte) bool {
	if !subscribed || !bytes.HasPrefix(datagram, filter) {
		return false
	}
	if transmit != nil && bytes.Equal(datagram, transmit) {
		return false
	}
	return true
}
