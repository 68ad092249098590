#!/bin/bash
# pyzmq's own test suite (Debian's python3-zmq installs it under
# zmq/tests) run on purezmq's capi/libzmq.so.5 (first on LD_LIBRARY_PATH),
# then on Debian's libzmq for reference. Prints both counts and
#   capi pyzmq: N passed, M failed
# for our library. Exits non-zero only when a test listed in
# pyzmq-expected-pass.txt does not pass on ours.
#
# Environment: CAPI_PYZMQ_TIMEOUT (seconds per test, default 20),
# CAPI_PYZMQ_REFERENCE=0 skips the reference run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
capi=$(dirname "$here")
py=/usr/bin/python3
per_test=${CAPI_PYZMQ_TIMEOUT:-20}
start=$(date +%s)
work=$(mktemp -d /tmp/capi-pyzmq.XXXXXX)
trap 'rm -rf "$work"' EXIT

need=""
# cython3 for test_cython, which compiles an extension against pyzmq's
# Cython API at run time (pyximport; the compiler and Python's headers
# come with python3-dev); tornado, gevent and numpy for the tests of
# pyzmq's futures, ZMQStream, ioloop, zmq.green and buffers, which skip
# without them.
for p in python3-zmq python3-pytest python3-pytest-timeout cython3 python3-dev \
	python3-tornado python3-gevent python3-numpy; do
	dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
	echo "pyzmq.sh: installing$need" >&2
	apt-get update -qq >/dev/null 2>&1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null 2>&1 ||
		{ echo "pyzmq.sh: cannot install$need" >&2; exit 2; }
fi
GO=${GO:-$(command -v go 2>/dev/null || echo /usr/local/go/bin/go)}
[ -f "$capi/libzmq.so.5" ] || GO=$GO sh "$capi/build.sh" >/dev/null ||
	{ echo "pyzmq.sh: capi build failed" >&2; exit 2; }
tests=$($py -c 'import os, zmq.tests; print(os.path.dirname(zmq.tests.__file__))')

# run LABEL [LD_LIBRARY_PATH]: runs the suite, leaving the summary lines in
# $work/LABEL.out and the passing test ids in $work/LABEL.pass.
run() {
	local label=$1 lib=${2:-}
	local t0=$(date +%s)
	# In a session of its own, so that whatever the suite leaves behind (a
	# forked child that never exits, say) is killed with it.
	(cd "$work" && env ${lib:+LD_LIBRARY_PATH="$lib"} PYTHONDONTWRITEBYTECODE=1 \
		setsid -w sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$work/$label.sid" \
		timeout -k 10 900 $py -m pytest -q -p no:cacheprovider \
		--timeout="$per_test" -rA "$tests" >"$work/$label.out" 2>&1)
	# The shell setsid started led the new session: its pid is the session
	# id.
	[ -s "$work/$label.sid" ] && pkill -9 -s "$(cat "$work/$label.sid")" 2>/dev/null
	grep '^PASSED ' "$work/$label.out" | sed 's/^PASSED //; s/ - .*//; s|^.*/zmq/tests/||' |
		sort -u >"$work/$label.pass"
	local summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed)|^=+ .*(passed|failed).* =+$' "$work/$label.out" | tail -1 | sed 's/=//g; s/^ *//; s/ *$//')
	echo "pyzmq on $label: ${summary:-no summary (the run was cut short)} [$(( $(date +%s) - t0 ))s]"
}

# Make sure the library pyzmq loads is ours in the first run.
LD_LIBRARY_PATH="$capi" $py -c 'import zmq; s = zmq.Context().socket(zmq.PAIR); s.close()' ||
	{ echo "pyzmq.sh: pyzmq cannot load capi/libzmq.so.5" >&2; exit 2; }

run purezmq "$capi"
[ "${CAPI_PYZMQ_REFERENCE:-1}" = 1 ] && run libzmq

# Tests whose outcome is decided by a race in the test itself, which
# Debian's libzmq loses too; they are never counted as regressions.
# test_blank_root_topic subscribes over tcp and publishes about half a
# millisecond later, and waits without a timeout for what it published: a
# subscription still on its way means the message is dropped, as PUB does
# (libzmq: 9 hangs in 20 runs of that test alone on this machine; ours
# about as often). Its hang also leaves its log handler behind, so the
# other TestPubLog tests of that run fail too and pass on the rerun.
racy="test_log.py::TestPubLog::test_blank_root_topic"

passed=$(wc -l <"$work/purezmq.pass")
failed=$(grep -cE '^(FAILED|ERROR) [^ ]*::' "$work/purezmq.out")
expected="$here/pyzmq-expected-pass.txt"
missing=""
if [ -f "$expected" ]; then
	missing=$(comm -23 <(grep -v '^#' "$expected" | grep -vxF "$racy" | sort -u) "$work/purezmq.pass")
fi
# Listed tests that did not pass run again, on their own, up to twice,
# before they count as regressions: the machine is shared, some tests are
# timed, and test_tracker (TestSocket's and TestSocketGreen's) fails about
# one run in ten here, since this library releases a zero-copy buffer once
# it has copied it, where libzmq holds it until the message is sent (see
# capi/README.md).
for attempt in 1 2; do
	[ -n "$missing" ] || break
	echo "pyzmq.sh: running again:" $missing >&2
	ids=$(echo "$missing" | sed "s|^|$tests/|")
	(cd "$work" && LD_LIBRARY_PATH="$capi" PYTHONDONTWRITEBYTECODE=1 \
		setsid -w sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$work/retry.sid" \
		timeout -k 10 300 $py -m pytest -q -p no:cacheprovider \
		--timeout="$per_test" -rA $ids >"$work/retry.out" 2>&1)
	[ -s "$work/retry.sid" ] && pkill -9 -s "$(cat "$work/retry.sid")" 2>/dev/null
	grep '^PASSED ' "$work/retry.out" | sed 's/^PASSED //; s/ - .*//; s|^.*/zmq/tests/||' |
		sort -u >"$work/retry.pass"
	missing=$(comm -23 <(echo "$missing" | sort -u) "$work/retry.pass")
done
if [ -n "${CAPI_PYZMQ_WRITE_EXPECTED:-}" ]; then
	grep -vxF "$racy" "$work/purezmq.pass" >"$expected"
fi
grep -E '^(FAILED|ERROR) [^ ]*::' "$work/purezmq.out" | sed 's|^\([A-Z]*\) .*/zmq/tests/|\1 |; s/^/  purezmq: /' | cut -c1-160
echo "time: $(( $(date +%s) - start ))s"
for t in $racy; do
	grep -qxF "$t" "$work/purezmq.pass" || echo "  racy (not counted as a regression; libzmq loses it too): $t"
done
echo "capi pyzmq: $passed passed, $failed failed"
if [ -n "$missing" ]; then
	echo "capi pyzmq: regressions (in pyzmq-expected-pass.txt, not passing):"
	echo "$missing" | sed 's/^/  /'
	exit 1
fi
exit 0
