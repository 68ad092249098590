package interop

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// JeroMQ is the pure-Java ZeroMQ. Debian's libjeromq-java (installed by
// jeromq/setup.sh) ships version 0.3.6, a port of libzmq 3.2: it speaks
// ZMTP 2.0 (RFC 15) and has no security mechanisms. The peer is
// jeromq/Peer.java, compiled once per run and speaking peer.py's protocol.
const (
	// jeromqJar is where libjeromq-java installs the JeroMQ jar.
	jeromqJar = "/usr/share/java/jeromq.jar"
	// jeromqSource is the peer's source, relative to this package's directory.
	jeromqSource = "jeromq/Peer.java"
	// jeromqStream is the length of the numbered streams to and from JeroMQ.
	jeromqStream = 5000
	// jeromqRoundTrips is how many lockstep round trips the REQ/REP tests make.
	jeromqRoundTrips = 1000
)

var (
	jeromqOnce    sync.Once
	jeromqMissing string
	jeromqClasses string // directory holding the compiled Peer.class
)

// requireJeromq skips the test unless java, javac and the JeroMQ jar are
// here, and compiles the peer the first time.
func requireJeromq(t testing.TB) {
	t.Helper()
	jeromqOnce.Do(func() {
		for _, tool := range []string{"java", "javac"} {
			if _, err := exec.LookPath(tool); err != nil {
				jeromqMissing = fmt.Sprintf("JeroMQ peer unavailable: no %s in PATH; "+
					"run interop/jeromq/setup.sh (installs a JDK and libjeromq-java)", tool)
				return
			}
		}
		if _, err := os.Stat(jeromqJar); err != nil {
			jeromqMissing = fmt.Sprintf("JeroMQ peer unavailable: %v; "+
				"run interop/jeromq/setup.sh (installs libjeromq-java)", err)
			return
		}
		dir, err := compileJeromqPeer()
		if err != nil {
			jeromqMissing = "JeroMQ peer unavailable: " + err.Error()
			return
		}
		jeromqClasses = dir
	})
	if jeromqMissing != "" {
		t.Skip(jeromqMissing)
	}
}

// compileJeromqPeer compiles Peer.java against the jar into a directory
// named after a hash of both, in the system's temporary directory, and
// reuses that directory when an earlier run already made it. Each
// compilation writes a private directory first and renames it into place,
// so concurrent test processes never see half-written classes.
func compileJeromqPeer() (string, error) {
	source, err := os.ReadFile(jeromqSource)
	if err != nil {
		return "", err
	}
	sum := sha256.New()
	sum.Write(source)
	jar, err := os.Open(jeromqJar)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(sum, jar)
	jar.Close()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), "purezmq-jeromq-peer-"+hex.EncodeToString(sum.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(dir, "Peer.class")); err == nil {
		return dir, nil
	}
	tmp, err := os.MkdirTemp(os.TempDir(), "purezmq-jeromq-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	out, err := exec.Command("javac", "-nowarn", "-d", tmp, "-cp", jeromqJar, jeromqSource).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("javac %s: %v: %s", jeromqSource, err, strings.TrimSpace(string(out)))
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another test process may have put its copy there first.
		if _, statErr := os.Stat(filepath.Join(dir, "Peer.class")); statErr == nil {
			return dir, nil
		}
		return "", err
	}
	return dir, nil
}

// startJeromqPeer runs the JeroMQ peer with args and waits for READY.
func startJeromqPeer(t testing.TB, args ...string) *peer {
	t.Helper()
	requireJeromq(t)
	classpath := jeromqJar + string(os.PathListSeparator) + jeromqClasses
	cmd := exec.Command("java", append([]string{"-cp", classpath, "Peer"}, args...)...)
	return launchPeer(t, "JeroMQ "+strings.Join(args, " "), cmd)
}

// forEachJeromqDirection runs fn as a subtest with our socket binding and
// with JeroMQ binding, over tcp (JeroMQ's ipc is tcp in disguise).
func forEachJeromqDirection(t *testing.T, fn func(t *testing.T, goBinds bool)) {
	t.Run("go-binds", func(t *testing.T) { fn(t, true) })
	t.Run("jeromq-binds", func(t *testing.T) { fn(t, false) })
}

// jeromqPair joins our socket of type ours (set up by setup, if not nil)
// and a JeroMQ peer of type theirs started with peerArgs.
func jeromqPair(t *testing.T, goBinds bool, ours zmq.Type, setup func(*zmq.Socket), theirs string, peerArgs ...string) (*zmq.Socket, *peer) {
	t.Helper()
	return pairUpWith(t, startJeromqPeer, "tcp://127.0.0.1:*", goBinds, ours, setup, theirs, peerArgs...)
}

