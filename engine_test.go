package zmq4

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// These tests run an engine against net.Pipe through fakeSession, with the
// test playing the peer byte by byte.

// fakeSession is a session that records what the engine asks of it.
type fakeSession struct {
	mu       sync.Mutex
	events   []fakeEvent
	attached []*pipe
	detached []*pipe
	ready    []*pipe
	readable chan struct{} // a pipe's inbound queue got a message
	attachC  chan *pipe    // each attached pipe
	gone     int           // pipeDisconnected calls
	linger   time.Duration // what lingerDuration returns
}

type fakeEvent struct {
	ev    Event
	value int
}

func newFakeSession() *fakeSession {
	return &fakeSession{readable: make(chan struct{}, 1), attachC: make(chan *pipe, 4)}
}

func (f *fakeSession) newConnPipe(sndhwm, rcvhwm int, endpoint string) *pipe {
	in, out := newQueue(rcvhwm), newQueue(sndhwm)
	p := &pipe{in: newQueueReader(in), out: out, endpoint: endpoint}
	// The engine's wake-ups, as newNetPipe wires them.
	out.onReadable = func() {
		if e := p.engine.Load(); e != nil {
			signalChan(e.wakeOut)
		}
	}
	in.onWritable = func() {
		if e := p.engine.Load(); e != nil {
			signalChan(e.wakeIn)
		}
	}
	in.onReadable = func() { signalChan(f.readable) }
	return p
}

func (f *fakeSession) attachPipe(p *pipe) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attached = append(f.attached, p)
	f.attachC <- p
	return true
}

func (f *fakeSession) pipeGone(p *pipe) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.detached = append(f.detached, p)
}

func (f *fakeSession) peerReady(p *pipe) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ready = append(f.ready, p)
}

func (f *fakeSession) pipeDisconnected(p *pipe) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gone++
}

func (f *fakeSession) event(ev Event, endpoint string, value int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, fakeEvent{ev, value})
}

func (f *fakeSession) zapFunc() mechanism.ZAPFunc    { return nil }
func (f *fakeSession) lingerDuration() time.Duration { return f.linger }
func (f *fakeSession) fanoutWorker() *fanoutWorker   { return nil }
func (f *fakeSession) acceptsPeers() bool            { return true }

// eventList returns the events raised so far.
func (f *fakeSession) eventList() []fakeEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeEvent(nil), f.events...)
}

// onlyPipe waits for the engine to attach its pipe and returns it.
func (f *fakeSession) onlyPipe(t *testing.T) *pipe {
	t.Helper()
	var p *pipe
	select {
	case p = <-f.attachC:
	case <-time.After(10 * time.Second):
		t.Fatal("no pipe attached")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.attached) != 1 {
		t.Fatalf("%d pipes attached, want 1", len(f.attached))
	}
	return p
}

// recvMessage waits for the next whole message in p's inbound queue.
func (f *fakeSession) recvMessage(t *testing.T, p *pipe) []frame {
	t.Helper()
	for {
		if m, ok, closed := p.in.next(); ok {
			return append([]frame(nil), m...)
		} else if closed {
			t.Fatal("inbound queue closed")
		}
		select {
		case <-f.readable:
		case <-time.After(10 * time.Second):
			t.Fatal("no message arrived")
		}
	}
}

// testSessionOptions are a DEALER's options with NULL security.
func testSessionOptions() *sessionOptions {
	return &sessionOptions{
		typ:        DEALER,
		maxmsgsize: -1,
		sndhwm:     1000,
		rcvhwm:     1000,
		mech:       mechanism.Config{Mechanism: mechanism.Null, SocketType: "DEALER"},
	}
}

// engineRun is an engine running in its own goroutine against the test's
// end of a net.Pipe.
type engineRun struct {
	fs   *fakeSession
	peer net.Conn
	r    *zmtp.Reader  // reads what the engine writes
	ok   chan bool     // runSession's result
	sent chan struct{} // closed when the peer's script is written
}

// startEngine runs runSession on one end of a net.Pipe. The peer writes
// script (in a goroutine: net.Pipe does not buffer) and the test reads the
// engine's output with run.r.
func startEngine(t *testing.T, script []byte) *engineRun {
	t.Helper()
	return startEngineOn(t, newFakeSession(), nil, script)
}

// startEngineOn is startEngine with a given session and, when p is not
// nil, a connecter's persistent pipe.
func startEngineOn(t *testing.T, fs *fakeSession, p *pipe, script []byte) *engineRun {
	t.Helper()
	local, peer := net.Pipe()
	return startEngineConn(t, fs, p, local, peer, script)
}

