#!/bin/bash
# libzmq 4.3.4's own test programs (tests/ in Debian's zeromq3 source
# package) against purezmq's capi/libzmq.so.5, and against Debian's libzmq
# for reference. Prints one line per program, then
#   capi conformance: N passed, M failed
# for our library. Exits non-zero only when a program listed in
# expected-pass.txt fails on ours; other failures are reported as known.
#
# Environment: CAPI_TEST_TIMEOUT (seconds per program, default 10),
# CAPI_SLOW_TIMEOUT (seconds for the programs libzmq's own suite runs
# longest, listed in slow_programs; default 90), CAPI_JOBS (parallel
# builds and runs, default 2), CAPI_KEEP=1 keeps the
# work directory, CAPI_ONLY="test_a test_b" runs only those programs,
# CAPI_FUZZ_SEED and CAPI_FUZZ_SCALE (default 1 and 1) draw other or more
# inputs for the fuzzer programs (fuzzcorpus.py), CAPI_REFERENCE=0 skips
# the reference run (make test does).
# Nothing from libzmq is committed: the source is fetched into a temporary
# directory and removed afterwards.
set -u
here=$(cd "$(dirname "$0")" && pwd)
capi=$(dirname "$here")
timeout_s=${CAPI_TEST_TIMEOUT:-10}
slow_timeout_s=${CAPI_SLOW_TIMEOUT:-90}
# Programs that take longer than CAPI_TEST_TIMEOUT on libzmq itself by
# design (heartbeat intervals, many handshakes): 12-40 s here on Debian's
# libzmq.
slow_programs="test_heartbeats test_security_curve test_security_zap"
jobs=${CAPI_JOBS:-2}
reference=${CAPI_REFERENCE:-1}
start=$(date +%s)

work=$(mktemp -d /tmp/capi-conformance.XXXXXX)
cleanup() { [ "${CAPI_KEEP:-}" = 1 ] && echo "kept $work" || rm -rf "$work"; }
trap cleanup EXIT

say() { echo "run.sh: $*" >&2; }

# ---- setup: compilers, Debian's libzmq (reference + zmq.h), libsodium ----
. "$here/debsrc.sh"
install_debs run.sh g++ make libzmq3-dev libsodium-dev dpkg-dev pkg-config || exit 2

# ---- our library ----
GO=${GO:-$(command -v go 2>/dev/null || echo /usr/local/go/bin/go)}
GO=$GO sh "$capi/build.sh" >/dev/null || { say "capi build failed"; exit 2; }

# ---- our own ABI smoke test first ----
if gcc -Wall -o "$work/smoke" "$here/smoke.c" -L"$capi" -lzmq 2>"$work/smoke.build" &&
	LD_LIBRARY_PATH="$capi" timeout -k 2 20 "$work/smoke" >"$work/smoke.log" 2>&1; then
	smoke=pass
else
	smoke=FAIL
	cat "$work/smoke.build" "$work/smoke.log" >&2
fi
# What a forked child can do (its calls go to a fresh copy of the library: capi/entry.c).
if gcc -Wall -o "$work/fork" "$here/fork.c" -L"$capi" -lzmq 2>"$work/fork.build" &&
	LD_LIBRARY_PATH="$capi" timeout -k 2 20 "$work/fork" >"$work/fork.log" 2>&1; then
	forkcheck=pass
else
	forkcheck=FAIL
	cat "$work/fork.build" "$work/fork.log" >&2
fi

# ---- libzmq's source ----
cd "$work"
if ! (apt-get source -qq --download-only zeromq3 >/dev/null 2>&1); then
	apt-get update -qq >/dev/null 2>&1
	apt-get source -qq --download-only zeromq3 >/dev/null 2>&1 ||
		{ say "apt-get source zeromq3 failed"; exit 2; }
