package interop

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

// buildCZMQProgram compiles a C source file against Debian's libczmq and
// returns the program's path, or skips the test when cc or libczmq is
// missing.
func buildCZMQProgram(t *testing.T, source string) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) for the CZMQ peer")
	}
	flags, err := exec.Command("pkg-config", "--cflags", "--libs", "libczmq", "libzmq").Output()
	if err != nil {
		t.Skip("libczmq not found by pkg-config (Debian: apt-get install libczmq-dev)")
	}
	name := strings.TrimSuffix(filepath.Base(source), ".c")
	binaryPath := filepath.Join(t.TempDir(), name)
	args := append([]string{"-o", binaryPath, source}, strings.Fields(string(flags))...)
	if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, out)
	}
	return binaryPath
}

// zmsgPeer runs testdata/czmq/zmsg_peer with args and returns its output
// line.
func zmsgPeer(t *testing.T, peer string, args ...string) string {
	t.Helper()
	out, err := exec.Command(peer, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("zmsg_peer %.100s: %v\n%.1000s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// hexFrames spells frames as zmsg_peer takes and prints them.
func hexFrames(m zmq.Msg) []string {
	words := make([]string, len(m))
	for i, f := range m {
		words[i] = "-"
		if len(f) > 0 {
			words[i] = hex.EncodeToString(f)
		}
	}
	return words
}

// Our Msg and CZMQ's zmsg read each other's serialised forms: what
// zmsg_encode writes we decode and the reverse, byte for byte, and files
// written by zmsg_save load with LoadMsg and the reverse.
func TestInteropMsgFormatsCZMQ(t *testing.T) {
	peer := buildCZMQProgram(t, filepath.Join("testdata", "czmq", "zmsg_peer.c"))
	cases := []zmq.Msg{
		zmq.NewMsgStrings("one"),
		zmq.NewMsgStrings("a", "", "bc"),
		zmq.NewMsg(bytes.Repeat([]byte{1}, 254), bytes.Repeat([]byte{2}, 255), bytes.Repeat([]byte{3}, 256)),
		zmq.NewMsg(bytes.Repeat([]byte{4}, 20000), []byte{0, 0xFF}), // a command-line word holds 128 KiB
	}
	for i, m := range cases {
		ours, err := m.Encode()
		must(t, "Encode", err)
		theirs := zmsgPeer(t, peer, append([]string{"encode"}, hexFrames(m)...)...)
		if hex.EncodeToString(ours) != theirs {
			t.Fatalf("case %d: zmsg_encode wrote %.60s..., we %.60x...", i, theirs, ours)
		}
		want := "MSG " + strings.Join(hexFrames(m), " ")
		if got := zmsgPeer(t, peer, "decode", hex.EncodeToString(ours)); got != want {
			t.Fatalf("case %d: zmsg_decode of ours: %.80s", i, got)
		}
		raw, _ := hex.DecodeString(theirs)
		back, err := zmq.DecodeMsg(raw)
		must(t, "DecodeMsg", err)
		if !back.Equal(m) {
			t.Fatalf("case %d: DecodeMsg of zmsg_encode's bytes differs", i)
		}

		// zmsg_save's file loads here. CZMQ can neither save nor load an
		// empty frame (its fwrite and fread of 0 bytes count as failures);
		// ours can, so messages with one are checked to fail in CZMQ.
		hasEmpty := false
		for _, f := range m {
			hasEmpty = hasEmpty || len(f) == 0
		}
		file := filepath.Join(t.TempDir(), "msg")
		saved := zmsgPeer(t, peer, append([]string{"save", file}, hexFrames(m)...)...)
		switch {
		case hasEmpty && saved != "ERROR":
			t.Fatalf("case %d: zmsg_save of an empty frame: %s", i, saved)
		case !hasEmpty && saved != "SAVED":
			t.Fatalf("case %d: zmsg_save: %s", i, saved)
		case !hasEmpty:
			loaded, err := loadFile(file)
			must(t, "LoadMsg", err)
			if !loaded.Equal(m) {
				t.Fatalf("case %d: LoadMsg of zmsg_save's file differs", i)
			}
		}
		// Our file loads in CZMQ.
		must(t, "save", saveFile(file, m))
		got := zmsgPeer(t, peer, "load", file)
		if hasEmpty {
			if got != "NULL" {
				t.Fatalf("case %d: zmsg_load read a message with an empty frame: %.80s", i, got)
			}
			continue
		}
		if got != want {
			t.Fatalf("case %d: zmsg_load of our file: %.80s", i, got)
		}
	}
}

// saveFile writes m to path with Save.
func saveFile(path string, m zmq.Msg) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := m.Save(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadFile reads the message in path with LoadMsg.
func loadFile(path string) (zmq.Msg, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return zmq.LoadMsg(f)
}
