# ports.sh: loopback ports for compare.sh and compare_cases.sh (sourced).
#
# Ports come from below the kernel's range of ephemeral ports: a port in
# that range may be the local end of a connection (one of the 1,000 of a
# fan-out run, or one still in TIME_WAIT); a bind on it then fails with
# "address already in use" while the connecting half waits forever.

EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
NEXT_PORT=$((20000 + $$ % 10000))

# next_port: moves NEXT_PORT on by one, back to 20000 at the ephemeral range.
next_port() {
    NEXT_PORT=$((NEXT_PORT + 1))
    if [ "$NEXT_PORT" -ge "${EPHEMERAL_LOW:-32768}" ]; then NEXT_PORT=20000; fi
}

# port_in_use PORT: true when something on loopback listens on PORT.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# take_port: sets PORT to the next port nothing listens on.
take_port() {
    while port_in_use "$NEXT_PORT"; do
        next_port
    done
    PORT=$NEXT_PORT
    next_port
}