// forEachJeromqRole runs fn for each role of a pattern and both directions.
func forEachJeromqRole(t *testing.T, roles []role, fn func(t *testing.T, goBinds bool, r role)) {
	for _, r := range roles {
		t.Run("go"+r.ours.String()+"-jeromq"+r.theirs, func(t *testing.T) {
			forEachJeromqDirection(t, func(t *testing.T, goBinds bool) { fn(t, goBinds, r) })
		})
	}
}

// TestInteropJeromqPeerWithLibzmq checks the harness rather than purezmq:
// the JeroMQ peer and the libzmq 4.3 peer (which accepts ZMTP 2.0) carry a
// numbered stream, routed messages with identities and filtered
// publications, so the JeroMQ tests exercise a working peer.
func TestInteropJeromqPeerWithLibzmq(t *testing.T) {
	requireJeromq(t)
	requirePyzmq(t)
	t.Run("PUSH-PULL", func(t *testing.T) {
		j := startJeromqPeer(t, "--type", "PULL", "--bind", "tcp://127.0.0.1:*")
		l := startPeer(t, "--type", "PUSH", "--connect", j.endpoint)
		multipart := frames("a", "", bigPayload(4))
		l.send(multipart...)
		checkFrames(t, "multipart at JeroMQ", j.recv(), multipart)
		j.write(streamCommand("recvn", jeromqStream, false))
		l.expect(streamCommand("sendn", jeromqStream, true), fmt.Sprintf("SENT %d", jeromqStream))
		j.expectReply(fmt.Sprintf("OK %d", jeromqStream))
	})
	t.Run("DEALER-ROUTER", func(t *testing.T) {
		l := startPeer(t, "--type", "ROUTER", "--bind", "tcp://127.0.0.1:*")
		j := startJeromqPeer(t, "--type", "DEALER", "--identity", "alice", "--connect", l.endpoint)
		j.send(frames("hi")...)
		checkFrames(t, "at libzmq ROUTER", l.recv(), frames("alice", "hi"))
		l.send(frames("alice", "", "back")...)
		checkFrames(t, "at JeroMQ DEALER", j.recv(), frames("", "back"))
	})
	t.Run("PUB-SUB", func(t *testing.T) {
		j := startJeromqPeer(t, "--type", "PUB", "--bind", "tcp://127.0.0.1:*")
		l := startPeer(t, "--type", "SUB", "--connect", j.endpoint, "--subscribe", "B")
		j.write("sendsync " + hexWords([]byte("B")))
		checkFrames(t, "probe at libzmq", l.recv(), frames("B", syncFrame))
		j.write("stop")
		if got := j.await(); !strings.HasPrefix(got, "SYNCED ") {
			t.Fatalf("sendsync replied %q", got)
		}
		j.send(frames("A", "filtered")...)
		j.send(frames("B", "kept")...)
		checkFrames(t, "publication at libzmq", l.recvData(), frames("B", "kept"))
	})
}

// TestInteropJeromqHandshake: the smallest exchange, one message each way
// between PAIR sockets.
func TestInteropJeromqHandshake(t *testing.T) {
	requireJeromq(t)
	forEachJeromqDirection(t, func(t *testing.T, goBinds bool) {
		s, p := jeromqPair(t, goBinds, zmq.PAIR, nil, "PAIR")
		sendFrames(t, s, []byte("to jeromq"))
		checkFrames(t, "at JeroMQ", p.recv(), frames("to jeromq"))
		p.send([]byte("to purezmq"))
		checkFrames(t, "at purezmq", recvFrames(t, s), frames("to purezmq"))
	})
}

// TestInteropJeromqPushPull: multipart messages with empty and 1 MiB
// frames, then a numbered stream, from PUSH to PULL in both roles.
func TestInteropJeromqPushPull(t *testing.T) {
	requireJeromq(t)
	roles := bothRoles(zmq.PUSH, "PUSH", zmq.PULL, "PULL")
	forEachJeromqRole(t, roles, func(t *testing.T, goBinds bool, r role) {
		s, p := jeromqPair(t, goBinds, r.ours, nil, r.theirs)
		if r.ours == zmq.PUSH {
			goToPeer(t, s, p, jeromqStream, nil, nil)
		} else {
			peerToGo(t, s, p, jeromqStream, nil, nil)
		}
	})
}

