package zmq4_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// runReactor starts Run in a goroutine and returns its result channel.
func runReactor(r *zmq.Reactor) <-chan error {
	done := make(chan error, 1)
	go func() { done <- r.Run(time.Second) }()
	return done
}

// awaitReactor waits (hang guard only) for Run to return.
func awaitReactor(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(hangGuard):
		t.Fatal("reactor did not return")
		return nil
	}
}

var errStop = errors.New("stop")

// TestReactorSocketChannelTimer mixes a socket, a plain channel and a
// ticker; a handler's error stops Run and is returned.
func TestReactorSocketChannelTimer(t *testing.T) {
	pxEachTransport(t, func(t *testing.T, transport string) {
		ctx := pxContext(t)
		pull := pxSocket(t, ctx, zmq.PULL)
		push := pxSocket(t, ctx, zmq.PUSH)
		pxMust(t, push.Connect(pxBind(t, pull, transport)))

		const messages, values, ticks = 10, 5, 3
		var gotMessages, gotValues, gotTicks int
		check := func() error {
			if gotMessages == messages && gotValues == values && gotTicks >= ticks {
				return errStop
			}
			return nil
		}

		r := zmq.NewReactor()
		r.AddSocket(pull, zmq.POLLIN, func(ev zmq.State) error {
			if ev != zmq.POLLIN {
				return fmt.Errorf("socket handler got %v", ev)
			}
			msg, err := pull.Recv(zmq.DONTWAIT)
			if err != nil {
				return fmt.Errorf("recv after POLLIN: %w", err)
			}
			if msg != fmt.Sprint(gotMessages) {
				return fmt.Errorf("message %d is %q", gotMessages, msg)
			}
			gotMessages++
			return check()
		})
		valueCh := make(chan interface{})
		r.AddChannel(valueCh, 1, func(v interface{}) error {
			if v != gotValues {
				return fmt.Errorf("value %d is %v", gotValues, v)
			}
			gotValues++
			return check()
		})
		ticker := time.NewTicker(time.Millisecond)
		defer ticker.Stop()
		r.AddChannelTime(ticker.C, 1, func(v interface{}) error {
			if _, ok := v.(time.Time); !ok {
				return fmt.Errorf("ticker handler got %T", v)
			}
			gotTicks++
			return check()
		})

		done := runReactor(r)
		go func() {
			for i := 0; i < messages; i++ {
				push.Send(fmt.Sprint(i), 0)
			}
		}()
		for i := 0; i < values; i++ {
			select {
			case valueCh <- i:
			case err := <-done:
				t.Fatalf("Run returned %v before all values were sent", err)
			}
		}
		if err := awaitReactor(t, done); err != errStop {
			t.Fatalf("Run = %v, want the handler's error", err)
		}
		if gotMessages != messages || gotValues != values || gotTicks < ticks {
			t.Fatalf("handled %d messages, %d values, %d ticks", gotMessages, gotValues, gotTicks)
		}
	})
}

// TestReactorWakesWithoutPolling checks that an idle Run is parked (not
// spinning) and wakes for a socket event.
func TestReactorWakesWithoutPolling(t *testing.T) {
	ctx := pxContext(t)
	pull := pxSocket(t, ctx, zmq.PULL)
	push := pxSocket(t, ctx, zmq.PUSH)
	pxMust(t, push.Connect(pxBind(t, pull, "inproc")))
	r := zmq.NewReactor()
	r.AddSocket(pull, zmq.POLLIN, func(zmq.State) error {
		msg, err := pull.Recv(0)
		if err != nil {
			return err
		}
		return errors.New(msg)
	})
	// A channel that never delivers, so Run waits on both kinds at once.
	never := make(chan interface{})
	r.AddChannel(never, 0, func(interface{}) error { return errors.New("unexpected value") })
	done := runReactor(r)
	waitBlocked(t, "(*Reactor).wait")
	_, err := push.Send("woken", 0)
	pxMust(t, err)
	if err := awaitReactor(t, done); err == nil || err.Error() != "woken" {
		t.Fatalf("Run = %v, want the socket handler's error", err)
	}
}

