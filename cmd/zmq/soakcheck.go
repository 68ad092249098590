package main

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
)

// The invariant checking of `zmq soak`, kept apart from the sockets so that
// tests can feed it made-up observations.

// faultEpoch counts the faults injected on one path (a client's link to its
// server) like a sequence lock: begin makes it odd while a fault is being
// injected (a cut, a peer restart, a socket closed and re-created), end
// makes it even again. A message carries the value read before it was
// sent; the receiver reads it again on arrival. Together they tell whether
// a fault could have struck between two messages.
type faultEpoch struct{ n atomic.Uint64 }

func (e *faultEpoch) begin()       { e.n.Add(1) }
func (e *faultEpoch) end()         { e.n.Add(1) }
func (e *faultEpoch) load() uint64 { return e.n.Load() }

// faultBetween reports whether a fault may have been injected after a
// message stamped sent was sent and before a later one was received with
// the epoch then at received: one was under way at either moment, or one
// began or ended in between. A message lost in flight can only have been
// lost by such a fault: the message before it was delivered, so the fault
// struck after that one was stamped; and it began before the message after
// the gap was received, or is still under way (odd) when it is.
func faultBetween(sent, received uint64) bool {
	return sent%2 == 1 || received%2 == 1 || received != sent
}

// seqCheck checks numbered streams, one per sender (or topic). Numbers
// start at 1. Nothing may arrive twice. A number may be skipped (lost) only
// if a fault struck the path after the message before it was sent and
// before the one after it arrived; a message may arrive after a higher
// number only if a fault struck between its own sending and its arrival
// (it travelled on a connection that was then replaced, and the new one
// overtook it: ZeroMQ keeps order per connection). With anyLoss, gaps are
// allowed without a fault (PUB drops at its high-water mark) but still
// counted.
type seqCheck struct {
	anyLoss bool
	streams map[string]*seqStream
}

type seqStream struct {
	max      uint64 // highest number received
	maxEpoch uint64 // the epoch it carried
	missing  []seqGap
}

// seqGap is a run of numbers below max never received; counted tells
// whether they were counted as lost.
type seqGap struct {
	lo, hi  uint64
	counted bool
}

// seqMaxGaps bounds the gaps remembered per stream; a message arriving
// after more than this many later gaps is taken for a duplicate.
const seqMaxGaps = 256

func newSeqCheck(anyLoss bool) *seqCheck {
	return &seqCheck{anyLoss: anyLoss, streams: map[string]*seqStream{}}
}

// observe records message seq of stream key, stamped with the path's epoch
// sent when it was sent; received is the path's epoch now. uncounted says
// that a gap before this message is no loss (the receiver was not
// subscribed meanwhile). It returns the change in the count of lost
// messages (a late arrival takes one back), or an error naming the
// invariant broken.
func (c *seqCheck) observe(key string, seq, sent, received uint64, uncounted bool) (lost int64, err error) {
	st := c.streams[key]
	if st == nil {
		st = &seqStream{}
		c.streams[key] = st
	}
	if seq > st.max {
		if gap := seq - st.max - 1; gap > 0 {
			if !uncounted && !c.anyLoss && !faultBetween(st.maxEpoch, received) {
				return 0, fmt.Errorf("lost without a fault: %s's messages %d to %d never arrived, and no fault struck its path between %d and %d (epoch %d then, %d now)",
					key, st.max+1, seq-1, st.max, seq, st.maxEpoch, received)
			}
			st.missing = append(st.missing, seqGap{lo: st.max + 1, hi: seq - 1, counted: !uncounted})
			if len(st.missing) > seqMaxGaps {
				st.missing = st.missing[1:]
			}
			if !uncounted {
				lost = int64(gap)
			}
		}
		st.max, st.maxEpoch = seq, sent
		return lost, nil
	}
	i := slices.IndexFunc(st.missing, func(g seqGap) bool { return g.lo <= seq && seq <= g.hi })
	if i < 0 {
		return 0, fmt.Errorf("duplicate: %s's message %d received twice (highest so far %d)", key, seq, st.max)
	}
	if !faultBetween(sent, received) {
		return 0, fmt.Errorf("reordered without a fault: %s's message %d arrived after %d, and no fault struck its path since it was sent (epoch %d)",
			key, seq, st.max, received)
	}
	g := st.missing[i]
	switch {
	case g.lo == g.hi:
		st.missing = slices.Delete(st.missing, i, i+1)
	case seq == g.lo:
		st.missing[i].lo++
	case seq == g.hi:
		st.missing[i].hi--
	default:
		st.missing[i].hi = seq - 1
		st.missing = slices.Insert(st.missing, i+1, seqGap{lo: seq + 1, hi: g.hi, counted: g.counted})
	}
	if g.counted {
		return -1, nil
	}
	return 0, nil
}

