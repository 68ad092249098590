#!/bin/bash
# CZMQ 4.2.1's own selftest (czmq_selftest, from Debian's czmq source
# package) on purezmq's capi/libzmq.so.5. CZMQ is the high-level C binding
# most libzmq programs in C use; its selftest drives sockets of every
# stable type, zactor, zloop, zpoller, zproxy, zmonitor, zauth with
# CURVE and PLAIN, zbeacon, zgossip, and every socket option's setter and
# getter through libzmq's C API.
#
# The selftest is built from CZMQ's source with its draft API on (so it
# also runs zproc, ztimerset, zargs, ztrie, zosc and the draft socket
# options) and linked to our library. CZMQ's optional libraries (libcurl,
# liblz4, libmicrohttpd, nss, uuid) are left out: the zhttp classes then
# test nothing, and zstr's compressed strings and zuuid use CZMQ's own
# code.
#
# Prints each test's line and
#   capi czmq: N passed, M failed
# and exits non-zero when one failed twice. CAPI_CZMQ_REFERENCE=1 (the
# default; make test sets 0) first runs the stable selftest on Debian's
# libczmq and libzmq, which cannot run the draft build, as a reference.
# CAPI_CZMQ_TIMEOUT (seconds, default 180). Nothing from CZMQ is
# committed: the source is fetched into a temporary directory and removed
# afterwards.
set -u
here=$(cd "$(dirname "$0")" && pwd)
capi=$(dirname "$here")
timeout_s=${CAPI_CZMQ_TIMEOUT:-180}
reference=${CAPI_CZMQ_REFERENCE:-1}
start=$(date +%s)

work=$(mktemp -d /tmp/capi-czmq.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

say() { echo "czmq.sh: $*" >&2; }

# ---- setup: a compiler, zmq.h, and Debian's CZMQ for the reference ----
. "$here/debsrc.sh"
install_debs czmq.sh gcc dpkg-dev libzmq3-dev libczmq-dev pkg-config || exit 2
GO=${GO:-$(command -v go 2>/dev/null || echo /usr/local/go/bin/go)}
GO=$GO sh "$capi/build.sh" >/dev/null || { say "capi build failed"; exit 2; }

# ---- CZMQ's source ----
cd "$work"
if ! (apt-get source -qq --download-only czmq >/dev/null 2>&1); then
	apt-get update -qq >/dev/null 2>&1
	apt-get source -qq --download-only czmq >/dev/null 2>&1 ||
		{ say "apt-get source czmq failed"; remove_deb_src; exit 2; }
fi
remove_deb_src
tar xzf czmq_*.orig.tar.gz
src=$(ls -d "$work"/czmq-* 2>/dev/null | head -1)
[ -f "$src/src/czmq_selftest.c" ] || { say "no src/czmq_selftest.c in the source"; exit 2; }

# The tarball's platform.h is the one its maintainers' configure wrote;
# it names the optional libraries, which are not installed here.
sed -i -E 's@^#define (HAVE_LIBCURL|HAVE_LIBLZ4|HAVE_LIBMICROHTTPD|HAVE_NSS|HAVE_UUID) 1@/* \1: not here */@' \
	"$src/src/platform.h"

# ---- build: CZMQ's classes once, then the selftest and zsp ----
# zsp is the helper process zproc's test starts; it looks for src/zsp.
mains="czmq_selftest.c czmq_private_selftest.c zmakecert.c zsp.c test_randof.c"
flags="-O1 -w -pthread -DCZMQ_BUILD_DRAFT_API -DZMQ_BUILD_DRAFT_API -I$src/include -I$src/src"
mkdir -p "$work/obj"
for f in "$src"/src/*.c; do
	case " $mains " in *" $(basename "$f") "*) continue ;; esac
	echo "$f"
done | xargs -P 2 -I{} sh -c 'gcc '"$flags"' -c "$1" -o "'"$work"'/obj/$(basename "$1" .c).o"' _ {} ||
	{ say "building CZMQ's classes failed"; exit 2; }
# Both find our library by their run path: zproc's test starts zsp with an
# environment of its own, without LD_LIBRARY_PATH.
link="-L$capi -lzmq -Wl,-rpath,$capi -pthread"
gcc $flags -o "$work/czmq_selftest" "$src/src/czmq_selftest.c" "$src/src/czmq_private_selftest.c" \
	"$work"/obj/*.o $link &&
	gcc $flags -o "$src/src/zsp" "$src/src/zsp.c" "$work"/obj/*.o $link ||
	{ say "building czmq_selftest failed"; exit 2; }
build_s=$(($(date +%s) - start))

# ---- run: each test in a process of its own ----
# The selftest stops at its first failed assertion, so each test runs
# alone (czmq_selftest -t NAME), and one that fails runs once more before
# it counts: some of CZMQ's tests race on their own (zgossip_test expects
# two actors' tuples in the order the actors were made, and failed 1 of 10
# runs on Debian's CZMQ and libzmq here).
run_suite() { # label binary [LD_LIBRARY_PATH]
	local label=$1 bin=$2 libpath=${3:-} t
	suite_pass=0
	suite_fail=0
	suite_failed=""
	for t in $(cd "$src" && LD_LIBRARY_PATH="$libpath" "$bin" -l | awk 'NR > 1 && NF { print $1 }'); do
		if ! (cd "$src" && LD_LIBRARY_PATH="$libpath" timeout -k 5 "$timeout_s" "$bin" -t "$t") >"$work/$label.$t.log" 2>&1; then
			say "$label: $t failed; running it once more"
			sed 's/^/    /' "$work/$label.$t.log" | tail -5 >&2
			if ! (cd "$src" && LD_LIBRARY_PATH="$libpath" timeout -k 5 "$timeout_s" "$bin" -t "$t") >"$work/$label.$t.log" 2>&1; then
				suite_fail=$((suite_fail + 1))
				suite_failed="$suite_failed $t"
				cat "$work/$label.$t.log"
				continue
			fi
		fi
		suite_pass=$((suite_pass + 1))
		grep '^ \* ' "$work/$label.$t.log"
	done
}

# The reference: the stable selftest on Debian's CZMQ and libzmq.
ref="skipped"
if [ "$reference" = 1 ]; then
	if gcc -w -o "$work/czmq_selftest_stable" "$src/src/czmq_selftest.c" -I"$src/include" -I"$src/src" \
		$(pkg-config --cflags --libs libczmq libzmq); then
		echo "-- reference: Debian's libczmq 4.2.1 and libzmq 4.3.4, stable classes"
		run_suite ref "$work/czmq_selftest_stable"
		ref="$suite_pass passed, $suite_fail failed${suite_failed:+ (}${suite_failed# }${suite_failed:+)}"
	else
		ref="build failed"
	fi
fi

echo "-- ours: capi/libzmq.so.5, CZMQ with its draft API"
run_suite ours "$work/czmq_selftest" "$capi"
echo "reference (Debian's libczmq and libzmq): $ref"
echo "time: $(($(date +%s) - start))s (build ${build_s}s)"
echo "capi czmq: $suite_pass passed, $suite_fail failed${suite_failed:+ (}${suite_failed# }${suite_failed:+)}"
[ "$suite_fail" = 0 ]
