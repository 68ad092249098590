#!/usr/bin/env bash
# compare_cases.sh: the sibling of compare.sh for the cases libzmq's perf
# tools do not cover. It runs `zmq perf` (purezmq) and bench/c/zmqperf.c
# (libzmq) with the same command lines, alternating, on loopback, and
# prints the median of each figure and the ratio.
#
#   fanout-N      local_pub + remote_sub, N tcp subscribers (N = 10, 100,
#                 1000): the publisher's send rate and the messages
#                 delivered per second to all subscribers together. Each
#                 publisher sends for FANOUT_SECONDS (2) seconds, so that
#                 both run in the same steady state: with a fixed count
#                 (2,000,000 to 1,000 subscribers) libzmq's publisher sent
#                 for 22 s and ours for 0.3-1 s, and ours then measured
#                 mostly the ramp-up and the drain after the last send
#                 (delivery is timed from the first message to the end
#                 marker, which the publisher repeats every 10 ms); five
#                 runs of ours varied by half. FANOUT_COUNT sends that many
#                 messages instead, with no time limit unless
#                 FANOUT_SECONDS is also set
#   latp          local_lat + remote_latp, 64 B REQ/REP over tcp: mean,
#                 p50, p99, p99.9 and max round trip
#   bytes-64k     remote_thr + local_thr_bytes, 64 KiB over tcp, received
#                 with RecvBytes (libzmq: zmq_recv into a fresh malloc'd
#                 buffer); bytes-64 the same at 64 B
#   poll-1000     poll_lat tcp: 1,000 PAIR pairs, a poller (zmq_poll) over
#                 all of them on each side, one message in flight
#   paced-Nk      local_echo + remote_paced, a DEALER sending 64 B messages
#                 at N thousand a second to a ROUTER that echoes them over
#                 tcp: CPU time (user+sys) per message of the echoing
#                 process and of the sending one, and the rate achieved;
#                 PACED_COUNT=100000 messages
#   pubpaced-N    local_pub_paced + remote_sub, a publisher sending 64 B
#                 messages to N tcp subscribers at a moderate load:
#                 PUBPACED_DELIVERIES (200000) messages a second to all
#                 subscribers together (20,000 a second to 10, 200 to
#                 1,000) for PUBPACED_SECONDS (3): the CPU time (user+sys)
#                 per message sent of the publishing process, and the rate
#                 achieved
#
# Usage: bench/compare_cases.sh          (all cases)
#        CASES="latp poll-1000" bench/compare_cases.sh
#
# Environment (all optional): PAIRS=3, TIMEOUT=120, FANOUT_SECONDS=2,
# FANOUT_COUNT (a count for every fan-out case instead of the time),
# LAT_COUNT=20000, BIG_COUNT=20000, SMALL_COUNT=2000000, POLL_COUNT=20000,
# POLL_SOCKETS=1000, PUBPACED_DELIVERIES=200000, PUBPACED_SECONDS=3, and
# OURS / LIBZMQ as in compare.sh.
#
# LOCAL_CPUS and REMOTE_CPUS (taskset -c lists, such as 0 and 1) run the
# local end (the publisher, the echo, the receiver) and the remote end
# on those CPUs only, for both implementations: LOCAL_CPUS=0
# REMOTE_CPUS=1 gives each end one CPU of its own, as two one-CPU
# machines or containers would. A Go program on one CPU runs with
# GOMAXPROCS 1.
#
# PEBBE=1 adds a third implementation to the bytes-* cases: a Go program
# written against pebbe/zmq4 v1.4.0, the cgo binding of libzmq
# (bench/pebbe, a module of its own, built here with cgo), with the same
# command line. Each pair then runs ours, libzmq and pebbe in turn, and the
# table gains a pebbe column and our ratio to it. PEBBE_CMD overrides the
# command.
set -u

cd "$(dirname "$0")/.." || exit 1

PAIRS=${PAIRS:-3}
TIMEOUT=${TIMEOUT:-120}
FANOUT_COUNT=${FANOUT_COUNT:-}
FANOUT_SECONDS=${FANOUT_SECONDS:-}
if [ -z "$FANOUT_COUNT" ] && [ -z "$FANOUT_SECONDS" ]; then
    FANOUT_SECONDS=2
