//go:build unix && !linux && !solaris

package transport

// receiveOnlyJoinedGroups does nothing: outside Linux a socket receives
// only the groups it joined.
func receiveOnlyJoinedGroups(fd int, v6 bool) error { return nil }
