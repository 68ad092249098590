package transport

import (
	"net/netip"
	"syscall"
)

// orderedDial reports whether a tcp dial to hostPort can take its turn
// (Options.ConnectTurn) right before its connect(2): the host is a numeric
// address without a zone, so nothing before connect(2) can block, and no
// source address is bound after the turn.
func orderedDial(hostPort, source string) bool {
	if source != "" {
		return false
	}
	host, _, err := splitHostPort(hostPort)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Zone() == ""
}

// startConnect issues the non-blocking connect(2) of socket fd to address
// (an "ip:port" the dialer gave its Control function). Its result is left
// to the dialer's own connect(2), which then finds the connection in
// progress (EALREADY), made (EISCONN) or failed (the same error again).
func startConnect(fd int, address string) {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return
	}
	var sa syscall.Sockaddr
	if ap.Addr().Is4() {
		sa = &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	} else {
		sa = &syscall.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
	}
	connectFD(fd, sa)
}
