package interop

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// The ws:// transport (ZMTP over WebSocket, "ZWS 2.0") against libzmq 4.3.5
// as bundled by zeromq.js; node/ws_peer.mjs speaks a subset of peer.py's
// line protocol. Debian's libzmq has no ws transport.

const (
	// wsPeerScript is the zeromq.js peer of these tests, in nodeDir.
	wsPeerScript = "ws_peer.mjs"
	// wsStream is the length of the numbered streams over ws.
	wsStream = 2000
	// wsBindAddress is where either side binds; the path travels in the
	// upgrade request and comes back in the last endpoint.
	wsBindAddress = "ws://127.0.0.1:*/zmq"
)

// wsLinks are the two bind directions.
var wsLinks = []bool{true, false}

// wsLinkName names a bind direction.
func wsLinkName(goBinds bool) string {
	if goBinds {
		return "ws/go-binds"
	}
	return "ws/libzmq-binds"
}

// forEachWSLink runs fn as a subtest for both bind directions.
func forEachWSLink(t *testing.T, fn func(t *testing.T, goBinds bool)) {
	for _, goBinds := range wsLinks {
		t.Run(wsLinkName(goBinds), func(t *testing.T) { fn(t, goBinds) })
	}
}

// wsPairUp creates our socket of type ours (configured by setup before it
// binds or connects) and a zeromq.js peer of type theirs started with the
// extra peerArgs, and joins them over ws.
func wsPairUp(t *testing.T, goBinds bool, ours zmq.Type, setup func(*zmq.Socket), theirs string, peerArgs ...string) (*zmq.Socket, *peer) {
	t.Helper()
	requireNode(t)
	startWS := func(t testing.TB, args ...string) *peer { return startNodePeer(t, wsPeerScript, args...) }
	s, p := pairUpWith(t, startWS, wsBindAddress, goBinds, ours, setup, theirs, peerArgs...)
	if goBinds {
		if ep := lastEndpoint(t, s); !strings.HasPrefix(ep, "ws://127.0.0.1:") || !strings.HasSuffix(ep, "/zmq") {
			t.Fatalf("last endpoint %q, want ws://127.0.0.1:PORT/zmq", ep)
		}
	}
	return s, p
}

// ROUTER and PUB drop what a full pipe cannot take, so the ones that send
// numbered streams get unbounded queues.
var wsNoSendLimit = []string{"--option", "sendHighWaterMark=0"}

// goNoSendLimit returns a setup that unbounds our socket's send queue.
func goNoSendLimit(t *testing.T) func(*zmq.Socket) {
	return func(s *zmq.Socket) { must(t, "SetSndhwm", s.SetSndhwm(0)) }
}

// TestInteropWSPair: multipart, empty and 1 MiB frames and numbered streams
// both ways between PAIR sockets.
func TestInteropWSPair(t *testing.T) {
	forEachWSLink(t, func(t *testing.T, goBinds bool) {
		s, p := wsPairUp(t, goBinds, zmq.PAIR, nil, "PAIR")
		goToPeer(t, s, p, wsStream, nil, nil)
		peerToGo(t, s, p, wsStream, nil, nil)
	})
}

// TestInteropWSPushPull: PUSH to PULL in both roles.
func TestInteropWSPushPull(t *testing.T) {
	for _, goPushes := range []bool{true, false} {
		name := "goPUSH-libzmqPULL"
		if !goPushes {
			name = "goPULL-libzmqPUSH"
		}
		t.Run(name, func(t *testing.T) {
			forEachWSLink(t, func(t *testing.T, goBinds bool) {
				if goPushes {
					s, p := wsPairUp(t, goBinds, zmq.PUSH, nil, "PULL")
					goToPeer(t, s, p, wsStream, nil, nil)
				} else {
					s, p := wsPairUp(t, goBinds, zmq.PULL, nil, "PUSH")
					peerToGo(t, s, p, wsStream, nil, nil)
				}
			})
		})
	}
}