// growthCheck judges one resource (goroutines, descriptors, heap in use)
// sampled at a steady pace. Its floor is the smallest of the last window
// samples: churn makes short peaks (a connection and its goroutines exist
// twice while one reconnects, a burst of buffers before a GC), but a leak
// lifts the floor and keeps it up. During warm-up the highest floor seen
// becomes the reference; afterwards the floor may not exceed the reference
// by more than abs + rel*reference.
type growthCheck struct {
	name   string
	unit   string  // "" for counts, "MiB" shows values in MiB
	abs    float64 // allowed rise, in the values' unit
	rel    float64 // allowed rise, as a fraction of the reference
	window int

	recent []float64
	ref    float64
	refSet bool
	first  float64 // the first sample, for the report
	last   float64
	n      int
}

// floor returns the smallest of the last window samples.
func (g *growthCheck) floor() float64 {
	m := g.recent[0]
	for _, v := range g.recent[1:] {
		m = min(m, v)
	}
	return m
}

// limit is the highest floor allowed after warm-up.
func (g *growthCheck) limit() float64 { return g.ref + g.abs + g.rel*g.ref }

// add records a sample. During warm-up it only moves the reference; after,
// it returns an error when the floor has risen past the limit.
func (g *growthCheck) add(v float64, warmup bool) error {
	if g.n == 0 {
		g.first = v
	}
	g.n++
	g.last = v
	g.recent = append(g.recent, v)
	if len(g.recent) > g.window {
		g.recent = g.recent[1:]
	}
	f := g.floor()
	if warmup || !g.refSet {
		if !g.refSet || f > g.ref {
			g.ref, g.refSet = f, true
		}
		return nil
	}
	if f > g.limit() {
		return fmt.Errorf("growth: %s rose from %s after warm-up to %s, the lowest of the last %d samples (bound %s)",
			g.name, g.show(g.ref), g.show(f), len(g.recent), g.show(g.limit()))
	}
	return nil
}

func (g *growthCheck) show(v float64) string {
	if g.unit == "MiB" {
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	}
	return fmt.Sprintf("%.0f", v)
}

// patternStats are one pattern's message counts, updated by its loops.
type patternStats struct {
	name     string
	sent     atomic.Uint64
	received atomic.Uint64
	lost     atomic.Int64  // allowed losses: across faults, or PUB's drops
	retries  atomic.Uint64 // REQ: requests sent again after a timeout
}

func (p *patternStats) String() string {
	received := p.received.Load() // before sent, so that recv never shows more
	s := fmt.Sprintf("%s sent=%d recv=%d lost=%d", p.name, p.sent.Load(), received, p.lost.Load())
	if r := p.retries.Load(); r > 0 {
		s += fmt.Sprintf(" retried=%d", r)
	}
	return s
}

// breach is an invariant broken in one pattern; the first one ends the
// soak.
type breach struct {
	pattern string
	err     error
}

func (b breach) Error() string {
	return fmt.Sprintf("FAIL %s: %v", b.pattern, b.err)
}

// checkTopic returns an error when a subscriber received a message whose
// topic (the text before ':') it is not subscribed to.
func checkTopic(msg string, subscribed map[string]bool) (topic string, err error) {
	topic, _, ok := strings.Cut(msg, ":")
	if !ok {
		return "", fmt.Errorf("malformed message %q", msg)
	}
	if !subscribed[topic] {
		return topic, fmt.Errorf("unsubscribed topic: received %q, subscribed only to %s", msg, setText(subscribed))
	}
	return topic, nil
}

func setText(set map[string]bool) string {
	var keys []string
	for k, on := range set {
		if on {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "nothing"
	}
	slices.Sort(keys)
	return strings.Join(keys, ",")
}
