package zmq4

import (
	"context"
	"sync"
)

// Connect calls start their connections in the order they were made, as
// libzmq's I/O thread issues them one after the other: each connecter's
// first dial waits, right before its connect(2), until the first dials of
// all earlier Connect calls (of any socket in the process) have issued
// theirs or ended. On loopback Linux completes a connection's handshake
// within its connect(2) (unless the kernel defers its network processing
// under load), so a peer that binds accepts them in the order of the
// Connect calls; across a network their packets may still arrive in
// another order, for libzmq too.
// A dial that must first resolve a name, bind a source address, go through
// a proxy or use ipc takes its turn at once instead (transport.Dial), so a
// slow step never holds up later Connect calls.

// dialTurn is one Connect call's place in the order.
type dialTurn struct {
	mine chan struct{} // closed when the turns before this one are over
	once sync.Once     // ends the turn once
}

// dialQueue holds the turns not yet over, oldest first; the first one's
// channel is closed.
var dialQueue struct {
	mu    sync.Mutex
	turns []*dialTurn
}

// newDialTurn queues a turn behind every turn queued before. Call it from
// Connect, in the caller's goroutine, so that turns follow the calls.
func newDialTurn() *dialTurn {
	t := &dialTurn{mine: make(chan struct{})}
	dialQueue.mu.Lock()
	dialQueue.turns = append(dialQueue.turns, t)
	if len(dialQueue.turns) == 1 {
		close(t.mine)
	}
	dialQueue.mu.Unlock()
	return t
}

// take waits for the turn, runs connect when not nil, and ends the turn;
// when ctx ends first, it ends the turn without connecting. Only the first call waits; a later one only runs
// connect.
func (t *dialTurn) take(ctx context.Context, connect func()) {
	first := false
	t.once.Do(func() {
		first = true
		select {
		case <-t.mine:
			if connect != nil {
				connect()
			}
		case <-ctx.Done():
		}
		t.remove()
	})
	if !first && connect != nil {
		connect()
	}
}

// end ends the turn without connecting, if take has not: for a dial that
// failed before its turn, or a connecter stopped before dialing.
func (t *dialTurn) end() {
	t.once.Do(t.remove)
}

// remove takes t out of the queue and gives the next turn its go when t
// was first.
func (t *dialTurn) remove() {
	dialQueue.mu.Lock()
	defer dialQueue.mu.Unlock()
	for i, q := range dialQueue.turns {
		if q != t {
			continue
		}
		copy(dialQueue.turns[i:], dialQueue.turns[i+1:])
		dialQueue.turns[len(dialQueue.turns)-1] = nil
		dialQueue.turns = dialQueue.turns[:len(dialQueue.turns)-1]
		if i == 0 && len(dialQueue.turns) > 0 {
			close(dialQueue.turns[0].mine)
		}
		return
	}
}