fi
LAT_COUNT=${LAT_COUNT:-20000}
BIG_COUNT=${BIG_COUNT:-20000}
SMALL_COUNT=${SMALL_COUNT:-2000000}
POLL_COUNT=${POLL_COUNT:-20000}
POLL_SOCKETS=${POLL_SOCKETS:-1000}
PACED_COUNT=${PACED_COUNT:-100000}
PUBPACED_DELIVERIES=${PUBPACED_DELIVERIES:-200000}
PUBPACED_SECONDS=${PUBPACED_SECONDS:-3}
LOCAL_PIN=()
REMOTE_PIN=()
[ -n "${LOCAL_CPUS:-}" ] && LOCAL_PIN=(taskset -c "$LOCAL_CPUS")
[ -n "${REMOTE_CPUS:-}" ] && REMOTE_PIN=(taskset -c "$REMOTE_CPUS")
LIBZMQ=${LIBZMQ:-bench/bin/zmqperf}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zmqcases.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

mkdir -p bench/bin
if ! pkg-config --exists libzmq 2>/dev/null; then
    echo "libzmq not found by pkg-config; installing libzmq3-dev" >&2
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y libzmq3-dev >&2; else sudo apt-get install -y libzmq3-dev >&2; fi
fi
# shellcheck disable=SC2046
if ! cc -O2 -o bench/bin/zmqperf bench/c/zmqperf.c $(pkg-config --cflags --libs libzmq); then
    echo "compare_cases.sh: cannot build bench/bin/zmqperf" >&2
    exit 1
fi
if [ -z "${OURS:-}" ]; then
    OURS="bench/bin/zmq perf"
    "$GO" build -o bench/bin/zmq ./cmd/zmq || echo "compare_cases.sh: cannot build ./cmd/zmq" >&2
fi
echo "ours:   $OURS" >&2
echo "libzmq: $LIBZMQ (libzmq $(pkg-config --modversion libzmq))" >&2
if [ -n "${PEBBE:-}" ] && [ -z "${PEBBE_CMD:-}" ]; then
    PEBBE_CMD=bench/bin/pebbeperf
    if ! (cd bench/pebbe && CGO_ENABLED=1 "$GO" build -o ../bin/pebbeperf .); then
        echo "compare_cases.sh: cannot build bench/pebbe" >&2
        exit 1
    fi
fi
[ -n "${PEBBE:-}" ] && echo "pebbe:  $PEBBE_CMD (pebbe/zmq4 v1.4.0 on libzmq $(pkg-config --modversion libzmq))" >&2

# pebbe_has NAME: whether the pebbe program runs case NAME.
pebbe_has() {
    [ -n "${PEBBE:-}" ] && case $1 in bytes-*) true ;; *) false ;; esac
}

# shellcheck source=bench/ports.sh
. bench/ports.sh

# fresh_endpoint: sets ENDPOINT to a tcp endpoint on a free loopback port.
fresh_endpoint() {
    take_port
    ENDPOINT="tcp://127.0.0.1:$PORT"
}

