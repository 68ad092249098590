package zmq4

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// inPlaceWrites adds up the in-place writes of the engines serving s's
// pipes.
func inPlaceWrites(s *Socket) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n uint64
	for p := range s.pipes {
		if e := p.engine.Load(); e != nil {
			n += e.inPlaceWrites.Load()
		}
	}
	return n
}

// connectReqRep makes a REQ socket connected to a REP over transport, with
// CURVE when curve is set, both with RCVTIMEO rcvtimeo.
func connectReqRep(t *testing.T, transport string, curve bool, rcvtimeo time.Duration) (req, rep *Socket) {
	t.Helper()
	ctx := newTestContext(t)
	rep = newTestSocket(t, ctx, REP)
	req = newTestSocket(t, ctx, REQ)
	must(t, rep.SetRcvtimeo(rcvtimeo))
	must(t, req.SetRcvtimeo(rcvtimeo))
	if curve {
		setCurvePair(t, rep, req)
	}
	must(t, rep.Bind(endpointFor(t, transport)))
	must(t, req.Connect(rep.opt.lastEndpoint))
	return req, rep
}

// setCurvePair makes server a CURVE server and client its client, with
// fresh keys.
func setCurvePair(t *testing.T, server, client *Socket) {
	t.Helper()
	serverPub, serverSec, err := NewCurveKeypair()
	must(t, err)
	clientPub, clientSec, err := NewCurveKeypair()
	must(t, err)
	must(t, server.SetCurveServer(1))
	must(t, server.SetCurveSecretkey(serverSec))
	must(t, client.SetCurveServerkey(serverPub))
	must(t, client.SetCurvePublickey(clientPub))
	must(t, client.SetCurveSecretkey(clientSec))
}

// payload returns size bytes that encode seq, so a message out of order
// or corrupted shows.
func payload(seq, size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(seq + i*7)
	}
	if size >= 4 {
		binary.BigEndian.PutUint32(b, uint32(seq))
	}
	return b
}

// TestInPlaceRequestReply runs REQ/REP round trips over tcp and ipc, with
// and without CURVE, in sizes that take every path of writing in place:
// small messages written in place, large frames handed to the writer
// goroutine's writev, and messages larger than the socket's buffer,
// whose in-place write is partial and finished by the writer goroutine.
func TestInPlaceRequestReply(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("writing in place is for Linux")
	}
	sizes := []int{0, 1, 64, 1000, largeFrame - 100, largeFrame, 100 << 10, 3 << 20}
	for _, tr := range []string{"tcp", "ipc"} {
		for _, curve := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/curve=%v", tr, curve), func(t *testing.T) {
				req, rep := connectReqRep(t, tr, curve, 10*time.Second)
				for round := range 3 {
					for i, size := range sizes {
						seq := round*len(sizes) + i
						want := payload(seq, size)
						if _, err := req.SendBytes(want, 0); err != nil {
							t.Fatal(err)
						}
						got, err := rep.RecvBytes(0)
						must(t, err)
						if !bytes.Equal(got, want) {
							t.Fatalf("request %d of %d bytes arrived as %d bytes, different", seq, size, len(got))
						}
						if _, err := rep.SendBytes(got, 0); err != nil {
							t.Fatal(err)
						}
						got, err = req.RecvBytes(0)
						must(t, err)
						if !bytes.Equal(got, want) {
							t.Fatalf("reply %d of %d bytes arrived as %d bytes, different", seq, size, len(got))
						}
					}
				}
				if inPlaceWrites(req) == 0 || inPlaceWrites(rep) == 0 {
					t.Errorf("in-place writes: REQ %d, REP %d; want some on both", inPlaceWrites(req), inPlaceWrites(rep))
				}
			})
		}
	}
}

// TestInPlaceKeepsOrder sends from a REQ_RELAXED socket, which does not
// wait for replies, in bursts that are written in place and then by the
// writer goroutine, with large messages that leave in-place writes
// unfinished, and PINGs queued every millisecond by the heartbeat timer
// meanwhile: a ROUTER must get every message once, in order.
func TestInPlaceKeepsOrder(t *testing.T) {
	ctx := newTestContext(t)
	router := newTestSocket(t, ctx, ROUTER)
	req := newTestSocket(t, ctx, REQ)
	must(t, req.SetReqRelaxed(1))
	must(t, req.SetHeartbeatIvl(time.Millisecond))
	// Only the PINGs are wanted: a timeout as short would drop the
	// connection, and the messages its writer held, whenever the machine
	// is slow to answer.
	must(t, req.SetHeartbeatTimeout(time.Minute))
	must(t, req.SetSndhwm(0))
	must(t, router.Bind("tcp://127.0.0.1:*"))
	must(t, req.Connect(router.opt.lastEndpoint))
	const count = 3000
	sizeOf := func(seq int) int {
		switch {
		case seq%500 == 7:
			return 2 << 20 // more than the socket buffers take at once
		case seq%50 == 3:
			return largeFrame + 1
		}
		return 8 + seq%200
	}
	done := make(chan error, 1)
	go func() {
		for seq := range count {
			if _, err := req.SendBytes(payload(seq, sizeOf(seq)), 0); err != nil {
				done <- err
				return
			}
			if seq%10 == 9 {
				time.Sleep(50 * time.Microsecond) // a pause: the next burst starts in place
			}
		}
		done <- nil
	}()
	for seq := range count {
		m, err := router.RecvMessageBytes(0)
		must(t, err)
		if len(m) != 3 || len(m[1]) != 0 {
			t.Fatalf("message %d: %d parts", seq, len(m))
		}
		if want := payload(seq, sizeOf(seq)); !bytes.Equal(m[2], want) {
			t.Fatalf("message %d: got %d bytes starting %x, want %d bytes starting %x", seq, len(m[2]), m[2][:min(8, len(m[2]))], len(want), want[:min(8, len(want))])
		}
	}
	must(t, <-done)
	if runtime.GOOS == "linux" && inPlaceWrites(req) == 0 {
		t.Error("no message was written in place")
	}
}
