// Package mechanism runs the ZMTP security handshakes (NULL, PLAIN and
// CURVE, RFC 23/24/25/26) over an already greeted connection, asks a ZAP
// handler (RFC 27) where libzmq 4.3 would, and boxes data-phase frames for
// CURVE.
//
// Every check, error code and command layout follows what libzmq 4.3 does on
// the wire, so a libzmq peer sees the same behaviour it would see from
// another libzmq, and failures carry the monitor event libzmq would raise.
// Nothing a peer sends can make this package panic or allocate memory sized
// by a number the peer chose.
package mechanism
