package zmq4

// fairQueue receives from pipes in turn, one message from each, skipping
// pipes that have nothing (libzmq's fq). Pipes that run dry leave the active
// list and return when they report readable again.
type fairQueue struct {
	active []*pipe
	cur    int
}

func (f *fairQueue) add(p *pipe) {
	if !p.inActive {
		p.inActive = true
		f.active = append(f.active, p)
	}
}

func (f *fairQueue) removeAt(i int) {
	f.active[i].inActive = false
	last := len(f.active) - 1
	f.active[i] = f.active[last]
	f.active[last] = nil
	f.active = f.active[:last]
	if f.cur >= len(f.active) {
		f.cur = 0
	}
}

// remove takes p out of the active list.
func (f *fairQueue) remove(p *pipe) {
	for i, q := range f.active {
		if q == p {
			f.removeAt(i)
			return
		}
	}
}

// recv returns the next message and the pipe it came from.
func (f *fairQueue) recv() ([]frame, *pipe, bool) {
	for len(f.active) > 0 {
		if f.cur >= len(f.active) {
			f.cur = 0
		}
		p := f.active[f.cur]
		if m, ok, _ := p.in.next(); ok {
			f.cur++
			return m, p, true
		}
		f.removeAt(f.cur)
	}
	return nil, nil, false
}

// hasIn reports whether some pipe holds a message.
func (f *fairQueue) hasIn() bool {
	for len(f.active) > 0 {
		if f.cur >= len(f.active) {
			f.cur = 0
		}
		if ok, _ := f.active[f.cur].in.hasMessage(); ok {
			return true
		}
		f.removeAt(f.cur)
	}
	return false
}

// loadBalancer sends each message to the next pipe with room, in turn
// (libzmq's lb). pipes[:active] are the pipes believed writable. A pipe
// that joins takes its place among the writable pipes by its order
// (nextPipeOrder), not at their end: pipes that join while the others are
// writable are served in the order their connections began (the Connect
// calls, or a bound endpoint's accepts), whatever order their handshakes
// ended in. Pipes that fill up and become writable again go to the end of
// the writable ones, as in libzmq.
type loadBalancer struct {
	pipes  []*pipe
	active int
	cur    int
}

func (l *loadBalancer) index(p *pipe) int {
	for i, q := range l.pipes {
		if q == p {
			return i
		}
	}
	return -1
}

func (l *loadBalancer) swap(i, j int) { l.pipes[i], l.pipes[j] = l.pipes[j], l.pipes[i] }

// add makes p writable: it goes to the end of the writable pipes, then
// back past those at their end whose order is greater, so pipes that join
// one after the other stand in the order their connections began. A pipe
// with no order yet (inproc, udp) gets one now.
func (l *loadBalancer) add(p *pipe) {
	if p.order == 0 {
		p.order = nextPipeOrder()
	}
	l.pipes = append(l.pipes, p)
	l.swap(len(l.pipes)-1, l.active)
	i := l.active
	for i > 0 && l.pipes[i-1].order > p.order {
		l.pipes[i] = l.pipes[i-1]
		i--
	}
	l.pipes[i] = p
	if i < l.cur {
		// The pipe that was next to be served moved up one place.
		l.cur++
	}
	l.active++
}

func (l *loadBalancer) remove(p *pipe) {
	i := l.index(p)
	if i < 0 {
		return
	}
	if i < l.active {
		l.active--
		l.swap(i, l.active)
		i = l.active
		if l.cur >= l.active {
			l.cur = 0
		}
	}
	last := len(l.pipes) - 1
	l.swap(i, last)
	l.pipes[last] = nil
	l.pipes = l.pipes[:last]
}

// activate marks p writable again.
func (l *loadBalancer) activate(p *pipe) {
	i := l.index(p)
	if i < 0 || i < l.active {
		return
	}
	l.swap(i, l.active)
	l.active++
}

// send pushes m to the next writable pipe and returns it.
func (l *loadBalancer) send(m []frame) (*pipe, error) {
	for l.active > 0 {
		if l.cur >= l.active {
			l.cur = 0
		}
		p := l.pipes[l.cur]
		if p.out.push(m, false) {
			l.cur++
			return p, nil
		}
		l.active--
		l.swap(l.cur, l.active)
	}
	return nil, eagain
}

// hasOut reports whether some pipe has room.
func (l *loadBalancer) hasOut() bool {
	for l.active > 0 {
		if l.cur >= l.active {
			l.cur = 0
		}
		if l.pipes[l.cur].out.canPush() {
			return true
		}
		l.active--
		l.swap(l.cur, l.active)
	}
	return false
}
