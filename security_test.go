package zmq4_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
	"github.com/purezmq/zmq4/internal/pyzmq"
)

// secTimeout guards every blocking call in the security tests.
const secTimeout = 10 * time.Second

// secSocket makes a socket in the default context (the one the
// authenticator serves) with hang guards, closed when the test ends.
func secSocket(t *testing.T, typ zmq.Type) *zmq.Socket {
	t.Helper()
	s, err := zmq.NewSocket(typ)
	if err != nil {
		t.Fatal(err)
	}
	s.SetLinger(0)
	s.SetRcvtimeo(secTimeout)
	s.SetSndtimeo(secTimeout)
	t.Cleanup(func() { s.Close() })
	return s
}

// secMust fails the test on an error.
func secMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// secBind binds s to a fresh loopback port and returns the endpoint.
func secBind(t *testing.T, s *zmq.Socket) string {
	t.Helper()
	secMust(t, s.Bind("tcp://127.0.0.1:*"))
	ep, err := s.GetLastEndpoint()
	secMust(t, err)
	return ep
}

// secStartAuth starts the authenticator and stops it when the test ends
// (after the test's sockets are closed, since cleanups run last-in first-out).
func secStartAuth(t *testing.T) {
	t.Helper()
	secMust(t, zmq.AuthStart())
	t.Cleanup(zmq.AuthStop)
}

var secMonitorSeq atomic.Int64

// secOutcome is the first handshake event a monitored socket reported.
type secOutcome struct {
	event zmq.Event
	value int
}

// secWatch monitors s for handshake results and returns a function that
// waits for the next one.
func secWatch(t *testing.T, s *zmq.Socket) func() secOutcome {
	t.Helper()
	addr := fmt.Sprintf("inproc://sec-monitor-%d", secMonitorSeq.Add(1))
	events := zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH |
		zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
	secMust(t, s.Monitor(addr, events))
	m := secSocket(t, zmq.PAIR)
	secMust(t, m.Connect(addr))
	return func() secOutcome {
		t.Helper()
		ev, _, value, err := m.RecvEvent(0)
		if err != nil {
			t.Fatalf("no handshake event: %v", err)
		}
		return secOutcome{ev, value}
	}
}

// secExpectRefused checks that the next handshake on the watched server
// fails authentication with status 400.
func secExpectRefused(t *testing.T, wait func() secOutcome) {
	t.Helper()
	got := wait()
	if got.event != zmq.EVENT_HANDSHAKE_FAILED_AUTH || got.value != 400 {
		t.Fatalf("handshake: got %v value %d, want EVENT_HANDSHAKE_FAILED_AUTH 400", got.event, got.value)
	}
}

// secExpectAccepted checks that the next handshake on the watched server
// succeeds.
func secExpectAccepted(t *testing.T, wait func() secOutcome) {
	t.Helper()
	if got := wait(); got.event != zmq.EVENT_HANDSHAKE_SUCCEEDED {
		t.Fatalf("handshake: got %v value %d, want EVENT_HANDSHAKE_SUCCEEDED", got.event, got.value)
	}
}

// secRoundTrip sends a request from the REQ client to the REP server and
// back, and returns the server-side User-Id and Peer-Address properties.
func secRoundTrip(t *testing.T, server, client *zmq.Socket) (userID, peerAddress string) {
	t.Helper()
	if _, err := client.Send("hello", 0); err != nil {
		t.Fatal(err)
	}
	msg, props, err := server.RecvMessageWithMetadata(0, "User-Id", "Peer-Address")
	if err != nil {
		t.Fatalf("server recv: %v", err)
	}
	if len(msg) != 1 || msg[0] != "hello" {
		t.Fatalf("server got %q", msg)
	}
	if _, err := server.Send("world", 0); err != nil {
		t.Fatal(err)
	}
	if reply, err := client.Recv(0); err != nil || reply != "world" {
		t.Fatalf("client got %q, %v", reply, err)
	}
	return props["User-Id"], props["Peer-Address"]
}