// TestInteropJeromqReqRep: REQ and REP in both roles keep the envelope
// away from the application, for every test message, then lockstep round
// trips.
func TestInteropJeromqReqRep(t *testing.T) {
	requireJeromq(t)
	roles := bothRoles(zmq.REQ, "REQ", zmq.REP, "REP")
	forEachJeromqRole(t, roles, func(t *testing.T, goBinds bool, r role) {
		s, p := jeromqPair(t, goBinds, r.ours, nil, r.theirs)
		reqRepExchange(t, r, s, p, "JeroMQ", jeromqRoundTrips)
	})
}

// TestInteropJeromqDealerRouter: a DEALER's identity, which a ZMTP 2.0
// greeting carries in its identity frame, names it at the ROUTER, which
// routes by it, in both roles; then ROUTER to ROUTER by name.
func TestInteropJeromqDealerRouter(t *testing.T) {
	requireJeromq(t)
	alice := []byte("alice")
	roles := bothRoles(zmq.DEALER, "DEALER", zmq.ROUTER, "ROUTER")
	forEachJeromqRole(t, roles, func(t *testing.T, goBinds bool, r role) {
		if r.ours == zmq.DEALER {
			s, p := jeromqPair(t, goBinds, zmq.DEALER, func(s *zmq.Socket) {
				must(t, "SetIdentity", s.SetIdentity("alice"))
			}, "ROUTER", "--sockopt", "ROUTER_MANDATORY=1")
			goToPeer(t, s, p, jeromqStream, nil, [][]byte{alice})
			peerToGo(t, s, p, jeromqStream, [][]byte{alice}, nil)
			return
		}
		s, p := jeromqPair(t, goBinds, zmq.ROUTER, func(s *zmq.Socket) {
			must(t, "SetRouterMandatory", s.SetRouterMandatory(1))
		}, "DEALER", "--identity", "alice")
		peerToGo(t, s, p, jeromqStream, nil, [][]byte{alice})
		goToPeer(t, s, p, jeromqStream, [][]byte{alice}, nil)
	})
	t.Run("goROUTER-jeromqROUTER", func(t *testing.T) {
		goName, jName := []byte("go-router"), []byte("j-router")
		forEachJeromqDirection(t, func(t *testing.T, goBinds bool) {
			s, p := jeromqPair(t, goBinds, zmq.ROUTER, func(s *zmq.Socket) {
				must(t, "SetIdentity", s.SetIdentity(string(goName)))
				must(t, "SetRouterMandatory", s.SetRouterMandatory(1))
			}, "ROUTER", "--identity", string(jName), "--sockopt", "ROUTER_MANDATORY=1")
			// Only the connecting side knows the other's name up front.
			if goBinds {
				p.expect("sendwait "+hexWords(goName, []byte("hello")), "SENT")
				checkFrames(t, "first message at purezmq", recvFrames(t, s), [][]byte{jName, []byte("hello")})
			} else {
				sendRetry(t, s, jName, []byte("hello"))
				checkFrames(t, "first message at JeroMQ", p.recv(), [][]byte{goName, []byte("hello")})
			}
			goToPeer(t, s, p, 0, [][]byte{jName}, [][]byte{goName})
			peerToGo(t, s, p, 0, [][]byte{goName}, [][]byte{jName})
		})
	})
}

// TestInteropJeromqPubSub: subscriptions and unsubscriptions cross in both
// roles, publications are filtered, multipart and 1 MiB messages and a
// numbered stream arrive. With an XPUB on either side the subscriptions
// show on the wire: a ZMTP 2.0 peer sends and takes them as 0x01/0x00 +
// topic messages, never as 3.1 SUBSCRIBE/CANCEL commands.
func TestInteropJeromqPubSub(t *testing.T) {
	requireJeromq(t)
	roles := []role{{zmq.PUB, "SUB"}, {zmq.SUB, "PUB"}, {zmq.XPUB, "SUB"}, {zmq.SUB, "XPUB"}}
	forEachJeromqRole(t, roles, runJeromqPubSub)
}

// runJeromqPubSub is one publisher/subscriber pairing of
// TestInteropJeromqPubSub.
func runJeromqPubSub(t *testing.T, goBinds bool, r role) {
	pair := func(ours zmq.Type, setup func(*zmq.Socket), theirs string, args ...string) (*zmq.Socket, *peer) {
		return jeromqPair(t, goBinds, ours, setup, theirs, args...)
	}
	pubSubExchange(t, r, "JeroMQ", jeromqStream, pair)
}

// jeromqMechanism configures our socket for one side of a security
// mechanism. JeroMQ 0.3.6 has none, so it always talks NULL over ZMTP 2.0.
type jeromqMechanism struct {
	name  string
	setup func(t *testing.T, s *zmq.Socket)
}

