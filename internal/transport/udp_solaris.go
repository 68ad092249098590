package transport

// setReusePort does nothing: Solaris shares a port with SO_REUSEADDR alone.
func setReusePort(fd int) error { return nil }

// receiveOnlyJoinedGroups does nothing: a socket receives only the groups
// it joined.
func receiveOnlyJoinedGroups(fd int, v6 bool) error { return nil }
