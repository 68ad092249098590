#!/usr/bin/env bash
# compare.sh: runs the same perf measurements with purezmq (`zmq perf`) and
# with libzmq (bench/c/zmqperf.c), alternating, on loopback, and prints the
# medians side by side.
#
# Usage: bench/compare.sh
#
# Environment (all optional):
#   PAIRS=3              runs of each implementation per case (alternating)
#   TIMEOUT=60           seconds before a run counts as "fail"
#   CASES="..."          only the named cases (see the list printed at the end)
#   OURS="bench/bin/zmq perf"   our perf command (set it to bench/bin/zmqperf
#                        to check the script with libzmq on both sides; the Go
#                        tool is then not built)
#   LIBZMQ=bench/bin/zmqperf    libzmq's perf command
#   TCP_COUNT=2000000    64 B throughput messages (tcp, ipc)
#   BIG_COUNT=20000      64 KiB throughput messages
#   LAT_COUNT=20000      tcp round trips
#   INPROC_COUNT=10000000      inproc 64 B throughput messages
#   INPROC_LAT_COUNT=100000    inproc round trips
#   CURVE_COUNT=1000000  CURVE 64 B throughput messages
#   CURVE_BIG_COUNT=20000      CURVE 64 KiB throughput messages
#   LOCAL_CPUS, REMOTE_CPUS    taskset -c lists (such as 0 and 1): run the
#                        local end, the remote end, on those CPUs only, for
#                        both implementations; inproc runs on LOCAL_CPUS
set -u

cd "$(dirname "$0")/.." || exit 1

PAIRS=${PAIRS:-3}
TIMEOUT=${TIMEOUT:-60}
TCP_COUNT=${TCP_COUNT:-2000000}
BIG_COUNT=${BIG_COUNT:-20000}
LAT_COUNT=${LAT_COUNT:-20000}
INPROC_COUNT=${INPROC_COUNT:-10000000}
INPROC_LAT_COUNT=${INPROC_LAT_COUNT:-100000}
CURVE_COUNT=${CURVE_COUNT:-1000000}
CURVE_BIG_COUNT=${CURVE_BIG_COUNT:-20000}
LIBZMQ=${LIBZMQ:-bench/bin/zmqperf}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
LOCAL_PIN=()
REMOTE_PIN=()
[ -n "${LOCAL_CPUS:-}" ] && LOCAL_PIN=(taskset -c "$LOCAL_CPUS")
[ -n "${REMOTE_CPUS:-}" ] && REMOTE_PIN=(taskset -c "$REMOTE_CPUS")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zmqcompare.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- building

mkdir -p bench/bin

if ! pkg-config --exists libzmq 2>/dev/null; then
    echo "libzmq not found by pkg-config; installing libzmq3-dev" >&2
    if [ "$(id -u)" -eq 0 ]; then
        apt-get install -y libzmq3-dev >&2
    else
        sudo apt-get install -y libzmq3-dev >&2
    fi
fi

# shellcheck disable=SC2046
if ! cc -O2 -o bench/bin/zmqperf bench/c/zmqperf.c $(pkg-config --cflags --libs libzmq); then
    echo "compare.sh: cannot build bench/bin/zmqperf" >&2
    exit 1
fi

if [ -z "${OURS:-}" ]; then
    OURS="bench/bin/zmq perf"
    if ! "$GO" build -o bench/bin/zmq ./cmd/zmq; then
        echo "compare.sh: cannot build ./cmd/zmq; our runs will show fail" >&2
    fi
fi

echo "ours:   $OURS" >&2
echo "libzmq: $LIBZMQ (libzmq $(pkg-config --modversion libzmq))" >&2

# ---------------------------------------------------------------- endpoints

# shellcheck source=bench/ports.sh
. bench/ports.sh
RUN_NUMBER=0

# fresh_endpoint TRANSPORT: sets ENDPOINT to an endpoint no earlier run has
# used (a variable, not output: a $(...) subshell would lose the counters).
fresh_endpoint() {
    RUN_NUMBER=$((RUN_NUMBER + 1))
    case $1 in
    tcp)
        take_port
        ENDPOINT="tcp://127.0.0.1:$PORT"
        ;;
    ipc)
        ENDPOINT="ipc://$WORK/perf-$RUN_NUMBER.sock"
        ;;
    esac
}

