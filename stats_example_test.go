package zmq4_test

import (
	"fmt"

	zmq "github.com/purezmq/zmq4"
)

// Stats reports what a socket moved and what it is holding.
func ExampleSocket_Stats() {
	ctx, _ := zmq.NewContext()
	defer ctx.Term()
	pull, _ := ctx.NewSocket(zmq.PULL)
	push, _ := ctx.NewSocket(zmq.PUSH)
	defer pull.Close()
	defer push.Close()
	pull.Bind("inproc://stats-example")
	push.Connect("inproc://stats-example")
	push.Send("first", 0)
	push.Send("second", 0)
	pull.Recv(0)

	st, _ := push.Stats()
	fmt.Println("sent:", st.MsgsSent, "messages,", st.BytesSent, "bytes")
	st, _ = pull.Stats()
	fmt.Println("received:", st.MsgsReceived, "peers:", len(st.Peers))
	// Output:
	// sent: 2 messages, 11 bytes
	// received: 1 peers: 1
}