# wait_listening ENDPOINT: waits up to 5 s for a listener on its port.
wait_listening() {
    local i
    for ((i = 0; i < 100; i++)); do
        if command -v ss >/dev/null; then
            [ -n "$(ss -Hltn "sport = :${1##*:}" 2>/dev/null)" ] && return
        else
            sleep 0.2
            return
        fi
        sleep 0.05
    done
}

# value FILE PATTERN: the number on the line starting with PATTERN.
value() {
    awk -v p="$2" 'index($0, p) == 1 { print $(NF - 1); exit }' "$1"
}

# pair CMD LOCAL_ARGS REMOTE_ARGS: runs "CMD LOCAL_ARGS" in the background
# (it binds), then "CMD REMOTE_ARGS"; ENDPOINT in the args is replaced.
# Output in $WORK/local.out and $WORK/remote.out; returns non-zero on failure.
pair() {
    local cmd=$1 local_args=$2 remote_args=$3 pid status_remote status_local
    fresh_endpoint
    # shellcheck disable=SC2086
    timeout -k 5 "$TIMEOUT" "${LOCAL_PIN[@]}" $cmd ${local_args//ENDPOINT/$ENDPOINT} >"$WORK/local.out" 2>"$WORK/local.err" &
    pid=$!
    wait_listening "$ENDPOINT"
    # shellcheck disable=SC2086
    timeout -k 5 "$TIMEOUT" "${REMOTE_PIN[@]}" $cmd ${remote_args//ENDPOINT/$ENDPOINT} >"$WORK/remote.out" 2>"$WORK/remote.err"
    status_remote=$?
    [ "$status_remote" -ne 0 ] && kill "$pid" 2>/dev/null
    wait "$pid"
    status_local=$?
    if [ "$status_remote" -ne 0 ] || [ "$status_local" -ne 0 ]; then
        echo "    failed: local exit $status_local, remote exit $status_remote (124 or 137: timed out)" >&2
        sed 's/^/    /' "$WORK/local.err" "$WORK/remote.err" | head -5 >&2
        return 1
    fi
}

# run_case NAME CMD: runs one case with CMD and sets FIGURES to its figures
# ("fail" for each when it failed), in the order of FIELDS.
run_case() {
    local name=$1 cmd=$2 ok=0 f subs count
    case $name in
    fanout-*)
        subs=${name#fanout-}
        # Without FANOUT_COUNT the count is never reached: the time ends
        # the sending.
        count=${FANOUT_COUNT:-1000000000}
        pair "$cmd" "local_pub ENDPOINT 64 $count $subs $FANOUT_SECONDS" \
            "remote_sub ENDPOINT 64 $count $subs" && ok=1
        FIGURES=("$(value "$WORK/local.out" "send rate:")" "$(value "$WORK/remote.out" "delivered:")")
        ;;
    latp)
        pair "$cmd" "local_lat ENDPOINT 64 $LAT_COUNT" "remote_latp ENDPOINT 64 $LAT_COUNT" && ok=1
        FIGURES=()
        for f in "average latency:" "roundtrip p50:" "roundtrip p99:" "roundtrip p99.9:" "roundtrip max:"; do
            FIGURES+=("$(value "$WORK/remote.out" "$f")")
        done
        ;;
    bytes-64k | bytes-64)
        local size=65536 count=$BIG_COUNT
        [ "$name" = bytes-64 ] && size=64 count=$SMALL_COUNT
        pair "$cmd" "local_thr_bytes ENDPOINT $size $count" "remote_thr ENDPOINT $size $count" && ok=1
        FIGURES=("$(value "$WORK/local.out" "mean throughput:")")
        ;;
    pubpaced-*)
        subs=${name#pubpaced-}
        local rate=$((PUBPACED_DELIVERIES / subs))
        count=$((rate * PUBPACED_SECONDS))
        pair "$cmd" "local_pub_paced ENDPOINT 64 $count $subs $rate" \
            "remote_sub ENDPOINT 64 $count $subs" && ok=1
        FIGURES=("$(value "$WORK/local.out" "cpu per message:")" "$(value "$WORK/local.out" "achieved rate:")")
        ;;
    paced-*k)
        local thousands=${name#paced-}
        pair "$cmd" "local_echo ENDPOINT 64 $PACED_COUNT" \
            "remote_paced ENDPOINT 64 $PACED_COUNT $((${thousands%k} * 1000))" && ok=1
        FIGURES=("$(value "$WORK/local.out" "cpu per message:")" "$(value "$WORK/remote.out" "cpu per message:")"
            "$(value "$WORK/remote.out" "achieved rate:")")
        ;;
    poll-*)
        if timeout -k 5 "$TIMEOUT" $cmd poll_lat tcp 64 "$POLL_COUNT" "${name#poll-}" >"$WORK/local.out" 2>"$WORK/local.err"; then
            ok=1
        else
            sed 's/^/    /' "$WORK/local.err" | head -5 >&2
        fi
        FIGURES=("$(value "$WORK/local.out" "mean throughput:")")
        ;;
    esac
    if [ "$ok" -ne 1 ]; then
        for f in "${!FIGURES[@]}"; do FIGURES[f]=fail; done
    fi
    for f in "${!FIGURES[@]}"; do [ -z "${FIGURES[f]}" ] && FIGURES[f]=fail; done
}

# fields NAME: sets FIELDS to the case's figure names ("name:unit:better").
fields() {
    case $1 in
    fanout-*) FIELDS=("send rate:msg/s:higher" "delivered:msg/s:higher") ;;
    latp) FIELDS=("mean (half rtt):us:lower" "p50 rtt:us:lower" "p99 rtt:us:lower" "p99.9 rtt:us:lower" "max rtt:us:lower") ;;
    paced-*) FIELDS=("echo cpu/msg:us:lower" "sender cpu/msg:us:lower" "achieved rate:msg/s:higher") ;;
    pubpaced-*) FIELDS=("publisher cpu/msg:us:lower" "achieved rate:msg/s:higher") ;;
    *) FIELDS=("throughput:msg/s:higher") ;;
    esac
}