# wait_listening ENDPOINT: waits up to 5 s for the bind side to listen on
# ENDPOINT (without connecting to it), so the connecting side never races it.
wait_listening() {
    local i
    for ((i = 0; i < 100; i++)); do
        case $1 in
        tcp://*)
            if command -v ss >/dev/null; then
                [ -n "$(ss -Hltn "sport = :${1##*:}" 2>/dev/null)" ] && return
            else
                sleep 0.2
                return
            fi
            ;;
        ipc://*)
            [ -S "${1#ipc://}" ] && return
            ;;
        esac
        sleep 0.05
    done
}

# ---------------------------------------------------------------- one run

# field_value FILE PATTERN: prints the number from the line "PATTERN N ...".
field_value() {
    awk -v p="$2" 'index($0, p) == 1 { print $(NF - 1); exit }' "$1"
}

# run_network KIND LOCAL_CMD REMOTE_CMD TRANSPORT SIZE COUNT [curve]
# KIND is thr or lat. Sets RESULT to the measured figure (msg/s or us) or
# "fail".
run_network() {
    local kind=$1 local_cmd=$2 remote_cmd=$3 transport=$4 size=$5 count=$6 curve=${7:-}
    local out_local="$WORK/local.out" out_remote="$WORK/remote.out"
    local pid_local status_remote status_local value
    fresh_endpoint "$transport"
    : >"$out_local"
    : >"$out_remote"
    # shellcheck disable=SC2086
    timeout "$TIMEOUT" "${LOCAL_PIN[@]}" $local_cmd "local_$kind" "$ENDPOINT" "$size" "$count" $curve \
        >"$out_local" 2>"$WORK/local.err" &
    pid_local=$!
    wait_listening "$ENDPOINT"
    # shellcheck disable=SC2086
    timeout "$TIMEOUT" "${REMOTE_PIN[@]}" $remote_cmd "remote_$kind" "$ENDPOINT" "$size" "$count" $curve \
        >"$out_remote" 2>"$WORK/remote.err"
    status_remote=$?
    if [ "$status_remote" -ne 0 ]; then
        kill "$pid_local" 2>/dev/null
    fi
    wait "$pid_local"
    status_local=$?
    if [ "$status_remote" -ne 0 ] || [ "$status_local" -ne 0 ]; then
        echo "    failed: local_$kind exit $status_local, remote_$kind exit $status_remote (124: timed out) on $ENDPOINT" >&2
        sed 's/^/    /' "$WORK/local.err" "$WORK/remote.err" | head -5 >&2
        RESULT=fail
        return
    fi
    if [ "$kind" = thr ]; then
        value=$(field_value "$out_local" "mean throughput:") # the msg/s line
    else
        value=$(field_value "$out_remote" "average latency:")
    fi
    RESULT=${value:-fail}
}

# run_inproc KIND CMD SIZE COUNT: sets RESULT to the figure or "fail".
run_inproc() {
    local kind=$1 cmd=$2 size=$3 count=$4 out="$WORK/inproc.out" status value
    : >"$out"
    # shellcheck disable=SC2086
    timeout "$TIMEOUT" "${LOCAL_PIN[@]}" $cmd "inproc_$kind" "$size" "$count" >"$out" 2>"$WORK/inproc.err"
    status=$?
    if [ "$status" -ne 0 ]; then
        echo "    failed: inproc_$kind exit $status (124: timed out)" >&2
        sed 's/^/    /' "$WORK/inproc.err" | head -5 >&2
        RESULT=fail
        return
    fi
    if [ "$kind" = thr ]; then
        value=$(field_value "$out" "mean throughput:")
    else
        value=$(field_value "$out" "average latency:")
    fi
    RESULT=${value:-fail}
}

# ---------------------------------------------------------------- statistics

# median V...: median of the numeric values, ignoring "fail"; "fail" if none.
median() {
    printf '%s\n' "$@" | grep -v '^fail$' | sort -g | awk '
        { v[NR] = $1; if (index($1, ".") > 0) fraction = 1 }
        END {
            if (NR == 0) { print "fail"; exit }
            if (NR % 2 == 1) { print v[(NR + 1) / 2]; exit }
            m = (v[NR / 2] + v[NR / 2 + 1]) / 2
            if (fraction) printf "%.3f\n", m
            else printf "%.0f\n", m
        }'
}

# speed_ratio KIND OURS LIBZMQ: >1 means ours is faster.
speed_ratio() {
    if [ "$2" = fail ] || [ "$3" = fail ]; then
        echo "-"
        return
    fi
    awk -v k="$1" -v o="$2" -v l="$3" 'BEGIN {
        if (k == "thr") { if (l == 0) print "-"; else printf "%.2f\n", o / l }
        else            { if (o == 0) print "-"; else printf "%.2f\n", l / o }
    }'
}

# ---------------------------------------------------------------- cases

# Each case: name|kind|transport|size|count|curve|pairing
# pairing: same (ours vs ours, libzmq vs libzmq), ours-remote (our sender to a
# libzmq receiver), ours-local (a libzmq sender to our receiver).
ALL_CASES=(
    "tcp-64-thr|thr|tcp|64|$TCP_COUNT||same"
    "tcp-64-lat|lat|tcp|64|$LAT_COUNT||same"
    "tcp-64k-thr|thr|tcp|65536|$BIG_COUNT||same"
    "ipc-64-thr|thr|ipc|64|$TCP_COUNT||same"
    "inproc-64-thr|thr|inproc|64|$INPROC_COUNT||same"
    "inproc-64-lat|lat|inproc|64|$INPROC_LAT_COUNT||same"
    "curve-tcp-64-thr|thr|tcp|64|$CURVE_COUNT|curve|same"
    "curve-tcp-64k-thr|thr|tcp|65536|$CURVE_BIG_COUNT|curve|same"
    "mixed-ours-push-64-thr|thr|tcp|64|$TCP_COUNT||ours-remote"
    "mixed-ours-pull-64-thr|thr|tcp|64|$TCP_COUNT||ours-local"
)

describe_case() {
    local name=$1 kind=$2 transport=$3 size=$4 curve=$5 pairing=$6 what
    case $size in
    65536) what="64 KiB" ;;
    *) what="$size B" ;;
    esac
    if [ "$kind" = thr ]; then what="$what thr"; else what="$what lat"; fi
    [ -n "$curve" ] && transport="curve $transport"
    case $pairing in
    ours-remote) echo "$transport $what (ours PUSH -> libzmq PULL)" ;;
    ours-local) echo "$transport $what (libzmq PUSH -> ours PULL)" ;;
    *) echo "$transport $what" ;;
    esac
}