// TestInteropWSReqRep: lockstep requests and replies in both roles.
func TestInteropWSReqRep(t *testing.T) {
	t.Run("goREQ-libzmqREP", func(t *testing.T) {
		forEachWSLink(t, func(t *testing.T, goBinds bool) {
			s, p := wsPairUp(t, goBinds, zmq.REQ, nil, "REP")
			msgs := testMessages()
			p.write(fmt.Sprintf("echo %d", len(msgs)))
			for i, msg := range msgs {
				sendFrames(t, s, msg...)
				checkFrames(t, fmt.Sprintf("reply %d at purezmq", i), recvFrames(t, s), msg)
			}
			p.expectReply(fmt.Sprintf("ECHOED %d", len(msgs)))
		})
	})
	t.Run("goREP-libzmqREQ", func(t *testing.T) {
		forEachWSLink(t, func(t *testing.T, goBinds bool) {
			s, p := wsPairUp(t, goBinds, zmq.REP, nil, "REQ")
			for i, msg := range testMessages() {
				p.send(msg...)
				checkFrames(t, fmt.Sprintf("request %d at purezmq", i), recvFrames(t, s), msg)
				reply := withPrefix(frames("re"), msg)
				sendFrames(t, s, reply...)
				checkFrames(t, fmt.Sprintf("reply %d at libzmq", i), p.recv(), reply)
			}
		})
	})
}

// TestInteropWSDealerRouter: routing ids set on either side reach the
// ROUTER on the other, and replies addressed with them come back.
func TestInteropWSDealerRouter(t *testing.T) {
	t.Run("goDEALER-libzmqROUTER", func(t *testing.T) {
		forEachWSLink(t, func(t *testing.T, goBinds bool) {
			id := []byte("go-dealer")
			s, p := wsPairUp(t, goBinds, zmq.DEALER, func(s *zmq.Socket) {
				must(t, "SetIdentity", s.SetIdentity(string(id)))
			}, "ROUTER", wsNoSendLimit...)
			goToPeer(t, s, p, wsStream, nil, [][]byte{id})
			peerToGo(t, s, p, wsStream, [][]byte{id}, nil)
		})
	})
	t.Run("goROUTER-libzmqDEALER", func(t *testing.T) {
		forEachWSLink(t, func(t *testing.T, goBinds bool) {
			id := []byte("node-dealer")
			s, p := wsPairUp(t, goBinds, zmq.ROUTER, goNoSendLimit(t), "DEALER", "--option", "routingId="+string(id))
			peerToGo(t, s, p, wsStream, nil, [][]byte{id})
			goToPeer(t, s, p, wsStream, [][]byte{id}, nil)
		})
	})
}