// secNothingArrives checks that no message is waiting on s.
func secNothingArrives(t *testing.T, s *zmq.Socket) {
	t.Helper()
	if msg, err := s.RecvMessage(zmq.DONTWAIT); err == nil {
		t.Fatalf("a refused client's message arrived: %q", msg)
	}
}

// secKeypair returns a fresh CURVE key pair in Z85.
func secKeypair(t *testing.T) (public, secret string) {
	t.Helper()
	public, secret, err := zmq.NewCurveKeypair()
	secMust(t, err)
	return public, secret
}

func TestZ85HelloWorld(t *testing.T) {
	raw := "\x86\x4F\xD2\x6F\xB5\x59\xF7\x5B"
	if got := zmq.Z85encode(raw); got != "HelloWorld" {
		t.Fatalf("Z85encode = %q", got)
	}
	if got := zmq.Z85decode("HelloWorld"); got != raw {
		t.Fatalf("Z85decode = %x", got)
	}
	text, err := zmq.Z85Encode([]byte(raw))
	if err != nil || text != "HelloWorld" {
		t.Fatalf("Z85Encode = %q, %v", text, err)
	}
	back, err := zmq.Z85Decode("HelloWorld")
	if err != nil || string(back) != raw {
		t.Fatalf("Z85Decode = %x, %v", back, err)
	}
}

func TestZ85BadInput(t *testing.T) {
	for _, s := range []string{"", "Hell", "HelloWorl", "Hello Wor", "%%%%%", "\"\"\"\"\""} {
		if got := zmq.Z85decode(s); got != "" {
			t.Errorf("Z85decode(%q) = %x, want \"\"", s, got)
		}
		if _, err := zmq.Z85Decode(s); err == nil {
			t.Errorf("Z85Decode(%q) accepted", s)
		}
	}
	if got := zmq.Z85encode("abc"); got != "" {
		t.Errorf("Z85encode of 3 bytes = %q", got)
	}
	if _, err := zmq.Z85Encode([]byte("abcde")); err == nil {
		t.Error("Z85Encode of 5 bytes accepted")
	}
}

func TestNewCurveKeypair(t *testing.T) {
	pub1, sec1 := secKeypair(t)
	pub2, sec2 := secKeypair(t)
	for _, k := range []string{pub1, sec1, pub2, sec2} {
		if len(k) != 40 || len(zmq.Z85decode(k)) != 32 {
			t.Fatalf("key %q is not 40 characters of Z85", k)
		}
	}
	if pub1 == pub2 || sec1 == sec2 {
		t.Fatal("two key pairs are equal")
	}
	for _, pair := range [][2]string{{pub1, sec1}, {pub2, sec2}} {
		got, err := zmq.AuthCurvePublic(pair[1])
		if err != nil || got != pair[0] {
			t.Fatalf("AuthCurvePublic = %q, %v; want %q", got, err, pair[0])
		}
	}
	for _, bad := range []string{"", "HelloWorld", strings.Repeat("\"", 40), pub1[:39]} {
		if _, err := zmq.AuthCurvePublic(bad); err == nil {
			t.Errorf("AuthCurvePublic(%q) accepted", bad)
		}
	}
}

