package transport

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// SOCKS5 (RFC 1928) client used for ZMQ_SOCKS_PROXY: connect to the proxy,
// offer one method ("no authentication", or username/password when
// opts.SocksUsername is set, see socks_auth.go), then CONNECT to the
// target. As libzmq
// does, a numeric target host goes as an IPv4 or IPv6 address and anything
// else as a domain name, left for the proxy to resolve.

const (
	socksVersion      = 0x05
	socksMethodNoAuth = 0x00
	socksCmdConnect   = 0x01
	socksAtypIPv4     = 0x01
	socksAtypDomain   = 0x03
	socksAtypIPv6     = 0x04
	socksMaxReplyCode = 0x08 // highest reply code RFC 1928 defines
)

// ErrSocks reports a SOCKS5 proxy that broke the protocol or refused the
// request. It wraps syscall.ECONNREFUSED.
var ErrSocks error = &errnoError{"transport: SOCKS5 proxy failure", syscall.ECONNREFUSED}

// socksErrorf returns an error wrapping ErrSocks.
func socksErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrSocks}, args...)...)
}

// dialSocks connects to the tcp endpoint ep through the SOCKS5 proxy at
// opts.SocksProxy ("host:port"), authenticating with opts.SocksUsername and
// opts.SocksPassword when the username is set. The proxy connection gets
// every socket option, and ep's source address if it has one.
func dialSocks(ctx context.Context, ep Endpoint, opts *Options) (net.Conn, error) {
	host, port, err := splitHostPort(ep.Addr)
	if err != nil {
		return nil, invalidf("%q: %v", ep.Raw, err)
	}
	if port == "*" {
		return nil, invalidf("%q: wildcard port in a remote address", ep.Raw)
	}
	portNum, err := parsePortNumber(port)
	if err != nil {
		return nil, invalidf("%q: %v", ep.Raw, err)
	}
	request, err := appendSocksConnect(nil, host, portNum)
	if err != nil {
		return nil, invalidf("%q: %v", ep.Raw, err)
	}
	creds := socksCredentials{username: opts.SocksUsername, password: opts.SocksPassword}
	if err := creds.check(); err != nil {
		return nil, invalidf("%q: %v", ep.Raw, err)
	}
	proxy := Endpoint{Scheme: "tcp", Addr: opts.SocksProxy, Source: ep.Source, Raw: "tcp://" + opts.SocksProxy}
	if src, addr, ok := strings.Cut(opts.SocksProxy, ";"); ok {
		// "source;proxy", as libzmq reads a proxy address: the
		// connection to the proxy is made from source.
		proxy.Source, proxy.Addr = src, addr
	}
	conn, err := dialTCP(ctx, proxy, opts)
	if err != nil {
		return nil, err
	}
	if err := socksHandshake(ctx, conn, creds, request); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// socksHandshake runs the method negotiation, the authentication if the
// proxy asks for it, and the CONNECT request on conn, bounded by ctx.
func socksHandshake(ctx context.Context, conn net.Conn, creds socksCredentials, request []byte) error {
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	// Cancelling ctx interrupts a read or write in progress.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	err := socksNegotiate(conn, creds, request)
	if !stop() {
		return ctx.Err()
	}
	if err != nil {
		return err
	}
	return conn.SetDeadline(time.Time{})
}

// socksNegotiate offers the method creds call for, authenticates if the
// proxy chose username/password, then sends the request and reads the
// reply.
func socksNegotiate(rw io.ReadWriter, creds socksCredentials, request []byte) error {
	if _, err := rw.Write([]byte{socksVersion, 1, creds.method()}); err != nil {
		return err
	}
	var choice [2]byte
	if _, err := io.ReadFull(rw, choice[:]); err != nil {
		return socksReadError("method choice", err)
	}
	if err := checkSocksChoice(choice, creds.method()); err != nil {
		return err
	}
	if choice[1] == socksMethodUserPass {
		if _, err := rw.Write(appendSocksAuthRequest(nil, creds)); err != nil {
			return err
		}
		if err := readSocksAuthReply(rw); err != nil {
			return err
		}
	}
	if _, err := rw.Write(request); err != nil {
		return err
	}
	return readSocksReply(rw)
}

// checkSocksChoice checks the proxy's method selection: version 5 and
// either the method we offered or, as libzmq allows, "no authentication".
func checkSocksChoice(choice [2]byte, offered byte) error {
	if choice[0] != socksVersion {
		return socksErrorf("method choice with version %d", choice[0])
	}
	if choice[1] != socksMethodNoAuth && choice[1] != offered {
		return socksErrorf("proxy wants authentication method %#x", choice[1])
	}
	return nil
}

// appendSocksConnect appends a CONNECT request for host:port. host is an
// IPv4 or IPv6 literal (brackets already removed) or a name of at most 255
// bytes.
func appendSocksConnect(dst []byte, host string, port uint16) ([]byte, error) {
	dst = append(dst, socksVersion, socksCmdConnect, 0x00)
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Is4() {
			a := ip.As4()
			dst = append(dst, socksAtypIPv4)
			dst = append(dst, a[:]...)
		} else {
			a := ip.As16()
			dst = append(dst, socksAtypIPv6)
			dst = append(dst, a[:]...)
		}
	} else {
		if len(host) == 0 || len(host) > 255 {
			return nil, errors.New("SOCKS5 host name must be 1..255 bytes")
		}
		dst = append(dst, socksAtypDomain, byte(len(host)))
		dst = append(dst, host...)
	}
	return binary.BigEndian.AppendUint16(dst, port), nil
}

// readSocksReply reads the proxy's reply to CONNECT and reports whether it
// succeeded. It reads exactly the reply, which is at most 4+1+255+2 bytes,
// leaving the relayed stream untouched.
func readSocksReply(r io.Reader) error {
	var head [5]byte // VER REP RSV ATYP, then the first address byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return socksReadError("reply", err)
	}
	if head[0] != socksVersion {
		return socksErrorf("reply with version %d", head[0])
	}
	if head[1] > socksMaxReplyCode {
		return socksErrorf("unknown reply code %#x", head[1])
	}
	if head[2] != 0 {
		return socksErrorf("reply with reserved byte %#x", head[2])
	}
	var rest int // bytes still to read after head: address remainder and port
	switch head[3] {
	case socksAtypIPv4:
		rest = 4 - 1 + 2
	case socksAtypIPv6:
		rest = 16 - 1 + 2
	case socksAtypDomain:
		rest = int(head[4]) + 2
	default:
		return socksErrorf("reply with address type %#x", head[3])
	}
	var tail [255 + 2]byte
	if _, err := io.ReadFull(r, tail[:rest]); err != nil {
		return socksReadError("reply", err)
	}
	if head[1] != 0 {
		return socksErrorf("proxy refused the connection: %s", socksReplyText(head[1]))
	}
	return nil
}

// socksReadError wraps a failed or short read from the proxy.
func socksReadError(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return socksErrorf("proxy closed the connection before its %s", what)
	}
	return err
}

// socksReplyText names an RFC 1928 reply code.
func socksReplyText(code byte) string {
	switch code {
	case 0x01:
		return "general failure"
	case 0x02:
		return "connection not allowed by ruleset"
	case 0x03:
		return "network unreachable"
	case 0x04:
		return "host unreachable"
	case 0x05:
		return "connection refused"
	case 0x06:
		return "TTL expired"
	case 0x07:
		return "command not supported"
	case 0x08:
		return "address type not supported"
	}
	return fmt.Sprintf("code %#x", code)
}