// jeromqMechanisms lists PLAIN and CURVE, each as server and as client.
func jeromqMechanisms(t *testing.T) []jeromqMechanism {
	serverPub, serverSec, err := zmq.NewCurveKeypair()
	must(t, "NewCurveKeypair", err)
	clientPub, clientSec, err := zmq.NewCurveKeypair()
	must(t, "NewCurveKeypair", err)
	return []jeromqMechanism{
		{"PLAIN-server", func(t *testing.T, s *zmq.Socket) {
			must(t, "SetPlainServer", s.SetPlainServer(1))
		}},
		{"PLAIN-client", func(t *testing.T, s *zmq.Socket) {
			must(t, "SetPlainUsername", s.SetPlainUsername("admin"))
			must(t, "SetPlainPassword", s.SetPlainPassword("secret"))
		}},
		{"CURVE-server", func(t *testing.T, s *zmq.Socket) {
			must(t, "SetCurveServer", s.SetCurveServer(1))
			must(t, "SetCurveSecretkey", s.SetCurveSecretkey(serverSec))
		}},
		{"CURVE-client", func(t *testing.T, s *zmq.Socket) {
			must(t, "SetCurveServerkey", s.SetCurveServerkey(serverPub))
			must(t, "SetCurvePublickey", s.SetCurvePublickey(clientPub))
			must(t, "SetCurveSecretkey", s.SetCurveSecretkey(clientSec))
		}},
	}
}

// TestInteropJeromqSecurityRefused: a socket with PLAIN or CURVE never
// lets a peer that cannot authenticate through: libzmq 4.3 drops ZMTP
// 1.0/2.0 peers whenever a mechanism is set, and JeroMQ 0.3.6 knows only
// ZMTP 2.0 and NULL. The JeroMQ peer reaches our socket (the monitor sees
// the connection), the handshake never succeeds, and the message JeroMQ
// queued is not delivered. JeroMQ 0.3.6 has no PLAIN, so a wrong password
// cannot be tried against it.
func TestInteropJeromqSecurityRefused(t *testing.T) {
	requireJeromq(t)
	for i, mech := range jeromqMechanisms(t) {
		t.Run(mech.name, func(t *testing.T) {
			forEachJeromqDirection(t, func(t *testing.T, goBinds bool) {
				var events *zmq.Socket
				s, p := jeromqPair(t, goBinds, zmq.PULL, func(s *zmq.Socket) {
					mech.setup(t, s)
					// A peer stuck in the greeting is dropped after this
					// (30 s by default); libzmq drops a 2.0 peer at once.
					must(t, "SetHandshakeIvl", s.SetHandshakeIvl(3*time.Second))
					ctx, err := s.Context()
					must(t, "Context", err)
					mon := fmt.Sprintf("inproc://jeromq-security-%d-%v", i, goBinds)
					must(t, "Monitor", s.Monitor(mon, zmq.EVENT_ALL))
					events = newSocket(t, ctx, zmq.PAIR)
					must(t, "Connect monitor", events.Connect(mon))
				}, "PUSH", "--linger", "0", "--timeout", "2000")
				// JeroMQ's PUSH takes the message once it has a pipe. When
				// it binds, it gets one only if its own 2.0 handshake gets
				// far enough before our socket drops the connection, a race
				// that a loaded machine loses every time for 20 s: so the
				// send may time out. Nothing may arrive either way.
				if got := p.do("send " + encodeFrames([][]byte{[]byte("unauthenticated")})); got != "SENT" && got != "ERR send timed out" {
					t.Fatalf("JeroMQ send replied %q, want SENT or a timeout", got)
				}
				reached := zmq.EVENT_ACCEPTED
				if !goBinds {
					reached = zmq.EVENT_CONNECTED
				}
				// The connection arrives, then ends without a handshake.
				sawConnection := false
				for {
					ev := nextEvent(t, events)
					switch ev {
					case reached:
						sawConnection = true
						continue
					case zmq.EVENT_HANDSHAKE_SUCCEEDED:
						t.Fatalf("handshake with the ZMTP 2.0 NULL peer succeeded under %s", mech.name)
					case zmq.EVENT_DISCONNECTED, zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL,
						zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL, zmq.EVENT_HANDSHAKE_FAILED_AUTH:
						if !sawConnection {
							t.Fatalf("%v before %v", ev, reached)
						}
					default:
						continue
					}
					break
				}
				if msg, err := s.RecvMessageBytes(zmq.DONTWAIT); err == nil {
					t.Fatalf("purezmq PULL under %s received %s from the unauthenticated peer",
						mech.name, encodeFrames(msg))
				}
			})
		})
	}
}
