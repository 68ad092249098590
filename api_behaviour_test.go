package zmq4

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestApplicationMetadataReachesPeer(t *testing.T) {
	ctx := newTestContext(t)
	rep := newTestSocket(t, ctx, REP)
	must(t, rep.Bind("tcp://127.0.0.1:*"))
	req := newTestSocket(t, ctx, REQ)
	must(t, req.SetMetadata("X-Color:blue"))
	must(t, req.Connect(rep.opt.lastEndpoint))
	sendParts(t, req, "hi")
	_, props, err := rep.RecvMessageWithMetadata(0, "X-Color", "Socket-Type", "Peer-Address")
	must(t, err)
	if props["X-Color"] != "blue" || props["Socket-Type"] != "REQ" || props["Peer-Address"] != "127.0.0.1" {
		t.Fatalf("properties %v", props)
	}
}

func TestErrorsMatchGoSentinels(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PULL)
	s.SetRcvtimeo(time.Millisecond)
	_, err := s.Recv(0)
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("timeout error %v does not match os.ErrDeadlineExceeded and EAGAIN", err)
	}
	s.Close()
	if _, err := s.Recv(0); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("closed socket error %v does not match net.ErrClosed", err)
	}
	if !errors.Is(ETERM, net.ErrClosed) {
		t.Fatal("ETERM does not match net.ErrClosed")
	}
}

func TestMaxSocketsGivesEMFILE(t *testing.T) {
	ctx := newTestContext(t)
	must(t, ctx.SetMaxSockets(2))
	newTestSocket(t, ctx, PUB)
	newTestSocket(t, ctx, PUB)
	if _, err := ctx.NewSocket(PUB); !errors.Is(err, syscall.EMFILE) {
		t.Fatalf("third socket: %v, want EMFILE", err)
	}
}

func TestImmediateDoesNotQueueForAbsentPeers(t *testing.T) {
	ctx := newTestContext(t)
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.SetImmediate(true))
	must(t, push.Connect("tcp://127.0.0.1:1")) // nothing listens there
	if _, err := push.Send("x", DONTWAIT); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("send with IMMEDIATE and no connection: %v, want EAGAIN", err)
	}
}