func TestSocketAuthHelpers(t *testing.T) {
	serverPub, serverSec := secKeypair(t)
	clientPub, clientSec := secKeypair(t)

	s := secSocket(t, zmq.REP)
	secMust(t, s.ServerAuthCurve("dom", serverSec))
	if m, _ := s.GetMechanism(); m != zmq.CURVE {
		t.Errorf("ServerAuthCurve: mechanism %v", m)
	}
	if d, _ := s.GetZapDomain(); d != "dom" {
		t.Errorf("ServerAuthCurve: domain %q", d)
	}
	if k, _ := s.GetCurveSecretkeyZ85(); k != serverSec {
		t.Errorf("ServerAuthCurve: secret key %q", k)
	}
	if err := s.ServerAuthCurve("dom", "short"); err == nil {
		t.Error("ServerAuthCurve accepted a bad key")
	}
	secMust(t, s.ServerAuthPlain("plaindom"))
	if m, _ := s.GetMechanism(); m != zmq.PLAIN {
		t.Errorf("ServerAuthPlain: mechanism %v", m)
	}
	if on, _ := s.GetPlainServer(); on != 1 {
		t.Error("ServerAuthPlain: not a PLAIN server")
	}
	secMust(t, s.ServerAuthNull("nulldom"))
	if m, _ := s.GetMechanism(); m != zmq.NULL {
		t.Errorf("ServerAuthNull: mechanism %v", m)
	}
	if d, _ := s.GetZapDomain(); d != "nulldom" {
		t.Errorf("ServerAuthNull: domain %q", d)
	}

	c := secSocket(t, zmq.REQ)
	secMust(t, c.ClientAuthPlain("user", "pass"))
	if u, _ := c.GetPlainUsername(); u != "user" {
		t.Errorf("ClientAuthPlain: username %q", u)
	}
	if p, _ := c.GetPlainPassword(); p != "pass" {
		t.Errorf("ClientAuthPlain: password %q", p)
	}
	secMust(t, c.ClientAuthCurve(serverPub, clientPub, clientSec))
	if m, _ := c.GetMechanism(); m != zmq.CURVE {
		t.Errorf("ClientAuthCurve: mechanism %v", m)
	}
	got := [3]string{}
	got[0], _ = c.GetCurveServerkeyZ85()
	got[1], _ = c.GetCurvePublickeykeyZ85()
	got[2], _ = c.GetCurveSecretkeyZ85()
	if got != [3]string{serverPub, clientPub, clientSec} {
		t.Errorf("ClientAuthCurve: keys %q", got)
	}
	if err := c.ClientAuthCurve(serverPub, clientPub, "bad"); err == nil {
		t.Error("ClientAuthCurve accepted a bad secret key")
	}
}

// Grasslands: NULL security, no authenticator at all.
func TestSecurityGrasslands(t *testing.T) {
	server := secSocket(t, zmq.REP)
	client := secSocket(t, zmq.REQ)
	wait := secWatch(t, server)
	secMust(t, client.Connect(secBind(t, server)))
	secExpectAccepted(t, wait)
	userID, peer := secRoundTrip(t, server, client)
	if userID != "" || peer != "127.0.0.1" {
		t.Fatalf("User-Id %q Peer-Address %q", userID, peer)
	}
}

// Strawhouse: NULL security with the client's address checked by ZAP.
func TestSecurityStrawhouse(t *testing.T) {
	secStartAuth(t)
	zmq.AuthAllow("strawhouse-allow", "127.0.0.1")
	zmq.AuthDeny("strawhouse-deny", "127.0.0.1")
	zmq.AuthAllow("strawhouse-cidr", "127.0.0.0/8")
	zmq.AuthAllow("strawhouse-other-net", "10.0.0.0/8")
	zmq.AuthDeny("strawhouse-deny-other", "192.0.2.1")

	for _, tc := range []struct {
		domain string
		ok     bool
	}{
		{"strawhouse-allow", true},
		{"strawhouse-deny", false},
		{"strawhouse-cidr", true},
		{"strawhouse-other-net", false},
		{"strawhouse-deny-other", true},
		{"strawhouse-no-policy", true},
	} {
		t.Run(tc.domain, func(t *testing.T) {
			server := secSocket(t, zmq.REP)
			secMust(t, server.ServerAuthNull(tc.domain))
			client := secSocket(t, zmq.REQ)
			wait := secWatch(t, server)
			secMust(t, client.Connect(secBind(t, server)))
			if !tc.ok {
				secExpectRefused(t, wait)
				secNothingArrives(t, server)
				return
			}
			secExpectAccepted(t, wait)
			if userID, peer := secRoundTrip(t, server, client); userID != "" || peer != "127.0.0.1" {
				t.Fatalf("User-Id %q Peer-Address %q", userID, peer)
			}
		})
	}
}

