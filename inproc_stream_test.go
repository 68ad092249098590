package zmq4

import (
	"testing"
)

func TestInprocStreamNoHang(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("inproc://thr"))
	const n = 300000
	go func() {
		push, _ := ctx.NewSocket(PUSH)
		push.Connect("inproc://thr")
		b := make([]byte, 64)
		for i := 0; i < n; i++ {
			push.SendBytes(b, 0)
		}
		push.Close()
	}()
	for i := 0; i < n; i++ {
		if _, err := pull.RecvBytes(0); err != nil {
			t.Fatalf("at %d: %v", i, err)
		}
	}
}