// startEngineConn is startEngineOn with the engine on local, whose other
// end is peer.
func startEngineConn(t *testing.T, fs *fakeSession, p *pipe, local, peer net.Conn, script []byte) *engineRun {
	t.Helper()
	run := &engineRun{fs: fs, peer: peer, r: zmtp.NewReader(peer, -1),
		ok: make(chan bool, 1), sent: make(chan struct{})}
	go func() {
		run.ok <- runSession(run.fs, local, p, "tcp://test", testSessionOptions(), nil)
	}()
	go func() {
		defer close(run.sent)
		peer.Write(script)
	}()
	t.Cleanup(func() { peer.Close(); <-run.ok })
	return run
}

// peerGreeting is a ZMTP 3.1 DEALER's greeting and READY with NULL security.
func peerGreeting(mech string) []byte {
	b := zmtp.AppendGreeting(nil, mech, false)
	ready := zmtp.AppendCommand(nil, zmtp.CmdReady, zmtp.AppendProperty(nil, "Socket-Type", "DEALER"))
	return zmtp.AppendFrame(b, zmtp.FlagCommand, ready)
}

// readHandshake reads the engine's greeting and READY and checks them.
func (run *engineRun) readHandshake(t *testing.T) {
	t.Helper()
	g, err := run.r.ReadExact(zmtp.GreetingSize)
	if err != nil {
		t.Fatalf("engine's greeting: %v", err)
	}
	pg, err := zmtp.ParseGreeting(g)
	if err != nil || pg.Mechanism != mechanism.Null || pg.Major != 3 || pg.Minor != 1 {
		t.Fatalf("engine's greeting %+v, %v", pg, err)
	}
	f, err := run.r.ReadFrame()
	if err != nil || !f.IsCommand() {
		t.Fatalf("engine's READY: %+v %v", f, err)
	}
	name, data, err := zmtp.ParseCommand(f.Body)
	if err != nil || name != zmtp.CmdReady {
		t.Fatalf("engine's command %q, %v; want READY", name, err)
	}
	props, _ := zmtp.ParseMetadata(data)
	if st, _ := zmtp.Lookup(props, "Socket-Type"); st != "DEALER" {
		t.Fatalf("engine's Socket-Type %q", st)
	}
}

// finish closes the peer's end and returns runSession's result.
func (run *engineRun) finish(t *testing.T) bool {
	t.Helper()
	<-run.sent
	run.peer.Close()
	select {
	case ok := <-run.ok:
		run.ok <- ok // for the cleanup
		return ok
	case <-time.After(10 * time.Second):
		t.Fatal("the engine did not end")
		return false
	}
}

// waitEnded waits for runSession to return without closing the peer.
func (run *engineRun) waitEnded(t *testing.T) bool {
	t.Helper()
	select {
	case ok := <-run.ok:
		run.ok <- ok
		return ok
	case <-time.After(10 * time.Second):
		t.Fatal("the engine did not end")
		return false
	}
}

func hasEvent(evs []fakeEvent, ev Event, value int) bool {
	for _, e := range evs {
		if e.ev == ev && e.value == value {
			return true
		}
	}
	return false
}