// Woodhouse: PLAIN user name and password checked by ZAP.
func TestSecurityWoodhouse(t *testing.T) {
	secStartAuth(t)
	zmq.AuthAllow("woodhouse", "127.0.0.1")
	zmq.AuthPlainAdd("woodhouse", "admin", "secret")
	zmq.AuthPlainAdd("woodhouse", "gone", "secret")
	zmq.AuthPlainRemove("woodhouse", "gone")

	for _, tc := range []struct {
		name, user, pass string
		ok               bool
	}{
		{"right", "admin", "secret", true},
		{"wrong password", "admin", "Secret", false},
		{"unknown user", "nobody", "secret", false},
		{"removed user", "gone", "secret", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			server := secSocket(t, zmq.REP)
			secMust(t, server.ServerAuthPlain("woodhouse"))
			client := secSocket(t, zmq.REQ)
			secMust(t, client.ClientAuthPlain(tc.user, tc.pass))
			wait := secWatch(t, server)
			clientWait := secWatch(t, client)
			secMust(t, client.Connect(secBind(t, server)))
			if !tc.ok {
				secExpectRefused(t, wait)
				secExpectRefused(t, clientWait)
				secNothingArrives(t, server)
				return
			}
			secExpectAccepted(t, wait)
			if userID, _ := secRoundTrip(t, server, client); userID != "admin" {
				t.Fatalf("User-Id %q, want admin", userID)
			}
		})
	}
}

// Stonehouse: CURVE encryption, any client key accepted.
func TestSecurityStonehouse(t *testing.T) {
	secStartAuth(t)
	zmq.AuthAllow("stonehouse", "127.0.0.1")
	zmq.AuthCurveAdd("stonehouse", zmq.CURVE_ALLOW_ANY)
	serverPub, serverSec := secKeypair(t)

	for i := 0; i < 2; i++ {
		server := secSocket(t, zmq.REP)
		secMust(t, server.ServerAuthCurve("stonehouse", serverSec))
		clientPub, clientSec := secKeypair(t)
		client := secSocket(t, zmq.REQ)
		secMust(t, client.ClientAuthCurve(serverPub, clientPub, clientSec))
		wait := secWatch(t, server)
		secMust(t, client.Connect(secBind(t, server)))
		secExpectAccepted(t, wait)
		if userID, _ := secRoundTrip(t, server, client); userID != clientPub {
			t.Fatalf("User-Id %q, want the client key %q", userID, clientPub)
		}
	}
}

// Ironhouse: CURVE with each client key checked by ZAP.
func TestSecurityIronhouse(t *testing.T) {
	secStartAuth(t)
	zmq.AuthAllow("ironhouse", "127.0.0.1")
	serverPub, serverSec := secKeypair(t)
	goodPub, goodSec := secKeypair(t)
	removedPub, removedSec := secKeypair(t)
	otherPub, otherSec := secKeypair(t)
	zmq.AuthCurveAdd("ironhouse", goodPub, removedPub)
	zmq.AuthCurveRemove("ironhouse", removedPub)

	for _, tc := range []struct {
		name     string
		pub, sec string
		ok       bool
	}{
		{"allowed", goodPub, goodSec, true},
		{"not allowed", otherPub, otherSec, false},
		{"removed", removedPub, removedSec, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			server := secSocket(t, zmq.REP)
			secMust(t, server.ServerAuthCurve("ironhouse", serverSec))
			client := secSocket(t, zmq.REQ)
			secMust(t, client.ClientAuthCurve(serverPub, tc.pub, tc.sec))
			wait := secWatch(t, server)
			clientWait := secWatch(t, client)
			secMust(t, client.Connect(secBind(t, server)))
			if !tc.ok {
				secExpectRefused(t, wait)
				secExpectRefused(t, clientWait)
				secNothingArrives(t, server)
				return
			}
			secExpectAccepted(t, wait)
			if userID, _ := secRoundTrip(t, server, client); userID != tc.pub {
				t.Fatalf("User-Id %q, want %q", userID, tc.pub)
			}
		})
	}
}

