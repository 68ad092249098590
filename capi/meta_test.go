package main

import (
	"bytes"
	"testing"
	"unsafe"
)

// metaPairs reads a block from newMeta as pz_meta_find does: after the
// header (refs, count, srcfd), count NUL-terminated name and value pairs.
func metaPairs(block unsafe.Pointer) map[string]string {
	count := *(*int64)(unsafe.Add(block, 8))
	p := unsafe.Add(block, 24)
	next := func() string {
		var b []byte
		for ; *(*byte)(p) != 0; p = unsafe.Add(p, 1) {
			b = append(b, *(*byte)(p))
		}
		p = unsafe.Add(p, 1)
		return string(b)
	}
	out := map[string]string{}
	for range count {
		k := next()
		out[k] = next()
	}
	return out
}

// A value holding a NUL (a peer's Identity may) is cut there, as C sees
// it, and the properties after it stay readable: before, the pairs after
// it were shifted, and zmq_msg_gets found no Socket-Type (the wire
// differential's ZAP mode showed it against libzmq).
func TestMetaValueWithNUL(t *testing.T) {
	// The block is left for the process's end: a test file cannot call C.
	block := newMeta(map[string]string{"Identity": "\x00id", "Socket-Type": "DEALER", "X-A": "b\x00c"}, -1)
	got := metaPairs(unsafe.Pointer(block))
	want := map[string]string{"Identity": "", "Socket-Type": "DEALER", "X-A": "b"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	if !bytes.Equal([]byte(cString("a\x00b")), []byte("a")) {
		t.Fatal("cString")
	}
}
