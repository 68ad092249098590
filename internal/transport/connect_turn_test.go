package transport

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// TestConnectTurn: a tcp dial to a numeric address hands ConnectTurn its
// connect(2), and the dial completes on the connection that started;
// dials with a step that may block before connect(2) (a name, ipc) call
// it with nil first; a dial that fails still takes its turn.
func TestConnectTurn(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir := t.TempDir()
	ipcPath := filepath.Join(dir, "turn.ipc")
	il, err := net.Listen("unix", ipcPath)
	if err != nil {
		t.Fatal(err)
	}
	defer il.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	cases := []struct {
		endpoint string
		want     string // the ConnectTurn calls: "c" with a connect, "n" with nil
	}{
		{"tcp://" + l.Addr().String(), "c"},
		{"ws://" + l.Addr().String() + "/p", "c"},
		{"tcp://localhost:" + strings.TrimPrefix(l.Addr().String(), "127.0.0.1:"), "n"},
		{"tcp://127.0.0.1:0;" + l.Addr().String(), "n"},
		{"ipc://" + ipcPath, "n"},
	}
	for _, tc := range cases {
		calls := ""
		opts := &Options{ConnectTurn: func(connect func()) {
			if connect == nil {
				calls += "n"
				return
			}
			calls += "c"
			connect()
		}}
		c, err := Dial(context.Background(), mustParse(t, tc.endpoint), opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.endpoint, err)
		}
		c.Close()
		if !strings.HasPrefix(calls, tc.want) {
			t.Errorf("%s: ConnectTurn calls %q, want %q first", tc.endpoint, calls, tc.want)
		}
	}
}
