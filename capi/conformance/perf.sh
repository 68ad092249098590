#!/bin/bash
# libzmq 4.3.4's perf programs (perf/ in Debian's zeromq3 source package)
# linked against purezmq's capi/libzmq.so.5 and, for reference, Debian's
# libzmq: local_thr/remote_thr and local_lat/remote_lat over tcp loopback,
# and inproc_thr/inproc_lat. Prints one line per measurement and library.
#
# Environment: CAPI_PERF_SIZE (bytes, default 64), CAPI_PERF_COUNT
# (throughput messages, default 1000000), CAPI_PERF_RT (latency round
# trips, default 20000). Needs what run.sh needs; fetches the source into a
# temporary directory and removes it.
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
apt-get source -qq --download-only zeromq3 >/dev/null 2>&1 ||
	{ echo "perf.sh: apt-get source zeromq3 failed (run run.sh once for the deb-src setup)" >&2; exit 2; }
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