// TestInteropWSPubSub: subscriptions travel over ws (ZWS 2.0 carries them
// as 0x01/0x00 messages) and filter what the publisher sends, in both
// roles, with XPUB seeing the subscription messages themselves.
func TestInteropWSPubSub(t *testing.T) {
	for _, ours := range []zmq.Type{zmq.PUB, zmq.XPUB} {
		t.Run("go"+ours.String()+"-libzmqSUB", func(t *testing.T) {
			forEachWSLink(t, func(t *testing.T, goBinds bool) {
				s, p := wsPairUp(t, goBinds, ours, goNoSendLimit(t), "SUB")
				p.expect("subscribe "+hexWords([]byte("A")), "OK")
				if ours == zmq.XPUB {
					checkFrames(t, "subscription at purezmq XPUB", recvFrames(t, s), [][]byte{subscribeMsg("A")})
				}
				syncFromGo(t, s, p, "A")
				wsPublishFromGo(t, s, p)
				p.expect("unsubscribe "+hexWords([]byte("A")), "OK")
				p.expect("subscribe "+hexWords([]byte("Z")), "OK")
				if ours == zmq.XPUB {
					checkFrames(t, "unsubscription at purezmq XPUB", recvFrames(t, s), [][]byte{unsubscribeMsg("A")})
					checkFrames(t, "second subscription at purezmq XPUB", recvFrames(t, s), [][]byte{subscribeMsg("Z")})
				}
				syncFromGo(t, s, p, "Z")
				sendFrames(t, s, frames("A", "after unsubscribe")...)
				sendFrames(t, s, frames("Z", "kept")...)
				checkFrames(t, "first message after unsubscribe", p.recvData(), frames("Z", "kept"))
			})
		})
	}
	for _, theirs := range []string{"PUB", "XPUB"} {
		t.Run("goSUB-libzmq"+theirs, func(t *testing.T) {
			forEachWSLink(t, func(t *testing.T, goBinds bool) {
				s, p := wsPairUp(t, goBinds, zmq.SUB, nil, theirs, wsNoSendLimit...)
				must(t, "SetSubscribe", s.SetSubscribe("A"))
				if theirs == "XPUB" {
					checkFrames(t, "subscription at libzmq XPUB", p.recvPumping(s), [][]byte{subscribeMsg("A")})
				}
				syncFromPeer(t, s, p, "A")
				p.send(frames("C", "filtered")...)
				for i, msg := range testMessages() {
					p.send(withPrefix(frames("A"), msg)...)
					checkFrames(t, fmt.Sprintf("test message %d at purezmq", i), recvData(t, s), withPrefix(frames("A"), msg))
				}
				must(t, "SetUnsubscribe", s.SetUnsubscribe("A"))
				must(t, "SetSubscribe", s.SetSubscribe("Z"))
				if theirs == "XPUB" {
					checkFrames(t, "unsubscription at libzmq XPUB", p.recvPumping(s), [][]byte{unsubscribeMsg("A")})
					checkFrames(t, "second subscription at libzmq XPUB", p.recvPumping(s), [][]byte{subscribeMsg("Z")})
				}
				syncFromPeer(t, s, p, "Z")
				p.send(frames("A", "after unsubscribe")...)
				p.send(frames("Z", "kept")...)
				checkFrames(t, "first message after unsubscribe", recvData(t, s), frames("Z", "kept"))
				p.write(streamCommand("sendn", wsStream, true, []byte("Z")))
				recvNumbered(t, s, wsStream, []byte("Z"))
				p.expectReply(fmt.Sprintf("SENT %d", wsStream))
			})
		})
	}
}

// wsPublishFromGo publishes a message the subscriber to "A" must not get,
// the test messages under "A", and a numbered stream under "A".
func wsPublishFromGo(t *testing.T, s *zmq.Socket, p *peer) {
	t.Helper()
	sendFrames(t, s, frames("C", "filtered")...)
	for i, msg := range testMessages() {
		sendFrames(t, s, withPrefix(frames("A"), msg)...)
		checkFrames(t, fmt.Sprintf("test message %d at libzmq", i), p.recvData(), withPrefix(frames("A"), msg))
	}
	p.write(streamCommand("recvn", wsStream, false, []byte("A")))
	sendNumbered(t, s, wsStream, []byte("A"))
	p.expectReply(fmt.Sprintf("OK %d", wsStream))
}

// wsSecurity configures both ends of a PLAIN or CURVE link: the binding
// side is the server.
type wsSecurity struct {
	name     string
	goServer func(t *testing.T, s *zmq.Socket)
	goClient func(t *testing.T, s *zmq.Socket)
	jsServer []string
	jsClient []string
}

