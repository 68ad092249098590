package zmq4

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkIdleConnectionMemory binds one ROUTER in this process, has a
// child process connect 10,000 idle DEALERs to it over tcp (ZMQ_IDLE_CONNS
// overrides the count), and reports the ROUTER side's Go memory (heap and
// stacks) per connection. Run with:
//
//	go test -run NONE -bench IdleConnectionMemory -benchtime 1x
func BenchmarkIdleConnectionMemory(b *testing.B) {
	conns := 10000
	if v, err := strconv.Atoi(os.Getenv("ZMQ_IDLE_CONNS")); err == nil && v > 0 {
		conns = v
	}
	for i := 0; i < b.N; i++ {
		ctx, _ := NewContext()
		router, _ := ctx.NewSocket(ROUTER)
		router.SetLinger(0)
		router.SetBacklog(4096) // 10,000 connects at once overflow the default 100
		if err := router.Bind("tcp://127.0.0.1:*"); err != nil {
			b.Fatal(err)
		}
		ep, _ := router.GetLastEndpoint()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		goroutinesBefore := runtime.NumGoroutine()

		child := exec.Command(os.Args[0], "-test.run=^TestIdleDealersChild$")
		child.Env = append(os.Environ(), "ZMQ_IDLE_CHILD_ENDPOINT="+ep, fmt.Sprintf("ZMQ_IDLE_CHILD_CONNS=%d", conns))
		stdin, _ := child.StdinPipe()
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(3 * time.Minute)
		for {
			router.mu.Lock()
			n := len(router.pipes)
			router.mu.Unlock()
			if n == conns {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("only %d of %d connections up", n, conns)
			}
			time.Sleep(50 * time.Millisecond)
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		used := (after.HeapInuse + after.StackInuse) - (before.HeapInuse + before.StackInuse)
		b.ReportMetric(float64(used)/float64(conns), "B/conn")
		b.ReportMetric(float64(runtime.NumGoroutine()-goroutinesBefore)/float64(conns), "goroutines/conn")
		stdin.Close()
		child.Wait()
		router.Close()
		ctx.Term()
	}
}

// TestIdleDealersChild is the child process of BenchmarkIdleConnectionMemory:
// it connects the DEALERs and holds them until its standard input closes.
func TestIdleDealersChild(t *testing.T) {
	ep := os.Getenv("ZMQ_IDLE_CHILD_ENDPOINT")
	if ep == "" {
		t.Skip("only runs as BenchmarkIdleConnectionMemory's child process")
	}
	n, _ := strconv.Atoi(os.Getenv("ZMQ_IDLE_CHILD_CONNS"))
	ctx, _ := NewContext()
	ctx.SetMaxSockets(n + 10)
	dealers := make([]*Socket, n)
	for i := range dealers {
		d, err := ctx.NewSocket(DEALER)
		if err != nil {
			t.Fatal(err)
		}
		d.SetLinger(0)
		d.Connect(ep)
		dealers[i] = d
	}
	io.Copy(io.Discard, os.Stdin)
	for _, d := range dealers {
		d.Close()
	}
	ctx.Term()
}