fi
tar xzf zeromq3_*.orig.tar.gz
src=$(ls -d "$work"/libzmq-* "$work"/zeromq-* 2>/dev/null | head -1)
[ -d "$src/tests" ] || { say "no tests/ in the source"; exit 2; }
# Programs compile against Debian's zmq.h, as any libzmq program would.
ln -sf /usr/include/zmq.h "$src/include/zmq.h"
# testutil and the curve test read build settings from src/platform.hpp,
# which libzmq's configure writes; these are the Linux facts they use.
cat >"$src/src/platform.hpp" <<'PLAT'
#ifndef PUREZMQ_TEST_PLATFORM_HPP
#define PUREZMQ_TEST_PLATFORM_HPP
#define ZMQ_HAVE_LINUX 1
#define ZMQ_HAVE_IPC 1
#define ZMQ_HAVE_CURVE 1
#define ZMQ_USE_LIBSODIUM 1
#define ZMQ_HAVE_SO_PEERCRED 1
#define ZMQ_HAVE_SO_KEEPALIVE 1
#define ZMQ_HAVE_TCP_KEEPCNT 1
#define ZMQ_HAVE_TCP_KEEPIDLE 1
#define ZMQ_HAVE_TCP_KEEPINTVL 1
#define ZMQ_HAVE_UIO 1
#define ZMQ_POLL_BASED_ON_POLL 1
#define ZMQ_CACHELINE_SIZE 64
#define HAVE_CLOCK_GETTIME 1
#define HAVE_FORK 1
#define HAVE_MKDTEMP 1
#endif
PLAT

# ---- which programs, and how ----
cd "$src/tests"
all=$(ls test_*.cpp | sed 's/\.cpp$//')
# The draft programs (Makefile.am's ENABLE_DRAFTS list, plus ws/wss, which
# libzmq 4.3.4 builds only with the draft API).
draft="test_poller test_client_server test_thread_safe test_timers
test_radio_dish test_scatter_gather test_dgram test_app_meta
test_xpub_manual_last_value test_router_notify test_peer
test_reconnect_options test_msg_init test_hello_msg test_disconnect_msg
test_channel test_ws_transport test_wss_transport test_bind_ws_fuzzer
test_connect_ws_fuzzer"
skip_reason() {
	case "$1" in
	*tipc*) echo "TIPC transport not supported" ;;
	*vmci*) echo "VMCI transport not supported" ;;
	*gssapi*) echo "GSSAPI mechanism not supported" ;;
	*) echo "" ;;
	esac
}
is_draft() { case " $(echo $draft) " in *" $1 "*) return 0 ;; esac; return 1; }

progs=""
skipped=""
for t in $all; do
	r=$(skip_reason "$t")
	if [ -n "$r" ]; then
		skipped="$skipped $t"
		printf '%-40s n/a    n/a    (%s)\n' "$t" "$r" >"$work/skip.$t"
	elif [ -n "${CAPI_ONLY:-}" ] && ! case " $CAPI_ONLY " in *" $t "*) true ;; *) false ;; esac; then
		:
	else
		progs="$progs $t"
	fi
done

# libzmq's fuzzer programs (test_*_fuzzer), built without libFuzzer, run
# every input in tests/libzmq-fuzz-corpora/<program>_seed_corpus under
# where they run. libzmq's own corpora live elsewhere, so the inputs are
# ours (fuzzcorpus.py: seeded, the same on every run).
python3 "$here/fuzzcorpus.py" "$work/corpora" "${CAPI_FUZZ_SEED:-1}" "${CAPI_FUZZ_SCALE:-1}" || say "fuzzcorpus.py failed: the fuzzer programs will fail"

# ---- build, in parallel ----
bin="$work/bin"
mkdir -p "$bin" "$work/obj"
inc="-I$src/include -I$src/tests -I$src/external/unity -I$src/src"
{
	echo "CXX=g++"
	echo "CXXFLAGS=-std=gnu++11 -O1 -w -pthread $inc"
	echo "LIBS=-L$capi -lzmq -lsodium -pthread -Wl,--unresolved-symbols=ignore-all"
	echo "UTIL=$work/obj/testutil.o $work/obj/testutil_unity.o $work/obj/testutil_monitoring.o $work/obj/testutil_security.o $work/obj/unity.o"
	echo "all:$(for t in $progs; do printf ' %s' "$bin/$t"; done)"
	for u in testutil testutil_unity testutil_monitoring testutil_security; do
		echo "$work/obj/$u.o: $src/tests/$u.cpp"
		printf '\t@$(CXX) $(CXXFLAGS) -c $< -o $@\n'
	done
	echo "$work/obj/unity.o: $src/external/unity/unity.c"
	printf '\t@gcc -O1 -w -c $< -o $@\n'
	for t in $progs; do
		flags=""
		extra=""
		if is_draft "$t"; then flags="-DZMQ_BUILD_DRAFT_API"; fi
		if [ "$t" = test_security_curve ]; then
			extra="$src/src/clock.cpp $src/src/random.cpp $src/src/err.cpp"
		fi
		echo "$bin/$t: $src/tests/$t.cpp \$(UTIL)"
		printf '\t@$(CXX) $(CXXFLAGS) %s -o $@ $< %s $(UTIL) $(LIBS) 2>%s || true\n' \
			"$flags" "$extra" "$work/obj/$t.buildlog"
	done
} >"$work/Makefile"
say "building $(echo $progs | wc -w) programs with -j$jobs"
make -s -j"$jobs" -f "$work/Makefile" all >"$work/build.log" 2>&1 || say "build: see errors below"
build_s=$(( $(date +%s) - start ))