// wsSecurities returns the PLAIN and CURVE configurations.
func wsSecurities(t *testing.T) []wsSecurity {
	serverPub, serverSec, err := zmq.NewCurveKeypair()
	must(t, "NewCurveKeypair", err)
	clientPub, clientSec, err := zmq.NewCurveKeypair()
	must(t, "NewCurveKeypair", err)
	return []wsSecurity{
		{
			name: "PLAIN",
			goServer: func(t *testing.T, s *zmq.Socket) {
				// libzmq 4.3's PLAIN server needs a ZAP handler.
				ctx, err := s.Context()
				must(t, "Context", err)
				wsStartZAP(t, ctx)
				must(t, "SetPlainServer", s.SetPlainServer(1))
			},
			goClient: func(t *testing.T, s *zmq.Socket) {
				must(t, "SetPlainUsername", s.SetPlainUsername("admin"))
				must(t, "SetPlainPassword", s.SetPlainPassword("secret"))
			},
			jsServer: []string{"--option", "plainServer=true", "--zap", "1"},
			jsClient: []string{"--option", "plainUsername=admin", "--option", "plainPassword=secret"},
		},
		{
			name: "CURVE",
			goServer: func(t *testing.T, s *zmq.Socket) {
				must(t, "SetCurveServer", s.SetCurveServer(1))
				must(t, "SetCurveSecretkey", s.SetCurveSecretkey(serverSec))
			},
			goClient: func(t *testing.T, s *zmq.Socket) {
				must(t, "SetCurveServerkey", s.SetCurveServerkey(serverPub))
				must(t, "SetCurvePublickey", s.SetCurvePublickey(clientPub))
				must(t, "SetCurveSecretkey", s.SetCurveSecretkey(clientSec))
			},
			jsServer: []string{"--option", "curveServer=true", "--option", "curveSecretKey=" + serverSec},
			jsClient: []string{"--option", "curveServerKey=" + serverPub,
				"--option", "curvePublicKey=" + clientPub, "--option", "curveSecretKey=" + clientSec},
		},
	}
}

// wsStartZAP runs, in ctx, a ZAP handler that accepts every peer.
func wsStartZAP(t *testing.T, ctx *zmq.Context) {
	t.Helper()
	zap := newSocket(t, ctx, zmq.REP)
	must(t, "Bind ZAP", zap.Bind("inproc://zeromq.zap.01"))
	must(t, "SetRcvtimeo", zap.SetRcvtimeo(-1))
	go func() {
		for {
			req, err := zap.RecvMessageBytes(0)
			if err != nil || len(req) < 2 {
				return
			}
			if _, err := zap.SendMessage(req[0], req[1], "200", "OK", "user", ""); err != nil {
				return
			}
		}
	}()
}

// wsSecuredPair joins our PAIR and a zeromq.js PAIR under sec, the binding
// side being the server, with extra options for both.
func wsSecuredPair(t *testing.T, goBinds bool, sec wsSecurity, goExtra func(*zmq.Socket), jsExtra ...string) (*zmq.Socket, *peer) {
	t.Helper()
	goSide, jsSide := sec.goClient, sec.jsServer
	if goBinds {
		goSide, jsSide = sec.goServer, sec.jsClient
	}
	return wsPairUp(t, goBinds, zmq.PAIR, func(s *zmq.Socket) {
		goSide(t, s)
		if goExtra != nil {
			goExtra(s)
		}
	}, "PAIR", append(append([]string(nil), jsSide...), jsExtra...)...)
}

// TestInteropWSSecurity: PLAIN and CURVE handshakes run over ws
// ("ZWS2.0/PLAIN", "ZWS2.0/CURVE") with either side as the server, and
// messages of every size flow afterwards (CURVE ones encrypted).
func TestInteropWSSecurity(t *testing.T) {
	requireNode(t)
	for _, sec := range wsSecurities(t) {
		t.Run(sec.name, func(t *testing.T) {
			forEachWSLink(t, func(t *testing.T, goBinds bool) {
				s, p := wsSecuredPair(t, goBinds, sec, nil)
				goToPeer(t, s, p, wsStream, nil, nil)
				peerToGo(t, s, p, wsStream, nil, nil)
			})
		})
	}
}

