#!/bin/bash
# libzmq 4.3.4's perf programs (perf/ in Debian's zeromq3 source package)
# linked against purezmq's capi/libzmq.so.5 and, for reference, Debian's
# libzmq: local_thr/remote_thr and local_lat/remote_lat over tcp loopback,
# and inproc_thr/inproc_lat. Prints one line per measurement and library.
#
# With CAPI_PERF_ROUNDS=N it then runs N rounds of tcp throughput, each
# round alternating this library, `zmq perf local_thr/remote_thr` over the
# Go API of the same checkout and Debian's libzmq, and prints the medians
# and their ratios (the C library's figure against the Go API's is issue
# 9's target).
#
# Environment: CAPI_PERF_SIZE (bytes, default 64), CAPI_PERF_COUNT
# (throughput messages, default 1000000), CAPI_PERF_RT (latency round
# trips, default 20000), CAPI_PERF_ROUNDS (default 0). Needs what run.sh
# needs; fetches the source into a temporary directory and removes it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
capi=$(dirname "$here")
size=${CAPI_PERF_SIZE:-64}
count=${CAPI_PERF_COUNT:-1000000}
rts=${CAPI_PERF_RT:-20000}
work=$(mktemp -d /tmp/capi-perf.XXXXXX)
trap 'rm -rf "$work"' EXIT

GO=${GO:-$(command -v go 2>/dev/null || echo /usr/local/go/bin/go)}
GO=$GO sh "$capi/build.sh" >/dev/null || { echo "perf.sh: capi build failed" >&2; exit 2; }
cd "$work"
. "$here/debsrc.sh"
add_deb_src
[ -n "${need_update:-}" ] && apt-get update -qq >/dev/null 2>&1
apt-get source -qq --download-only zeromq3 >/dev/null 2>&1
got=$?
remove_deb_src
[ "$got" -eq 0 ] || { echo "perf.sh: apt-get source zeromq3 failed" >&2; exit 2; }
tar xzf zeromq3_*.orig.tar.gz
src=$(ls -d "$work"/libzmq-* "$work"/zeromq-* 2>/dev/null | head -1)
ln -sf /usr/include/zmq.h "$src/include/zmq.h"
printf '#define ZMQ_HAVE_LINUX 1\n' >"$src/perf/platform.hpp"
for p in local_thr remote_thr local_lat remote_lat inproc_thr inproc_lat; do
	g++ -O2 -w -pthread -I"$src/perf" -o "$work/$p" "$src/perf/$p.cpp" -L"$capi" -lzmq ||
		{ echo "perf.sh: cannot build $p" >&2; exit 2; }
done

# val FILE KEY: the number on FILE's line containing KEY.
val() { awk -F': ' -v k="$2" 'index($0, k) { split($2, a, " "); print a[1] }' "$1"; }

# measure LABEL [LD_LIBRARY_PATH]
measure() {
	local label=$1 lib=${2:-} port
	port=$((20000 + RANDOM % 20000))
	local env_lib=()
	[ -n "$lib" ] && env_lib=(env LD_LIBRARY_PATH="$lib")
	"${env_lib[@]}" timeout 120 "$work/local_thr" "tcp://127.0.0.1:$port" "$size" "$count" >"$work/thr.$label" 2>&1 &
	local lp=$!
	sleep 0.5
	"${env_lib[@]}" timeout 120 "$work/remote_thr" "tcp://127.0.0.1:$port" "$size" "$count" >/dev/null 2>&1
	wait $lp
	port=$((port + 1))
	"${env_lib[@]}" timeout 120 "$work/local_lat" "tcp://127.0.0.1:$port" "$size" "$rts" >/dev/null 2>&1 &
	lp=$!
	sleep 0.5
	"${env_lib[@]}" timeout 120 "$work/remote_lat" "tcp://127.0.0.1:$port" "$size" "$rts" >"$work/lat.$label" 2>&1
	wait $lp
	"${env_lib[@]}" timeout 120 "$work/inproc_thr" "$size" "$count" >"$work/ithr.$label" 2>&1
	"${env_lib[@]}" timeout 120 "$work/inproc_lat" "$size" "$rts" >"$work/ilat.$label" 2>&1
	printf '%-8s tcp  %s B: %12s msg/s  %10s Mb/s   latency %8s us\n' "$label" "$size" \
		"$(val "$work/thr.$label" '[msg/s]')" "$(val "$work/thr.$label" '[Mb/s]')" \
		"$(val "$work/lat.$label" 'average latency')"
	printf '%-8s inproc %s B: %10s msg/s  %10s Mb/s   latency %8s us\n' "$label" "$size" \
		"$(val "$work/ithr.$label" '[msg/s]')" "$(val "$work/ithr.$label" '[Mb/s]')" \
		"$(val "$work/ilat.$label" 'average latency')"
}
measure purezmq "$capi"
measure libzmq

rounds=${CAPI_PERF_ROUNDS:-0}
[ "$rounds" -gt 0 ] || exit 0
(cd "$capi/.." && "$GO" build -o "$work/zmq" ./cmd/zmq) || { echo "perf.sh: cannot build cmd/zmq" >&2; exit 2; }

# thr LABEL: one tcp throughput run of LABEL (capi, go or libzmq); prints
# its msg/s.
thr() {
	local port=$((20000 + RANDOM % 20000)) local_cmd remote_cmd env_lib=()
	case $1 in
	capi) env_lib=(env LD_LIBRARY_PATH="$capi") ;&
	libzmq) local_cmd=("$work/local_thr") remote_cmd=("$work/remote_thr") ;;
	go) local_cmd=("$work/zmq" perf local_thr) remote_cmd=("$work/zmq" perf remote_thr) ;;
	esac
	"${env_lib[@]}" timeout 120 "${local_cmd[@]}" "tcp://127.0.0.1:$port" "$size" "$count" >"$work/round.out" 2>&1 &
	local lp=$!
	sleep 0.3
	"${env_lib[@]}" timeout 120 "${remote_cmd[@]}" "tcp://127.0.0.1:$port" "$size" "$count" >/dev/null 2>&1
	wait $lp
	# Both print "mean throughput: N [msg/s]".
	awk '/mean throughput:/ && /msg\/s/ { print $(NF - 1); exit }' "$work/round.out"
}
: >"$work/rounds"
for ((r = 1; r <= rounds; r++)); do
	echo "$(thr capi) $(thr go) $(thr libzmq)" | tee -a "$work/rounds"
done
awk -v n="$rounds" '
function median(a, k,   i, j, t) {
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
{ c[NR] = $1; g[NR] = $2; l[NR] = $3 }
END {
	mc = median(c, NR); mg = median(g, NR); ml = median(l, NR)
	printf "tcp %s B, %d rounds, medians: C library %.0f msg/s, Go API %.0f, libzmq %.0f\n", size, NR, mc, mg, ml
	printf "C library / Go API: %.2fx   C library / libzmq: %.2fx\n", mc / mg, mc / ml
}' size="$size" "$work/rounds"
