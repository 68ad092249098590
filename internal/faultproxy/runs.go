package faultproxy

import "sort"

// RunCounter checks the order of numbered messages that crossed a proxy
// whose connections were cut. ZeroMQ keeps order per connection only: when
// a receiver still holds messages of a cut connection while the new one
// delivers, fair queueing interleaves the two. So a stream that crossed C
// connections must be the merge of at most C strictly rising runs; Runs
// says how few runs it can be split into, and Add reports a duplicate.
type RunCounter struct {
	tails []int // last number of each run, sorted
	seen  map[int]bool
}

// Add records the next number received. It returns false if the number
// was received before.
func (r *RunCounter) Add(n int) bool {
	if r.seen == nil {
		r.seen = map[int]bool{}
	}
	if r.seen[n] {
		return false
	}
	r.seen[n] = true
	// Extend the run with the largest tail below n, or start a new one.
	i := sort.SearchInts(r.tails, n) // first tail >= n
	if i == 0 {
		r.tails = append([]int{n}, r.tails...)
		return true
	}
	r.tails[i-1] = n
	return true
}

// Runs returns the fewest strictly rising runs the numbers so far split
// into.
func (r *RunCounter) Runs() int { return len(r.tails) }

// Count returns how many distinct numbers were added.
func (r *RunCounter) Count() int { return len(r.seen) }