func TestEngineNullHandshakeAndMessages(t *testing.T) {
	script := peerGreeting(mechanism.Null)
	script = zmtp.AppendFrame(script, zmtp.FlagMore, []byte("a"))
	script = zmtp.AppendFrame(script, 0, []byte("b"))
	run := startEngine(t, script)
	run.readHandshake(t)

	p := run.fs.onlyPipe(t)
	m := run.fs.recvMessage(t, p)
	if len(m) != 2 || string(m[0].data) != "a" || !m[0].more() || string(m[1].data) != "b" || m[1].more() {
		t.Fatalf("received %+v, want [a][b]", m)
	}
	if got := p.metadata()["Socket-Type"]; got != "DEALER" {
		t.Fatalf("peer's Socket-Type %q", got)
	}
	run.fs.mu.Lock()
	ready := len(run.fs.ready)
	run.fs.mu.Unlock()
	if ready != 1 {
		t.Fatalf("peerReady called %d times, want 1", ready)
	}

	// A message and a subscription out: a ZMTP 3.1 peer gets SUBSCRIBE.
	p.out.push([]frame{{data: []byte("x"), flags: frameMore}, {data: []byte("y")}}, false)
	p.out.pushFrame(frame{data: []byte("t"), flags: frameSubscribe}, true)
	for _, want := range []zmtp.Frame{
		{Flags: zmtp.FlagMore, Body: []byte("x")},
		{Body: []byte("y")},
		{Flags: zmtp.FlagCommand, Body: zmtp.AppendCommand(nil, zmtp.CmdSubscribe, []byte("t"))},
	} {
		f, err := run.r.ReadFrame()
		if err != nil || f.Flags != want.Flags || !bytes.Equal(f.Body, want.Body) {
			t.Fatalf("peer read %+v %v, want %+v", f, err, want)
		}
	}

	if !run.finish(t) {
		t.Fatal("runSession reported a failed handshake")
	}
	evs := run.fs.eventList()
	if !hasEvent(evs, EVENT_HANDSHAKE_SUCCEEDED, 0) || evs[len(evs)-1].ev != EVENT_DISCONNECTED {
		t.Fatalf("events %v: want HANDSHAKE_SUCCEEDED, then DISCONNECTED last", evs)
	}
	if hasEvent(evs, EVENT_HANDSHAKE_FAILED_PROTOCOL, protoErrUnspecified) {
		t.Fatalf("events %v: a peer that closed is no protocol error", evs)
	}
	run.fs.mu.Lock()
	detached := len(run.fs.detached)
	run.fs.mu.Unlock()
	if detached != 1 {
		t.Fatalf("pipe detached %d times, want 1", detached)
	}
	if p.engine.Load() != nil {
		t.Fatal("the pipe still points at the ended engine")
	}
}

// TestEnginePingInsideMessageIsAnswered: a PING between the parts of a
// multipart message is answered and the message goes on, as in libzmq
// 4.3.4, which has no check there (and whose heartbeat timer can put its
// own PING between the frames it sends). Ours took it for a protocol error
// and dropped the connection.
func TestEnginePingInsideMessageIsAnswered(t *testing.T) {
	script := peerGreeting(mechanism.Null)
	script = zmtp.AppendFrame(script, zmtp.FlagMore, []byte("part"))
	script = zmtp.AppendFrame(script, zmtp.FlagCommand, zmtp.AppendPing(nil, 0, []byte("ctx")))
	script = zmtp.AppendFrame(script, 0, []byte("end"))
	run := startEngine(t, script)
	run.readHandshake(t)
	f, err := run.r.ReadFrame()
	if err != nil || !f.IsCommand() {
		t.Fatalf("engine's answer: %+v, %v; want PONG", f, err)
	}
	if name, data, err := zmtp.ParseCommand(f.Body); err != nil || name != zmtp.CmdPong || string(data) != "ctx" {
		t.Fatalf("engine's answer %q %q, %v; want PONG with the PING's context", name, data, err)
	}
	p := run.fs.onlyPipe(t)
	m := run.fs.recvMessage(t, p)
	if len(m) != 2 || string(m[0].data) != "part" || string(m[1].data) != "end" {
		t.Fatalf("message %q, want [part end]", m)
	}
	if !run.finish(t) {
		t.Fatal("runSession reported a failed handshake")
	}
	for _, e := range run.fs.eventList() {
		if e.ev == EVENT_HANDSHAKE_FAILED_PROTOCOL {
			t.Fatalf("events %v: a PING inside a message is no protocol error", run.fs.eventList())
		}
	}
}

func TestEnginePeerClosesMidFrame(t *testing.T) {
	script := peerGreeting(mechanism.Null)
	script = zmtp.AppendFrameHeader(script, 0, 100)
	script = append(script, "only ten b"...)
	run := startEngine(t, script)
	run.readHandshake(t)
	if !run.finish(t) {
		t.Fatal("runSession reported a failed handshake")
	}
	evs := run.fs.eventList()
	if evs[len(evs)-1].ev != EVENT_DISCONNECTED {
		t.Fatalf("events %v: want DISCONNECTED last", evs)
	}
	for _, e := range evs {
		if e.ev == EVENT_HANDSHAKE_FAILED_PROTOCOL {
			t.Fatalf("events %v: a truncated frame is a disconnection, not a protocol error", evs)
		}
	}
	p := run.fs.onlyPipe(t)
	if ok, closed := p.in.hasMessage(); ok || !closed {
		t.Fatalf("inbound queue: message %v closed %v; want empty and closed", ok, closed)
	}
}

