//go:build unix

package zmq4

import (
	"net/netip"
	"syscall"
	"testing"
)

// RecvPart says which connection a part came over (ZMQ_SRCFD): a
// descriptor whose peer is the sender (libzmq's test_srcfd); inproc has
// none.
func TestRecvPartSrcFD(t *testing.T) {
	rep, req := pairUp(t, "tcp", true, REP, REQ)
	sendParts(t, req, "hello")
	info, err := rep.RecvPart(0, func([]byte) {})
	must(t, err)
	if info.SrcFD < 0 {
		t.Fatalf("SrcFD %d over tcp", info.SrcFD)
	}
	sa, err := syscall.Getpeername(info.SrcFD)
	must(t, err)
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok || netip.AddrFrom4(in4.Addr).String() != "127.0.0.1" {
		t.Fatalf("SrcFD's peer is %#v, want 127.0.0.1", sa)
	}

	rep2, req2 := pairUp(t, "inproc", true, REP, REQ)
	sendParts(t, req2, "hello")
	info, err = rep2.RecvPart(0, func([]byte) {})
	must(t, err)
	if info.SrcFD != -1 {
		t.Fatalf("SrcFD %d over inproc, want -1", info.SrcFD)
	}
}