median() {
    printf '%s\n' "$@" | grep -v '^fail$' | sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "fail"; exit }
            if (NR % 2 == 1) { print v[(NR + 1) / 2]; exit }
            printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
        }'
}

# ratio BETTER OURS LIBZMQ: above 1 means ours is better.
ratio() {
    if [ "$2" = fail ] || [ "$3" = fail ]; then echo "-"; return; fi
    awk -v b="$1" -v o="$2" -v l="$3" 'BEGIN {
        if (b == "higher") { if (l == 0) print "-"; else printf "%.2f\n", o / l }
        else               { if (o == 0) print "-"; else printf "%.2f\n", l / o }
    }'
}

ALL_CASES="fanout-10 fanout-100 fanout-1000 latp bytes-64k bytes-64 poll-$POLL_SOCKETS paced-20k pubpaced-10 pubpaced-100 pubpaced-1000"
ROWS=()
for name in ${CASES:-$ALL_CASES}; do
    fields "$name"
    declare -a OURS_V LIB_V PEB_V
    OURS_V=()
    LIB_V=()
    PEB_V=()
    for ((i = 1; i <= PAIRS; i++)); do
        run_case "$name" "$OURS"
        OURS_V+=("${FIGURES[*]}")
        echo "  $name: run $i ours   ${FIGURES[*]}" >&2
        run_case "$name" "$LIBZMQ"
        LIB_V+=("${FIGURES[*]}")
        echo "  $name: run $i libzmq ${FIGURES[*]}" >&2
        if pebbe_has "$name"; then
            run_case "$name" "$PEBBE_CMD"
            PEB_V+=("${FIGURES[*]}")
            echo "  $name: run $i pebbe  ${FIGURES[*]}" >&2
        fi
    done
    for k in "${!FIELDS[@]}"; do
        IFS=: read -r what unit better <<<"${FIELDS[k]}"
        o=() l=()
        for row in "${OURS_V[@]}"; do read -ra a <<<"$row"; o+=("${a[k]}"); done
        for row in "${LIB_V[@]}"; do read -ra a <<<"$row"; l+=("${a[k]}"); done
        mo=$(median "${o[@]}")
        ml=$(median "${l[@]}")
        mp=- rp=-
        if pebbe_has "$name"; then
            p=()
            for row in "${PEB_V[@]}"; do read -ra a <<<"$row"; p+=("${a[k]}"); done
            mp=$(median "${p[@]}")
            rp=$(ratio "$better" "$mo" "$mp")
        fi
        ROWS+=("$name $what|$unit|$mo|$ml|$(ratio "$better" "$mo" "$ml")|${o[*]}|$mp|$rp")
    done
done

echo
if [ -n "${PEBBE:-}" ]; then
    printf '%-28s %6s %12s %12s %6s %12s %6s  %s\n' "case" "unit" "ours" "libzmq" "ratio" "pebbe" "ratio" "ours, run by run"
    printf '%-28s %6s %12s %12s %6s %12s %6s  %s\n' "----" "----" "----" "------" "-----" "-----" "-----" "----------------"
else
    printf '%-28s %6s %12s %12s %6s  %s\n' "case" "unit" "ours" "libzmq" "ratio" "ours, run by run"
    printf '%-28s %6s %12s %12s %6s  %s\n' "----" "----" "----" "------" "-----" "----------------"
fi
for row in "${ROWS[@]}"; do
    IFS='|' read -r label unit mo ml r runs mp rp <<<"$row"
    if [ -n "${PEBBE:-}" ]; then
        printf '%-28s %6s %12s %12s %6s %12s %6s  %s\n' "$label" "$unit" "$mo" "$ml" "$r" "$mp" "$rp" "$runs"
    else
        printf '%-28s %6s %12s %12s %6s  %s\n' "$label" "$unit" "$mo" "$ml" "$r" "$runs"
    fi
done
echo
[ -n "${PEBBE:-}" ] && echo "pebbe: pebbe/zmq4 v1.4.0 (cgo) on both ends of its runs; its ratio is ours/pebbe."
echo "medians of $PAIRS alternating runs each; ratio above 1.00 means ours is better"
echo "(rates: ours/libzmq; times: libzmq/ours). Both ends of a pair are the same"
echo "implementation. cases: $ALL_CASES"
