//go:build linux

package interop

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq4/beacon"
	"github.com/purezmq/zmq4/internal/netns"
)

// The beacon interop test runs our Beacon and CZMQ's zbeacon (through
// testdata/beacon/beacon_peer.c, built with cc against Debian's libczmq)
// side by side. zbeacon cannot be kept on loopback: it skips loopback
// interfaces, and with ZSYS_INTERFACE=* it broadcasts to 255.255.255.255
// through the default route. So each case runs in a private network
// namespace holding only lo and a veth pair (bz0, 10.203.0.1/24, carrying
// the default route): nothing reaches the host's network, and the port is
// Zyre's 5670 with no one else on it. The namespace belongs to one locked
// OS thread; the sockets made on it and the processes started from it live
// there, and it goes away with the thread when the test goroutine ends.

const (
	beaconInteropPort    = 5670 // Zyre's discovery port, free in the namespace
	beaconInteropAddress = "10.203.0.1"
	beaconInteropTimeout = 20 * time.Second
)

func TestInteropBeaconCZMQ(t *testing.T) {
	peer := buildBeaconPeer(t)
	cases := []struct {
		name, iface, hostname string
	}{
		{"first-interface", "", beaconInteropAddress},
		{"all-interfaces", "*", "*"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			enterBeaconNamespace(t)
			runBeaconInterop(t, peer, c.iface, c.hostname)
		})
	}
}

// runBeaconInterop checks, in the current namespace, that CZMQ's zbeacon
// and ours report the same hostname and hear each other's Zyre-style
// beacons, and that neither delivers its own.
func runBeaconInterop(t *testing.T, peer, iface, hostname string) {
	ours, err := beacon.New(beaconInteropPort, beacon.Interface(iface))
	if err != nil {
		t.Fatal(err)
	}
	defer ours.Close()
	if ours.Hostname() != hostname {
		t.Fatalf("our hostname %q; want %q", ours.Hostname(), hostname)
	}

	ourPayload := zreBeacon(t, 31000)
	theirPayload := zreBeacon(t, 32000)
	czmq := startBeaconPeer(t, peer, iface, theirPayload, []byte("ZRE"))
	if got := czmq.expect(t, "HOSTNAME "); got != hostname {
		t.Fatalf("zbeacon's hostname %q; ours %q", got, hostname)
	}

	ours.Subscribe([]byte("ZRE"))
	if err := ours.Publish(ourPayload, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}

	// CZMQ hears us.
	wantLine := beaconInteropAddress + " " + hex.EncodeToString(ourPayload)
	for {
		line := czmq.expect(t, "BEACON ")
		if line == wantLine {
			break
		}
		if strings.HasSuffix(line, hex.EncodeToString(theirPayload)) {
			t.Fatal("zbeacon delivered its own beacon")
		}
	}

	// We hear CZMQ.
	ctx, cancel := context.WithTimeout(context.Background(), beaconInteropTimeout)
	defer cancel()
	for {
		sender, payload, err := ours.Recv(ctx)
		if err != nil {
			t.Fatalf("waiting for zbeacon's beacon: %v", err)
		}
		if bytes.Equal(payload, ourPayload) {
			t.Fatal("our own beacon was delivered")
		}
		if bytes.Equal(payload, theirPayload) {
			if sender != beaconInteropAddress {
				t.Fatalf("zbeacon's beacon came from %q; want %s", sender, beaconInteropAddress)
			}
			break
		}
	}
}

// zreBeacon returns a Zyre v1 beacon: "ZRE", version 1, a random 16-byte
// UUID and a TCP port, big-endian.
func zreBeacon(t *testing.T, port uint16) []byte {
	t.Helper()
	frame := append([]byte("ZRE"), 1)
	uuid := make([]byte, 16)
	if _, err := rand.Read(uuid); err != nil {
		t.Fatal(err)
	}
	frame = append(frame, uuid...)
	return binary.BigEndian.AppendUint16(frame, port)
}

// buildBeaconPeer compiles beacon_peer.c, or skips the test when cc or
// libczmq is missing.
func buildBeaconPeer(t *testing.T) string {
	t.Helper()
	return buildCZMQProgram(t, filepath.Join("testdata", "beacon", "beacon_peer.c"))
}

// enterBeaconNamespace moves the calling goroutine, for good, onto an OS
// thread in a new network namespace with lo up and a veth pair whose bz0
// end has 10.203.0.1/24 and the default route. It skips the test when the
// namespace or the veth pair cannot be made (no root, no CAP_SYS_ADMIN, no
// ip command).
func enterBeaconNamespace(t *testing.T) {
	t.Helper()
	netns.Enter(t, [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "bz0", "type", "veth", "peer", "name", "bz1"},
		{"addr", "add", beaconInteropAddress + "/24", "broadcast", "10.203.0.255", "dev", "bz0"},
		{"link", "set", "bz0", "up"},
		{"link", "set", "bz1", "up"},
		{"route", "add", "default", "dev", "bz0"},
	})
}

// beaconPeer is a running beacon_peer and the lines it printed.
type beaconPeer struct {
	lines chan string
}

// startBeaconPeer starts beacon_peer publishing payload every 100 ms with
// prefix as its subscription. It stops when the test ends.
func startBeaconPeer(t *testing.T, path, iface string, payload, prefix []byte) *beaconPeer {
	t.Helper()
	cmd := exec.Command(path, fmt.Sprint(beaconInteropPort), iface, hex.EncodeToString(payload), hex.EncodeToString(prefix))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &beaconPeer{lines: make(chan string, 1000)}
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			select {
			case p.lines <- scanner.Text():
			default: // the test stopped reading; keep draining the pipe
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	t.Cleanup(func() {
		stdin.Close() // beacon_peer exits at end of input
		exited := make(chan error, 1)
		go func() { <-scanned; exited <- cmd.Wait() }()
		select {
		case <-exited:
		case <-time.After(beaconInteropTimeout):
			cmd.Process.Kill()
			<-exited
			t.Error("beacon_peer did not exit when its input closed")
		}
	})
	return p
}

// expect returns the rest of the next line that starts with prefix,
// failing if the peer says nothing of the kind in time.
func (p *beaconPeer) expect(t *testing.T, prefix string) string {
	t.Helper()
	deadline := time.After(beaconInteropTimeout)
	for {
		select {
		case line := <-p.lines:
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				return rest
			}
		case <-deadline:
			t.Fatalf("beacon_peer printed no %q line in time", prefix)
		}
	}
}