// Ironhouse with a client that has the wrong server key: the handshake
// cannot complete, so nothing arrives.
func TestSecurityIronhouseWrongServerKey(t *testing.T) {
	secStartAuth(t)
	_, serverSec := secKeypair(t)
	wrongPub, _ := secKeypair(t)
	clientPub, clientSec := secKeypair(t)
	zmq.AuthCurveAdd("ironhouse-wrong-server", clientPub)
	server := secSocket(t, zmq.REP)
	secMust(t, server.ServerAuthCurve("ironhouse-wrong-server", serverSec))
	client := secSocket(t, zmq.REQ)
	secMust(t, client.ClientAuthCurve(wrongPub, clientPub, clientSec))
	wait := secWatch(t, server)
	secMust(t, client.Connect(secBind(t, server)))
	if got := wait(); got.event == zmq.EVENT_HANDSHAKE_SUCCEEDED {
		t.Fatal("handshake with the wrong server key succeeded")
	}
	secNothingArrives(t, server)
}

// The python side of the libzmq interop tests.

// secNeedPyzmq skips the test when pyzmq is missing.
func secNeedPyzmq(t *testing.T) {
	t.Helper()
	pyzmq.Require(t, "zmq", "zmq.auth.thread")
}

// secPyzmqScript is a small libzmq peer driven by its arguments. Servers
// print "READY <endpoint>", echo every message back until stdin closes and
// then print "DONE". Clients print "REPLY <text>" or "TIMEOUT".
const secPyzmqScript = `
import sys, threading, zmq, zmq.auth
from zmq.auth.thread import ThreadAuthenticator

mode = sys.argv[1]
args = sys.argv[2:]
ctx = zmq.Context.instance()

def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()

if mode == "curve-public":
    out(zmq.curve_public(args[0].encode()).decode())
elif mode == "keypair":
    pub, sec = zmq.curve_keypair()
    out(pub.decode() + " " + sec.decode())
elif mode in ("curve-client", "plain-client"):
    s = ctx.socket(zmq.REQ)
    s.linger = 0
    if mode == "curve-client":
        s.curve_serverkey = args[1].encode()
        s.curve_publickey = args[2].encode()
        s.curve_secretkey = args[3].encode()
    else:
        s.plain_username = args[1].encode()
        s.plain_password = args[2].encode()
    s.connect(args[0])
    s.send(b"hello")
    if s.poll(int(args[-1])):
        out("REPLY " + s.recv().decode())
    else:
        out("TIMEOUT")
    s.close()
elif mode in ("curve-server", "plain-server"):
    auth = ThreadAuthenticator(ctx)
    auth.start()
    auth.allow("127.0.0.1")
    s = ctx.socket(zmq.ROUTER)
    s.linger = 0
    if mode == "curve-server":
        s.curve_secretkey = args[0].encode()
        s.curve_server = True
        location = args[1]
        auth.configure_curve(domain="*", location=location if location != "*" else zmq.auth.CURVE_ALLOW_ANY)
    else:
        s.plain_server = True
        auth.configure_plain(domain="*", passwords={args[0]: args[1]})
    s.bind("tcp://127.0.0.1:0")
    out("READY " + s.getsockopt_string(zmq.LAST_ENDPOINT))
    stop = threading.Event()
    def echo():
        while not stop.is_set():
            if s.poll(50):
                s.send_multipart(s.recv_multipart())
    worker = threading.Thread(target=echo)
    worker.start()
    sys.stdin.read()
    stop.set()
    worker.join()
    s.close()
    auth.stop()
    out("DONE")
ctx.term()
`

