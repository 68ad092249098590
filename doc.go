// Package zmq4 is ZeroMQ in pure Go: the socket patterns of libzmq 4.3
// over tcp, ipc, inproc, udp, ws and wss, with NULL, PLAIN and CURVE
// security, speaking ZMTP 3.1, 3.0 and 2.0 to libzmq, pyzmq, CZMQ, JeroMQ
// and zeromq.js peers. Its API is that of github.com/pebbe/zmq4, so a
// program switches by changing its import path; it needs no cgo.
//
//	ctx, _ := zmq4.NewContext()
//	rep, _ := ctx.NewSocket(zmq4.REP)
//	rep.Bind("tcp://*:5555")
//	msg, _ := rep.Recv(0)
//	rep.Send("re: "+msg, 0)
//
// Unlike libzmq's, a Socket may be used by several goroutines at once.
//
// # Layers
//
// Reading from the application down to the wire:
//
//   - The API: context.go (Context), socket.go (Socket, Close), sendrecv.go
//     (Send and Recv in all their forms), socketset.go and socketget.go
//     (options, kept in options.go), poller.go, reactor.go, proxy.go,
//     monitor.go, stats.go, and the CZMQ-level helpers (msg.go, cert.go,
//     auth.go; the beacon is its own package, beacon/).
//   - The patterns: one type_*.go file per socket family. Each implements
//     the pattern interface of pattern.go, routing whole messages between the
//     application and the socket's pipes; they run in the caller's
//     goroutine with the socket's lock held, as libzmq runs them in the
//     application thread. route.go has the fair queue and load balancer
//     they share.
//   - Pipes and queues: pipe.go is a socket's link to one peer, a queue in
//     each direction (queue.go). A queue counts whole messages against its
//     high-water mark and is read in batches: the reader swaps out
//     everything queued at once. A PUB or XPUB writes each message once
//     into a log shared by its connection-served subscribers (publog.go),
//     and each subscriber's queue pulls what is marked for it.
//   - Endpoints: endpoint.go (Bind, the listener's accept loop, Unbind),
//     connecter.go (Connect: the connecter that dials and reconnects with
//     backoff, Disconnect), inproc.go (no engine: the two sockets share a
//     pair of queues), udp.go (binding and connecting the udp transport).
//   - The session layer: session.go. The session interface is what an
//     engine needs from its socket (a pipe, attach and detach, peer ready,
//     monitor events, ZAP, LINGER), and sessionOptions the snapshot of the
//     socket's options that each Bind or Connect takes. session.go also
//     holds the engine type, with the goroutine that owns each field, and
//     the life the engines share: newEngine, own (take the pipe), serve
//     (the writer goroutine and the read loop), stop (at once or after
//     LINGER) and release (give the pipe back).
//   - The engines, each supplying only its handshake, read loop and batch
//     encoder: engine.go runs ZMTP (greeting, security handshake, frames
//     in and out), with heartbeat.go its PINGs; engine_raw.go the raw bytes
//     of STREAM and ROUTER_RAW; engine_udp.go the datagrams of RADIO, DISH
//     and DGRAM.
//   - Below the root package: internal/zmtp (the wire codec: Reader
//     decodes, Writer encodes, neither does I/O of its own), internal/
//     mechanism (NULL, PLAIN, CURVE), internal/transport (tcp, ipc, SOCKS,
//     ws, wss, and the udp and multicast sockets), internal/authpolicy (the
//     authenticator's policies and decisions), internal/zpl (certificate
//     files), internal/netif (interface addresses), and the crypto, trie
//     and Z85 leaves.
//
// # The data path
//
// Send: the application's call takes the socket's lock
// (sendMessageLocked in socket.go), the pattern picks one pipe or several
// and pushes the message onto their outbound queues; a queue that goes from
// empty to not empty wakes the engine's writer goroutine (writeLoop in
// session.go), which takes every queued message at once, encodes them with
// a zmtp.Writer (sealing each with CURVE when on) into one buffer and writes
// it with one system call, large frames in place with one vectored write
// (writeFrames in engine.go); on Linux, on the tcp and ipc connections
// of types other than REQ and REP, that system call is a raw one
// (engine_rawio_linux.go says why). On the tcp and ipc connections of REQ
// and REP sockets (Linux), the sender that finds the writer idle writes
// its message itself instead, with one non-blocking system call, and
// leaves to the writer goroutine only what does not go at once
// (engine_inplace.go). PUB and XPUB append the message once to their log
// (publog.go), marking the subscribers that match it and are below their
// HWM, and hand only the idle subscribers' engines to the socket's
// fan-out worker, one goroutine that writes each in turn with
// non-blocking system calls, pulling its marked messages when it takes
// its queue; the engine's writer goroutine finishes only what such a
// write left (engine_fanout.go; on Linux tcp and ipc, elsewhere the
// writer goroutines write).
//
// Receive: the engine's reader (readLoop in engine.go) decodes every frame
// one read delivered (on Linux, tcp and ipc sockets are read with raw
// system calls, engine_rawio_linux.go) and pushes the whole messages into
// the pipe's inbound queue in one batch; a queue that goes from empty to
// not empty reports the pipe to the socket (pipeReadable), and the next
// Recv, under the socket's lock, hands it to the pattern, which
// fair-queues between its pipes. A REQ or REP socket with one tcp or ipc
// connection (Linux) has its blocking Recv read and decode that
// connection itself, with the same code, once the reader has lent it;
// the reader reads it again whenever the application does something else
// (engine_direct.go).
//
// # Goroutines
//
// Per bound endpoint, one goroutine accepts (endpoint.go). Per connection,
// one goroutine reads (it ran the handshake first; it lends the
// connection to a REQ's or REP's Recv, engine_direct.go) and one writes,
// which serve in session.go starts and waits for. The connection ends when
// its read fails: a failed write only stops the writer (writeFailed), so
// what the peer sent before its reset is still delivered. Heartbeat timers
// run on the runtime's timers. Per PUB or XPUB socket, one goroutine wakes idle
// subscribers' queues and writes their connections while there is work,
// and ends when there is none (fanout_worker.go). Per connected endpoint, the connecter's goroutine
// (connecter.go) dials, then reads that connection, and dials again after
// it ends. Per udp endpoint, one goroutine reads datagrams and one writes
// them (engine_udp.go). inproc connections have no goroutine: the
// sockets' own callers move the messages. Term waits for all of them;
// closing a socket and terminating its context leaves none behind (a test
// checks this after every test run).
//
// # Locks
//
// Each lock is taken in this order and never the other way round: a
// Context's mu; a Socket's mu (options, patterns, pipes); an engine's
// write token, wmu (a sender only tries it, with TryLock, from the
// outbound queue's readiness callback); the Socket's readyMu (the list of
// pipes that became ready, and the channels that wake blocked callers and
// pollers); a queue's mu. A queue calls its readiness callbacks after
// releasing its own lock. The monitor's and the authenticator's locks, and
// a PUB log's list of subscribers to put back (reactMu), are leaves.
package zmq4
