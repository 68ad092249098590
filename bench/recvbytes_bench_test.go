package bench

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

// BenchmarkRecvBytes measures the pebbe-style receive path: PUSH -> PULL
// with the receiver calling RecvBytes, which returns a slice the caller
// owns. Besides allocs/op and B/op it reports gc/1k-msg, the collections
// the receiving process ran per 1,000 messages. On tcp and inproc the
// sender is a goroutine of the same process, so its queues count in the
// heap the collector paces itself by; on tcp-process it is this test
// binary run again as a child process, as a real peer would be, and the
// figures are the receiver's alone.
func BenchmarkRecvBytes(b *testing.B) {
	benchmarkRecvCases(b, false)
}

// BenchmarkRecv is BenchmarkRecvBytes with Recv, which returns a string.
func BenchmarkRecv(b *testing.B) {
	benchmarkRecvCases(b, true)
}

func benchmarkRecvCases(b *testing.B, str bool) {
	for _, tr := range []string{"tcp", "tcp-process", "inproc"} {
		for _, sz := range []struct {
			name string
			size int
		}{{"64B", 64}, {"64KiB", 64 << 10}} {
			b.Run(tr+"/"+sz.name, func(b *testing.B) {
				if tr == "tcp-process" {
					benchmarkRecvFromProcess(b, sz.size, str)
					return
				}
				benchmarkRecvBytes(b, transport{tr, tr, false}, sz.size, str)
			})
		}
	}
}

func benchmarkRecvBytes(b *testing.B, tr transport, size int, str bool) {
	p := newPair(b, tr, zmq.PULL, zmq.PUSH)
	pull, push := p.bound, p.connected
	n := b.N
	sent := make(chan error, 1)
	go func() {
		msg := make([]byte, size)
		for i := 0; i <= n; i++ {
			if _, err := push.SendBytes(msg, 0); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	measureRecv(b, pull, size, n, str)
	if err := <-sent; err != nil {
		b.Fatal(err)
	}
}

// senderEnv, set to "ENDPOINT SIZE COUNT", makes the test binary a sender
// for benchmarkRecvFromProcess instead of running tests: it connects a
// PUSH socket to ENDPOINT, sends COUNT messages of SIZE bytes and waits
// until they are delivered.
const senderEnv = "PUREZMQ_BENCH_SENDER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(senderEnv); spec != "" {
		if err := runSender(spec); err != nil {
			fmt.Fprintln(os.Stderr, "bench sender:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runSender is the child process of benchmarkRecvFromProcess.
func runSender(spec string) error {
	var endpoint string
	var size, count int
	if _, err := fmt.Sscan(spec, &endpoint, &size, &count); err != nil {
		return fmt.Errorf("%s=%q: %w", senderEnv, spec, err)
	}
	ctx, err := zmq.NewContext()
	if err != nil {
		return err
	}
	push, err := ctx.NewSocket(zmq.PUSH)
	if err != nil {
		return err
	}
	if err := push.Connect(endpoint); err != nil {
		return err
	}
	msg := make([]byte, size)
	for i := 0; i < count; i++ {
		if _, err := push.SendBytes(msg, 0); err != nil {
			return err
		}
	}
	// The default linger: Term returns once everything is delivered.
	if err := push.Close(); err != nil {
		return err
	}
	return ctx.Term()
}

// benchmarkRecvFromProcess is benchmarkRecvBytes over tcp with the sender
// in a child process.
func benchmarkRecvFromProcess(b *testing.B, size int, str bool) {
	ctx, err := zmq.NewContext()
	if err != nil {
		b.Fatal(err)
	}
	pull := newSocket(b, ctx, zmq.PULL)
	b.Cleanup(func() {
		pull.Close()
		ctx.Term()
	})
	if err := pull.Bind("tcp://127.0.0.1:*"); err != nil {
		b.Fatal(err)
	}
	endpoint, err := pull.GetLastEndpoint()
	if err != nil {
		b.Fatal(err)
	}
	n := b.N
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %d", senderEnv, endpoint, size, n+1))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	waited := false
	b.Cleanup(func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	measureRecv(b, pull, size, n, str)
	waited = true
	if err := cmd.Wait(); err != nil {
		b.Fatal("sender:", err)
	}
}

// measureRecv receives a first message untimed, then times n more of size
// bytes with RecvBytes (Recv when str is set) and reports gc/1k-msg.
func measureRecv(b *testing.B, pull *zmq.Socket, size, n int, str bool) {
	if _, err := pull.RecvBytes(0); err != nil {
		b.Fatal("warm-up:", err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < n; i++ {
		got := 0
		if str {
			msg, err := pull.Recv(0)
			if err != nil {
				b.Fatal(err)
			}
			got = len(msg)
		} else {
			msg, err := pull.RecvBytes(0)
			if err != nil {
				b.Fatal(err)
			}
			got = len(msg)
		}
		if got != size {
			b.Fatalf("message of %d bytes, want %d", got, size)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.NumGC-before.NumGC)*1000/float64(n), "gc/1k-msg")
}