func TestEngineMechanismMismatch(t *testing.T) {
	run := startEngine(t, zmtp.AppendGreeting(nil, mechanism.Plain, false))
	if _, err := run.r.ReadExact(zmtp.GreetingSize); err != nil {
		t.Fatalf("engine's greeting: %v", err)
	}
	if run.waitEnded(t) {
		t.Fatal("runSession reported a successful handshake")
	}
	evs := run.fs.eventList()
	want := []fakeEvent{{EVENT_HANDSHAKE_FAILED_PROTOCOL, protoErrMechanismMismatch}, {EVENT_DISCONNECTED, 0}}
	if len(evs) != 2 || evs[0] != want[0] || evs[1].ev != want[1].ev {
		t.Fatalf("events %v, want %v", evs, want)
	}
	run.fs.mu.Lock()
	attached := len(run.fs.attached)
	run.fs.mu.Unlock()
	if attached != 0 {
		t.Fatal("a pipe was attached for a failed handshake")
	}
}

func TestEnginePersistentPipe(t *testing.T) {
	fs := newFakeSession()
	p := fs.newConnPipe(1000, 1000, "tcp://test")
	p.connectSide = true
	// Queued before the connection exists: sent once it is handshaken.
	p.out.pushFrame(frame{data: []byte("early")}, false)
	run := startEngineOn(t, fs, p, peerGreeting(mechanism.Null))
	run.readHandshake(t)
	f, err := run.r.ReadFrame()
	if err != nil || string(f.Body) != "early" {
		t.Fatalf("peer read %+v %v, want the queued message", f, err)
	}
	if !run.finish(t) {
		t.Fatal("runSession reported a failed handshake")
	}
	fs.mu.Lock()
	attached, detached, gone := len(fs.attached), len(fs.detached), fs.gone
	fs.mu.Unlock()
	if attached != 0 || detached != 0 || gone != 1 {
		t.Fatalf("attached %d, detached %d, disconnected %d; a persistent pipe stays: want 0, 0, 1",
			attached, detached, gone)
	}
	if p.engine.Load() != nil {
		t.Fatal("the persistent pipe still points at the ended engine")
	}
	if p.stopFunc() != nil {
		t.Fatal("the engine took over the persistent pipe's stop function")
	}
}

func TestEngineLingerSendsQueued(t *testing.T) {
	fs := newFakeSession()
	fs.linger = -1 // wait for the queue to drain, however long
	run := startEngineOn(t, fs, nil, peerGreeting(mechanism.Null))
	run.readHandshake(t)
	p := fs.onlyPipe(t)
	p.out.pushFrame(frame{data: []byte("last")}, false)
	p.stopFunc()(true)
	f, err := run.r.ReadFrame()
	if err != nil || string(f.Body) != "last" {
		t.Fatalf("peer read %+v %v, want the message queued before the linger", f, err)
	}
	if _, err := run.r.ReadFrame(); err == nil {
		t.Fatal("the connection stayed open after the queue drained")
	}
	if !run.waitEnded(t) {
		t.Fatal("runSession reported a failed handshake")
	}
	for _, e := range fs.eventList() {
		if e.ev == EVENT_DISCONNECTED {
			t.Fatal("a lingering close raised DISCONNECTED")
		}
	}
}

func TestRawEngine(t *testing.T) {
	local, peer := net.Pipe()
	fs := newFakeSession()
	so := testSessionOptions()
	so.typ, so.raw, so.rawNotify = STREAM, true, true
	ok := make(chan bool, 1)
	go func() { ok <- runRawSession(fs, local, "tcp://test", so, nil) }()
	t.Cleanup(func() { peer.Close() })

	go peer.Write([]byte("hello"))
	p := fs.onlyPipe(t)
	// The connection is announced with an empty message, then the bytes
	// arrive as they were written.
	if m := fs.recvMessage(t, p); len(m) != 1 || len(m[0].data) != 0 {
		t.Fatalf("first message %+v, want the empty notification", m)
	}
	if m := fs.recvMessage(t, p); len(m) != 1 || string(m[0].data) != "hello" {
		t.Fatalf("second message %+v, want hello", m)
	}

	p.out.pushFrame(frame{data: []byte("bye")}, false)
	buf := make([]byte, 3)
	if _, err := io.ReadFull(peer, buf); err != nil || string(buf) != "bye" {
		t.Fatalf("peer read %q %v, want bye", buf, err)
	}

	// An empty part closes the connection, unannounced.
	p.out.pushFrame(frame{}, true)
	select {
	case res := <-ok:
		if !res {
			t.Fatal("runRawSession reported failure")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the raw engine did not end")
	}
	if _, err := peer.Read(buf); err == nil {
		t.Fatal("the connection is still open")
	}
	if m, ok, closed := p.in.next(); ok || !closed {
		t.Fatalf("after the application closed: message %+v closed %v; want none, closed", m, closed)
	}
}