# ---- run: each program on ours and on Debian's libzmq ----
run_one() { # lib prog
	local lib=$1 t=$2 dir="$work/run/$1.$2" rc limit=$timeout_s
	case " $slow_programs " in *" $t "*) limit=$slow_timeout_s ;; esac
	mkdir -p "$dir/tests"
	ln -sfn "$work/corpora" "$dir/tests/libzmq-fuzz-corpora"
	if [ ! -x "$bin/$t" ]; then
		echo "build" >"$work/res.$lib.$t"
		return
	fi
	if [ "$lib" = ours ]; then
		(cd "$dir" && LD_LIBRARY_PATH="$capi" timeout -k 2 "$limit" "$bin/$t" >"$dir/log" 2>&1) 2>/dev/null
	else
		(cd "$dir" && timeout -k 2 "$limit" "$bin/$t" >"$dir/log" 2>&1) 2>/dev/null
	fi
	rc=$?
	case $rc in
	0) echo pass ;;
	124 | 137) echo timeout ;;
	*) echo "fail" ;;
	esac >"$work/res.$lib.$t"
	rm -rf "$dir"/*.ipc 2>/dev/null
}
export -f run_one
export work bin capi timeout_s slow_timeout_s slow_programs
# Ours first, then the reference, so that a program never runs against
# itself (some take fixed ports).
libs="ours"
[ "$reference" = 1 ] && libs="ours ref"
for lib in $libs; do
	for t in $progs; do echo "$lib $t"; done |
		xargs -P "$((jobs + 1))" -n 2 bash -c 'run_one "$0" "$1"'
done

# A listed program that failed runs once more, alone, before it counts as
# a regression: the machine is shared, and some programs use fixed ports
# and timings.
for t in $progs; do
	if [ "$(cat "$work/res.ours.$t" 2>/dev/null)" != pass ] && grep -qx "$t" "$here/expected-pass.txt"; then
		say "running $t again"
		run_one ours "$t"
	fi
done

# ---- report ----
expected="$here/expected-pass.txt"
pass=0
fail=0
ref_pass=0
ref_fail=0
regress=""
printf '%-40s %-7s %-7s\n' program ours libzmq
for t in $all; do
	if [ -f "$work/skip.$t" ]; then
		cat "$work/skip.$t"
		continue
	fi
	case " $progs " in *" $t "*) ;; *) continue ;; esac
	o=$(cat "$work/res.ours.$t" 2>/dev/null || echo missing)
	r=$(cat "$work/res.ref.$t" 2>/dev/null || echo missing)
	[ "$reference" = 1 ] || r=-
	note=""
	if [ "$o" = pass ]; then pass=$((pass + 1)); else
		fail=$((fail + 1))
		if grep -qx "$t" "$expected" 2>/dev/null; then
			regress="$regress $t"
			note="REGRESSION (listed in expected-pass.txt)"
		else
			note="known failure"
		fi
	fi
	if [ "$r" = pass ]; then ref_pass=$((ref_pass + 1)); else ref_fail=$((ref_fail + 1)); fi
	is_draft "$t" && note="$note${note:+, }draft"
	printf '%-40s %-7s %-7s %s\n' "$t" "$o" "$r" "$note"
done
echo "capi ABI smoke test (conformance/smoke.c): $smoke"
echo "capi forked child (conformance/fork.c): $forkcheck"
echo "skipped (not applicable):$(echo $skipped | wc -w) programs"
if [ "$reference" = 1 ]; then
	echo "reference (Debian libzmq 4.3.4): $ref_pass passed, $ref_fail failed"
else
	echo "reference (Debian libzmq 4.3.4): skipped (CAPI_REFERENCE=0)"
fi
echo "time: $(( $(date +%s) - start ))s (build ${build_s}s)"
echo "capi conformance: $pass passed, $fail failed"
remove_deb_src
[ "$smoke" = pass ] || regress="$regress smoke.c"
[ "$forkcheck" = pass ] || regress="$regress fork.c"
if [ -n "$regress" ]; then
	echo "capi conformance: regressions:$regress"
	exit 1
fi
exit 0