# one_run KIND TRANSPORT SIZE COUNT CURVE LOCAL_CMD REMOTE_CMD: sets RESULT.
one_run() {
    if [ "$2" = inproc ]; then
        run_inproc "$1" "$6" "$3" "$4"
    else
        run_network "$1" "$6" "$7" "$2" "$3" "$4" "$5"
    fi
}

wanted() {
    [ -z "${CASES:-}" ] && return 0
    local c
    for c in $CASES; do
        [ "$c" = "$1" ] && return 0
    done
    return 1
}

ROWS=()
for spec in "${ALL_CASES[@]}"; do
    IFS='|' read -r name kind transport size count curve pairing <<<"$spec"
    wanted "$name" || continue
    label=$(describe_case "$name" "$kind" "$transport" "$size" "$curve" "$pairing")
    case $pairing in
    ours-remote) ours_local=$LIBZMQ ours_remote=$OURS ;;
    ours-local) ours_local=$OURS ours_remote=$LIBZMQ ;;
    *) ours_local=$OURS ours_remote=$OURS ;;
    esac
    ours_values=()
    libzmq_values=()
    for ((i = 1; i <= PAIRS; i++)); do
        one_run "$kind" "$transport" "$size" "$count" "$curve" "$ours_local" "$ours_remote"
        ours_values+=("$RESULT")
        echo "  $label: run $i ours   $RESULT" >&2
        one_run "$kind" "$transport" "$size" "$count" "$curve" "$LIBZMQ" "$LIBZMQ"
        libzmq_values+=("$RESULT")
        echo "  $label: run $i libzmq $RESULT" >&2
    done
    m_ours=$(median "${ours_values[@]}")
    m_libzmq=$(median "${libzmq_values[@]}")
    if [ "$kind" = thr ]; then unit="msg/s"; else unit="us"; fi
    ROWS+=("$label|$count|$unit|$m_ours|$m_libzmq|$(speed_ratio "$kind" "$m_ours" "$m_libzmq")")
done

echo
printf '%-44s %9s %6s %12s %12s %6s\n' "case" "count" "unit" "ours" "libzmq" "ratio"
printf '%-44s %9s %6s %12s %12s %6s\n' "----" "-----" "----" "----" "------" "-----"
for row in "${ROWS[@]}"; do
    IFS='|' read -r label count unit m_ours m_libzmq ratio <<<"$row"
    printf '%-44s %9s %6s %12s %12s %6s\n' "$label" "$count" "$unit" "$m_ours" "$m_libzmq" "$ratio"
done
echo
echo "medians of $PAIRS alternating runs each; ratio = speed of ours / speed of libzmq"
echo "(throughput ours/libzmq, latency libzmq/ours): above 1.00 means ours is faster."
echo "mixed rows: 'ours' is the mixed pair, 'libzmq' is libzmq on both ends."
echo "cases:$(for s in "${ALL_CASES[@]}"; do printf ' %s' "${s%%|*}"; done)"