// secPyzmq runs the script with args and returns its whole output.
func secPyzmq(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, pyzmq.Python(), append([]string{"-c", secPyzmqScript}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pyzmq %v: %v\n%s", args, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// secPyzmqServer starts a libzmq echo server with a ThreadAuthenticator and
// returns its endpoint; it stops when the test ends.
func secPyzmqServer(t *testing.T, args ...string) string {
	t.Helper()
	cmd := pyzmq.Command(append([]string{"-c", secPyzmqScript}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	secMust(t, err)
	stdout, err := cmd.StdoutPipe()
	secMust(t, err)
	secMust(t, cmd.Start())
	exited := make(chan error, 1)
	lines := bufio.NewScanner(stdout)
	ready := make(chan string, 1)
	go func() {
		if lines.Scan() {
			ready <- lines.Text()
		}
		close(ready)
		io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("pyzmq server: %v\n%s", err, stderr.String())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("pyzmq server did not stop\n%s", stderr.String())
		}
	})
	select {
	case line, ok := <-ready:
		if !ok || !strings.HasPrefix(line, "READY ") {
			t.Fatalf("pyzmq server: %q\n%s", line, stderr.String())
		}
		return strings.TrimPrefix(line, "READY ")
	case <-time.After(30 * time.Second):
		t.Fatalf("pyzmq server did not start\n%s", stderr.String())
	}
	return ""
}

func TestAuthCurvePublicMatchesLibzmq(t *testing.T) {
	secNeedPyzmq(t)
	_, sec := secKeypair(t)
	want := secPyzmq(t, "curve-public", sec)
	got, err := zmq.AuthCurvePublic(sec)
	if err != nil || got != want {
		t.Fatalf("AuthCurvePublic = %q, %v; libzmq says %q", got, err, want)
	}
	pair := strings.Fields(secPyzmq(t, "keypair"))
	if len(pair) != 2 {
		t.Fatalf("keypair output %q", pair)
	}
	if got, err := zmq.AuthCurvePublic(pair[1]); err != nil || got != pair[0] {
		t.Fatalf("AuthCurvePublic of a libzmq key = %q, %v; want %q", got, err, pair[0])
	}
}

// Our CURVE server with the authenticator, libzmq clients.
func TestInteropCurveServerLibzmqClient(t *testing.T) {
	secNeedPyzmq(t)
	secStartAuth(t)
	zmq.AuthAllow("interop-curve", "127.0.0.1")
	serverPub, serverSec := secKeypair(t)
	goodPub, goodSec := secKeypair(t)
	otherPub, otherSec := secKeypair(t)
	zmq.AuthCurveAdd("interop-curve", goodPub)

	server := secSocket(t, zmq.REP)
	secMust(t, server.ServerAuthCurve("interop-curve", serverSec))
	wait := secWatch(t, server)
	ep := secBind(t, server)

	served := make(chan string, 1)
	go func() {
		msg, props, err := server.RecvMessageWithMetadata(0, "User-Id")
		if err != nil {
			served <- "recv: " + err.Error()
			return
		}
		server.Send("world", 0)
		served <- strings.Join(msg, "|") + " " + props["User-Id"]
	}()
	if out := secPyzmq(t, "curve-client", ep, serverPub, goodPub, goodSec, "5000"); out != "REPLY world" {
		t.Fatalf("allowed libzmq client: %q", out)
	}
	secExpectAccepted(t, wait)
	if got := <-served; got != "hello "+goodPub {
		t.Fatalf("server saw %q", got)
	}

	if out := secPyzmq(t, "curve-client", ep, serverPub, otherPub, otherSec, "500"); out != "TIMEOUT" {
		t.Fatalf("refused libzmq client: %q", out)
	}
	secExpectRefused(t, wait)
	secNothingArrives(t, server)
}

// Our PLAIN server with the authenticator, libzmq clients.
func TestInteropPlainServerLibzmqClient(t *testing.T) {
	secNeedPyzmq(t)
	secStartAuth(t)
	zmq.AuthPlainAdd("interop-plain", "admin", "secret")

	server := secSocket(t, zmq.REP)
	secMust(t, server.ServerAuthPlain("interop-plain"))
	wait := secWatch(t, server)
	ep := secBind(t, server)

	served := make(chan string, 1)
	go func() {
		msg, props, err := server.RecvMessageWithMetadata(0, "User-Id")
		if err != nil {
			served <- "recv: " + err.Error()
			return
		}
		server.Send("world", 0)
		served <- strings.Join(msg, "|") + " " + props["User-Id"]
	}()
	if out := secPyzmq(t, "plain-client", ep, "admin", "secret", "5000"); out != "REPLY world" {
		t.Fatalf("libzmq client with the right password: %q", out)
	}
	secExpectAccepted(t, wait)
	if got := <-served; got != "hello admin" {
		t.Fatalf("server saw %q", got)
	}

	if out := secPyzmq(t, "plain-client", ep, "admin", "wrong", "500"); out != "TIMEOUT" {
		t.Fatalf("libzmq client with a wrong password: %q", out)
	}
	secExpectRefused(t, wait)
	secNothingArrives(t, server)
}

// secEcho sends one multipart message through the echo server and checks
// it comes back whole.
func secEcho(t *testing.T, client *zmq.Socket, parts ...[]byte) {
	t.Helper()
	if _, err := client.SendMessage(parts); err != nil {
		t.Fatal(err)
	}
	back, err := client.RecvMessageBytes(0)
	if err != nil {
		t.Fatalf("echo: %v", err)
	}
	if len(back) != len(parts) {
		t.Fatalf("echo: %d parts, want %d", len(back), len(parts))
	}
	for i := range parts {
		if !bytes.Equal(back[i], parts[i]) {
			t.Fatalf("echo: part %d differs (%d bytes, want %d)", i, len(back[i]), len(parts[i]))
		}
	}
}

// A libzmq CURVE server (ThreadAuthenticator reading our certificate
// files) with our clients, including 300 KiB multipart messages.
func TestInteropLibzmqCurveServer(t *testing.T) {
	secNeedPyzmq(t)
	serverPub, serverSec := secKeypair(t)
	dir := t.TempDir()
	good, err := zmq.NewCert()
	secMust(t, err)
	// pyzmq's load_certificates reads the *.key files of the directory.
	secMust(t, good.Save(filepath.Join(dir, "client.key")))
	ep := secPyzmqServer(t, "curve-server", serverSec, dir)

	t.Run("allowed", func(t *testing.T) {
		client := secSocket(t, zmq.DEALER)
		secMust(t, client.ClientAuthCurve(serverPub, good.PublicTxt(), good.SecretTxt()))
		wait := secWatch(t, client)
		secMust(t, client.Connect(ep))
		secExpectAccepted(t, wait)
		secEcho(t, client, []byte("hello"))
		for i := 0; i < 8; i++ {
			parts := [][]byte{make([]byte, 100<<10), make([]byte, 150<<10), make([]byte, 50<<10), {}}
			for _, p := range parts {
				rand.Read(p)
			}
			secEcho(t, client, parts...)
		}
	})
	t.Run("not allowed", func(t *testing.T) {
		otherPub, otherSec := secKeypair(t)
		client := secSocket(t, zmq.DEALER)
		secMust(t, client.ClientAuthCurve(serverPub, otherPub, otherSec))
		wait := secWatch(t, client)
		secMust(t, client.Connect(ep))
		secExpectRefused(t, wait)
	})
}

// A libzmq PLAIN server with a ThreadAuthenticator, our clients.
func TestInteropLibzmqPlainServer(t *testing.T) {
	secNeedPyzmq(t)
	ep := secPyzmqServer(t, "plain-server", "admin", "secret")
	t.Run("right password", func(t *testing.T) {
		client := secSocket(t, zmq.DEALER)
		secMust(t, client.ClientAuthPlain("admin", "secret"))
		wait := secWatch(t, client)
		secMust(t, client.Connect(ep))
		secExpectAccepted(t, wait)
		secEcho(t, client, []byte("hello"), []byte("world"))
	})
	t.Run("wrong password", func(t *testing.T) {
		client := secSocket(t, zmq.DEALER)
		secMust(t, client.ClientAuthPlain("admin", "guess"))
		wait := secWatch(t, client)
		secMust(t, client.Connect(ep))
		secExpectRefused(t, wait)
	})
}
