// Package ws carries ZMTP over WebSocket (RFC 6455) the way libzmq 4.3.5's
// ws:// transport does ("ZWS 2.0").
//
// On the wire, after an HTTP/1.1 upgrade, every ZMTP frame travels as one
// unfragmented binary WebSocket message whose payload is a flags byte (1 for
// more, 2 for command) followed by the frame body. There is no ZMTP greeting:
// the security mechanism is agreed on through the Sec-WebSocket-Protocol
// header ("ZWS2.0/NULL", "ZWS2.0/PLAIN", "ZWS2.0/CURVE"), after which the
// mechanism's handshake commands run as command messages. The bare
// subprotocol "ZWS2.0" skips the handshake: each side sends its routing id
// as its first message. Subscriptions travel as data messages starting with
// 1 (subscribe) or 0 (cancel), as in ZMTP 3.0, and heartbeats are WebSocket
// ping and pong control frames, outside any security mechanism.
//
// Conn wraps an established TCP connection and presents it as the byte
// stream a ZMTP 3.0 engine expects: it performs the upgrade when the engine
// writes its greeting (which names the mechanism), swallows that greeting,
// hands the engine a greeting from the peer built from the negotiated
// subprotocol, and translates frames in both directions. The engine thus
// runs unchanged, except that PING and PONG commands must bypass its
// security codec (see Conn.HeartbeatsInClear).
//
// Every length a peer controls is checked before it is used: HTTP heads are
// bounded, control frames carry at most 125 bytes, and message payloads are
// streamed through to the engine, whose frame reader enforces the socket's
// maximum message size before allocating.
package ws
