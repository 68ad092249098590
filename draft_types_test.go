package zmq4

import (
	"errors"
	"syscall"
	"testing"
)

func TestSinglePartDraftTypes(t *testing.T) {
	for _, pr := range []struct{ bind, connect Type }{{GATHER, SCATTER}, {CHANNEL, CHANNEL}} {
		t.Run(pr.bind.String()+"-"+pr.connect.String(), func(t *testing.T) {
			for _, tr := range transports {
				b, c := pairUp(t, tr, true, pr.bind, pr.connect)
				if _, err := c.Send("part", SNDMORE); !errors.Is(err, syscall.EINVAL) {
					t.Fatalf("SNDMORE on %v: %v, want EINVAL", pr.connect, err)
				}
				sendParts(t, c, "single")
				expectParts(t, b, "single")
			}
		})
	}
}

func TestGatherDropsMultipart(t *testing.T) {
	// inproc does not check socket types, so a PUSH can feed a GATHER the
	// multipart message a misbehaving peer might send.
	gather, push := pairUp(t, "inproc", true, GATHER, PUSH)
	sendParts(t, push, "a", "b")
	sendParts(t, push, "whole")
	expectParts(t, gather, "whole")
}