// TestInteropWSHeartbeats: with heartbeats on both sides, libzmq's
// WebSocket pings get our pongs and ours get libzmq's, under NULL and under
// CURVE (where the pings bypass encryption), so no side drops the link
// while it is idle; once a relay in between goes silent, our HEARTBEAT_TIMEOUT
// drops it, which shows the heartbeats were live.
func TestInteropWSHeartbeats(t *testing.T) {
	requireNode(t)
	const (
		ivl     = 50 * time.Millisecond
		timeout = 400 * time.Millisecond
		idle    = 2 * time.Second
	)
	jsHeartbeat := []string{"--option", fmt.Sprintf("heartbeatInterval=%d", ivl/time.Millisecond),
		"--option", fmt.Sprintf("heartbeatTimeout=%d", timeout/time.Millisecond)}
	goHeartbeat := func(s *zmq.Socket) {
		must(t, "SetHeartbeatIvl", s.SetHeartbeatIvl(ivl))
		must(t, "SetHeartbeatTimeout", s.SetHeartbeatTimeout(timeout))
		must(t, "SetReconnectIvl", s.SetReconnectIvl(-1))
	}
	null := wsSecurity{name: "NULL", goServer: func(*testing.T, *zmq.Socket) {}, goClient: func(*testing.T, *zmq.Socket) {}}
	for _, sec := range append([]wsSecurity{null}, wsSecurities(t)[1]) {
		t.Run(sec.name, func(t *testing.T) {
			// libzmq binds; we connect through a relay we can silence.
			p := startNodePeer(t, wsPeerScript, append(append([]string{"--type", "PAIR", "--bind", wsBindAddress},
				sec.jsServer...), jsHeartbeat...)...)
			relay := startWSRelay(t, strings.TrimPrefix(strings.TrimSuffix(p.endpoint, "/zmq"), "ws://"))
			ctx := newContext(t)
			s := newSocket(t, ctx, zmq.PAIR)
			sec.goClient(t, s)
			goHeartbeat(s)
			mon := fmt.Sprintf("inproc://ws-heartbeat-%s", sec.name)
			must(t, "Monitor", s.Monitor(mon, zmq.EVENT_HANDSHAKE_SUCCEEDED|zmq.EVENT_DISCONNECTED))
			events := newSocket(t, ctx, zmq.PAIR)
			must(t, "Connect monitor", events.Connect(mon))
			must(t, "Connect", s.Connect("ws://"+relay.addr+"/zmq"))

			if ev := nextEvent(t, events); ev != zmq.EVENT_HANDSHAKE_SUCCEEDED {
				t.Fatalf("first event %v, want HANDSHAKE_SUCCEEDED", ev)
			}
			sendFrames(t, s, frames("before")...)
			checkFrames(t, "message before idling", p.recv(), frames("before"))
			// Idle for many heartbeat timeouts: pings keep the link up.
			must(t, "SetRcvtimeo", events.SetRcvtimeo(idle))
			if ev, _, _, err := events.RecvEvent(0); err == nil {
				t.Fatalf("event %v while idle with heartbeats, want none", ev)
			}
			p.send(frames("after")...)
			checkFrames(t, "message after idling", recvFrames(t, s), frames("after"))
			// Silence the relay: our heartbeat timeout must drop the link.
			relay.silence()
			must(t, "SetRcvtimeo", events.SetRcvtimeo(socketTimeout))
			if ev := nextEvent(t, events); ev != zmq.EVENT_DISCONNECTED {
				t.Fatalf("event %v after silencing the relay, want DISCONNECTED", ev)
			}
		})
	}
}

// nextEvent receives one monitor event.
func nextEvent(t *testing.T, events *zmq.Socket) zmq.Event {
	t.Helper()
	ev, _, _, err := events.RecvEvent(0)
	must(t, "RecvEvent", err)
	return ev
}

// wsRelay forwards tcp connections to a target until silenced, after
// which it keeps the connections open but drops every byte.
type wsRelay struct {
	addr   string
	silent atomic.Bool
}

