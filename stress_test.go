package zmq4

import (
	"sync"
	"testing"
)

// Closing sockets and terminating the context while goroutines send and
// receive must end every call with an error, never a panic or a hang.
func TestCloseAndTermUnderTraffic(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			ctx, _ := NewContext()
			router, _ := ctx.NewSocket(ROUTER)
			must(t, router.Bind(endpointFor(t, tr)))
			ep := router.opt.lastEndpoint
			var wg sync.WaitGroup
			var dealers []*Socket
			for i := 0; i < 4; i++ {
				d, _ := ctx.NewSocket(DEALER)
				d.SetLinger(0)
				must(t, d.Connect(ep))
				dealers = append(dealers, d)
				wg.Add(2)
				go func() {
					defer wg.Done()
					for j := 0; j < 2000; j++ {
						if _, err := d.SendMessage("x", j); err != nil {
							return
						}
					}
				}()
				go func() {
					defer wg.Done()
					for {
						if _, err := d.RecvMessage(0); err != nil {
							return
						}
					}
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					m, err := router.RecvMessageBytes(0)
					if err != nil {
						return
					}
					router.SendMessage(m)
				}
			}()
			// Let traffic flow for a moment, then pull everything down.
			for i := 0; i < 200; i++ {
				if _, err := router.GetEvents(); err != nil {
					break
				}
			}
			router.SetLinger(0)
			router.Close()
			for _, d := range dealers {
				d.Close()
			}
			ctx.Term()
			wg.Wait()
		})
	}
}