// TestReactorRemovalInsideHandlers checks that handlers removing themselves
// are not called again, even with more input waiting, and that Run returns
// once nothing is registered.
func TestReactorRemovalInsideHandlers(t *testing.T) {
	ctx := pxContext(t)
	pull := pxSocket(t, ctx, zmq.PULL)
	push := pxSocket(t, ctx, zmq.PUSH)
	pxMust(t, push.Connect(pxBind(t, pull, "inproc")))
	for i := 0; i < 3; i++ {
		_, err := push.Send("m", 0)
		pxMust(t, err)
	}
	values := make(chan interface{}, 3)
	for i := 0; i < 3; i++ {
		values <- i
	}

	r := zmq.NewReactor()
	socketCalls, channelCalls := 0, 0
	r.AddSocket(pull, zmq.POLLIN, func(zmq.State) error {
		socketCalls++
		if _, err := pull.Recv(0); err != nil {
			return err
		}
		r.RemoveSocket(pull)
		return nil
	})
	var id uint64
	id = r.AddChannel(values, 0, func(interface{}) error {
		channelCalls++
		r.RemoveChannel(id)
		return nil
	})
	err := awaitReactor(t, runReactor(r))
	if err == nil || err == errStop {
		t.Fatalf("Run with nothing left = %v, want the reactor's 'nothing to do' error", err)
	}
	if socketCalls != 1 || channelCalls != 1 {
		t.Fatalf("socket handler called %d times, channel handler %d; want 1 each", socketCalls, channelCalls)
	}
	if len(values) != 2 {
		t.Fatalf("%d values left in the channel, want 2", len(values))
	}
}

// TestReactorAddInsideHandler checks that a handler can register a socket
// and that a closed channel is removed by itself.
func TestReactorAddInsideHandler(t *testing.T) {
	ctx := pxContext(t)
	pull := pxSocket(t, ctx, zmq.PULL)
	push := pxSocket(t, ctx, zmq.PUSH)
	pxMust(t, push.Connect(pxBind(t, pull, "inproc")))

	r := zmq.NewReactor()
	start := make(chan interface{}, 1)
	start <- "go"
	close(start)
	r.AddChannel(start, 0, func(interface{}) error {
		r.AddSocket(pull, zmq.POLLIN, func(zmq.State) error {
			msg, err := pull.Recv(0)
			if err != nil {
				return err
			}
			if msg == "last" {
				r.RemoveSocket(pull)
			}
			return nil
		})
		// Replacing the handler keeps one entry per socket.
		r.AddSocket(push, zmq.POLLOUT, func(zmq.State) error { return errors.New("replaced") })
		r.AddSocket(push, zmq.POLLOUT, func(zmq.State) error {
			r.RemoveSocket(push)
			_, err := push.SendMessage("last")
			return err
		})
		return nil
	})
	err := awaitReactor(t, runReactor(r))
	if err == nil || err.Error() == "replaced" {
		t.Fatalf("Run = %v, want the reactor's 'nothing to do' error", err)
	}
	if polled, err := pollFor(pull, 0); err != nil || polled {
		t.Fatalf("message left unhandled: %v, %v", polled, err)
	}
}

// TestReactorETERM checks that terminating the context ends Run with ETERM.
func TestReactorETERM(t *testing.T) {
	ctx, err := zmq.NewContext()
	pxMust(t, err)
	pull, err := ctx.NewSocket(zmq.PULL)
	pxMust(t, err)
	pxMust(t, pull.SetLinger(0))
	r := zmq.NewReactor()
	r.AddSocket(pull, zmq.POLLIN, func(zmq.State) error { return errStop })
	done := runReactor(r)
	waitBlocked(t, "(*Reactor).wait")
	termDone := termAsync(ctx)
	if err := awaitReactor(t, done); !errors.Is(err, zmq.ETERM) {
		t.Fatalf("Run after Term = %v, want ETERM", err)
	}
	pxMust(t, pull.Close())
	select {
	case err := <-termDone:
		pxMust(t, err)
	case <-time.After(hangGuard):
		t.Fatal("Term did not return")
	}
}
