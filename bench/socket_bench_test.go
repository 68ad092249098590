package bench

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// hangGuard bounds every blocking call, so a broken transport fails the
// benchmark instead of hanging it.
const hangGuard = 20 * time.Second

// Test-only CURVE keys (Z85), the ones bench/c/zmqperf.c and `zmq perf` use.
const (
	serverPublic = "UivwOm[1.k6D<{gaxp#4yRiqOq?SIGSGv./xj#*4"
	serverSecret = "Mp$12t3Evak+J1aU78)2/%kOl?lCQQk?r9!n$ibP"
	clientPublic = "B8sFz-FpdY6F1<^o$hfHyqL(YR(VbC7=3e/r^aiy"
	clientSecret = "HQIwG-Z@8]Th[jSj=ud-)&Lb^y)B!=}ePc{p4hvl"
)

type transport struct {
	name   string
	scheme string
	curve  bool
}

var transports = []transport{
	{"tcp", "tcp", false},
	{"ipc", "ipc", false},
	{"inproc", "inproc", false},
	{"tcp+curve", "tcp", true},
}

var sizes = []struct {
	name string
	size int
}{
	{"64B", 64},
	{"1KiB", 1024},
	{"64KiB", 64 * 1024},
}

// pair is two connected sockets in a fresh context.
type pair struct {
	ctx       *zmq.Context
	bound     *zmq.Socket
	connected *zmq.Socket
}

// newSocket makes a socket whose blocking calls give up after hangGuard.
func newSocket(b *testing.B, ctx *zmq.Context, t zmq.Type) *zmq.Socket {
	b.Helper()
	s, err := ctx.NewSocket(t)
	if err != nil {
		b.Fatal(err)
	}
	for _, err := range []error{s.SetRcvtimeo(hangGuard), s.SetSndtimeo(hangGuard), s.SetLinger(0)} {
		if err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// newPair binds a bindType socket and connects a connectType socket to it
// over tr; Cleanup closes both and terminates the context.
func newPair(b *testing.B, tr transport, bindType, connectType zmq.Type) *pair {
	b.Helper()
	ctx, err := zmq.NewContext()
	if err != nil {
		b.Fatal(err)
	}
	p := &pair{ctx: ctx, bound: newSocket(b, ctx, bindType), connected: newSocket(b, ctx, connectType)}
	b.Cleanup(func() {
		p.connected.Close()
		p.bound.Close()
		p.ctx.Term()
	})
	if tr.curve {
		for _, err := range []error{
			p.bound.SetCurveServer(1),
			p.bound.SetCurveSecretkey(serverSecret),
			p.connected.SetCurveServerkey(serverPublic),
			p.connected.SetCurvePublickey(clientPublic),
			p.connected.SetCurveSecretkey(clientSecret),
		} {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	var endpoint string
	switch tr.scheme {
	case "tcp":
		endpoint = "tcp://127.0.0.1:*"
	case "ipc":
		endpoint = "ipc://" + filepath.Join(b.TempDir(), "bench.sock")
	default:
		endpoint = fmt.Sprintf("inproc://bench-%p", p)
	}
	if err := p.bound.Bind(endpoint); err != nil {
		b.Fatal(err)
	}
	if endpoint, err = p.bound.GetLastEndpoint(); err != nil {
		b.Fatal(err)
	}
	if err := p.connected.Connect(endpoint); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkPushPull measures one-way PUSH -> PULL throughput; one op is one
// message delivered.
func BenchmarkPushPull(b *testing.B) {
	for _, tr := range transports {
		for _, sz := range sizes {
			b.Run(tr.name+"/"+sz.name, func(b *testing.B) {
				benchmarkPushPull(b, tr, sz.size, false)
			})
		}
	}
}

// BenchmarkPushPullInto is BenchmarkPushPull with the receiver reusing one
// buffer (RecvInto), so large messages cost no allocation either.
func BenchmarkPushPullInto(b *testing.B) {
	for _, tr := range transports {
		for _, sz := range sizes {
			b.Run(tr.name+"/"+sz.name, func(b *testing.B) {
				benchmarkPushPull(b, tr, sz.size, true)
			})
		}
	}
}

func benchmarkPushPull(b *testing.B, tr transport, size int, into bool) {
	p := newPair(b, tr, zmq.PULL, zmq.PUSH)
	pull, push := p.bound, p.connected
	n := b.N
	sent := make(chan error, 1)
	go func() {
		msg := make([]byte, size)
		// One warm-up message, then the timed ones.
		for i := 0; i <= n; i++ {
			if _, err := push.SendBytes(msg, 0); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	if _, err := pull.RecvBytes(0); err != nil {
		b.Fatal("warm-up:", err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	buf := make([]byte, size)
	for i := 0; i < n; i++ {
		got, err := 0, error(nil)
		if into {
			got, err = pull.RecvInto(buf, 0)
		} else {
			var msg []byte
			msg, err = pull.RecvBytes(0)
			got = len(msg)
		}
		if err != nil {
			b.Fatal(err)
		}
		if got != size {
			b.Fatalf("message of %d bytes, want %d", got, size)
		}
	}
	b.StopTimer()
	if err := <-sent; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkReqRep measures REQ -> REP -> REQ round trips; one op is one
// round trip.
func BenchmarkReqRep(b *testing.B) {
	for _, tr := range transports {
		for _, sz := range sizes {
			b.Run(tr.name+"/"+sz.name, func(b *testing.B) {
				benchmarkReqRep(b, tr, sz.size)
			})
		}
	}
}

func benchmarkReqRep(b *testing.B, tr transport, size int) {
	p := newPair(b, tr, zmq.REP, zmq.REQ)
	rep, req := p.bound, p.connected
	n := b.N
	echoed := make(chan error, 1)
	go func() {
		for i := 0; i <= n; i++ {
			msg, err := rep.RecvBytes(0)
			if err == nil {
				_, err = rep.SendBytes(msg, 0)
			}
			if err != nil {
				echoed <- err
				return
			}
		}
		echoed <- nil
	}()
	msg := make([]byte, size)
	roundTrip := func() {
		if _, err := req.SendBytes(msg, 0); err != nil {
			b.Fatal(err)
		}
		reply, err := req.RecvBytes(0)
		if err != nil {
			b.Fatal(err)
		}
		if len(reply) != size {
			b.Fatalf("reply of %d bytes, want %d", len(reply), size)
		}
	}
	roundTrip() // warm-up: connection and handshake
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < n; i++ {
		roundTrip()
	}
	b.StopTimer()
	if err := <-echoed; err != nil {
		b.Fatal(err)
	}
}