// startWSRelay listens on a fresh loopback port and relays to target.
func startWSRelay(t *testing.T, target string) *wsRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, "Listen", err)
	r := &wsRelay{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			a, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", target)
			if err != nil {
				a.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, a, b)
			mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); r.pipe(b, a) }()
			go func() { defer wg.Done(); r.pipe(a, b) }()
		}
	}()
	return r
}

// silence makes the relay drop everything from now on.
func (r *wsRelay) silence() { r.silent.Store(true) }

// pipe copies src to dst until either fails, dropping bytes once silent.
func (r *wsRelay) pipe(dst, src net.Conn) {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !r.silent.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			// Pass the end on, unless silent: then only our heartbeat
			// timeout may notice the peer is gone.
			if !r.silent.Load() {
				dst.Close()
			}
			return
		}
	}
}

// TestInteropWSBareProtocol checks what the package's bare "ZWS2.0" support
// assumes, against libzmq itself: a client offering only "ZWS2.0" gets it,
// then each side's first message is its routing id, with no handshake.
// (libzmq's own client never picks the bare form against libzmq, so this
// client is written by hand.)
func TestInteropWSBareProtocol(t *testing.T) {
	p := startNodePeer(t, wsPeerScript, "--type", "ROUTER", "--option", "routingId=node-router", "--bind", wsBindAddress)
	c, err := net.DialTimeout("tcp", strings.TrimSuffix(strings.TrimPrefix(p.endpoint, "ws://"), "/zmq"), socketTimeout)
	must(t, "Dial", err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(socketTimeout))
	_, err = c.Write([]byte("GET /zmq HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ZWS2.0\r\nSec-WebSocket-Version: 13\r\n\r\n"))
	must(t, "write request", err)
	br := bufio.NewReader(c)
	head := ""
	for !strings.HasSuffix(head, "\r\n\r\n") {
		line, err := br.ReadString('\n')
		must(t, "read response", err)
		head += line
	}
	if !strings.HasPrefix(head, "HTTP/1.1 101 Switching Protocols\r\n") ||
		!strings.Contains(head, "Sec-WebSocket-Protocol: ZWS2.0\r\n") ||
		!strings.Contains(head, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") {
		t.Fatalf("response %q", head)
	}
	if got := wsReadServerMessage(t, br); got != "\x00node-router" {
		t.Fatalf("first message %q, want flags 0 and the ROUTER's routing id", got)
	}
	wsWriteClientMessage(t, c, "\x00raw-client")
	wsWriteClientMessage(t, c, "\x00hello")
	checkFrames(t, "message at libzmq ROUTER", p.recv(), frames("raw-client", "hello"))
	p.send(frames("raw-client", "back")...)
	if got := wsReadServerMessage(t, br); got != "\x00back" {
		t.Fatalf("reply %q", got)
	}
}

// wsWriteClientMessage writes payload as one masked binary message.
func wsWriteClientMessage(t *testing.T, c net.Conn, payload string) {
	t.Helper()
	key := []byte{0x5A, 0xA5, 0x3C, 0xC3}
	b := append([]byte{0x82, 0x80 | byte(len(payload))}, key...)
	for i := 0; i < len(payload); i++ {
		b = append(b, payload[i]^key[i%4])
	}
	_, err := c.Write(b)
	must(t, "write message", err)
}

// wsReadServerMessage reads one short unmasked binary message.
func wsReadServerMessage(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	var h [2]byte
	_, err := io.ReadFull(br, h[:])
	must(t, "read header", err)
	if h[0] != 0x82 || h[1]&0x80 != 0 || h[1] >= 126 {
		t.Fatalf("header %x, want a short unmasked binary message", h)
	}
	b := make([]byte, h[1])
	_, err = io.ReadFull(br, b)
	must(t, "read payload", err)
	return string(b)
}
