#!/usr/bin/env bash
# parity/wirediff.sh: the wire differential (parity/wirediff.py) between
# Debian's libzmq 4.3 and capi/libzmq.so.5, the same generated input to
# each through pyzmq; fails when what they did differs. It runs COUNT
# cases of input after the handshake, HS_COUNT cases of generated
# handshakes, ZAP_COUNT cases of generated ZAP replies and CONNECT_COUNT
# cases of a connecting socket meeting a generated server.
#
#   SEED=1 COUNT=100 HS_COUNT=50 ZAP_COUNT=40 CONNECT_COUNT=40 bash parity/wirediff.sh
set -eu
cd "$(dirname "$0")/.."
SEED=${SEED:-1}
COUNT=${COUNT:-100}
HS_COUNT=${HS_COUNT:-50}
ZAP_COUNT=${ZAP_COUNT:-40}
CONNECT_COUNT=${CONNECT_COUNT:-40}
py=/usr/bin/python3
capi=$PWD/capi
[ -f "$capi/libzmq.so.5" ] || GO=${GO:-go} sh capi/build.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/wirediff.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
for run in "after $COUNT" "handshake $HS_COUNT" "zap $ZAP_COUNT" "connect $CONNECT_COUNT"; do
	set -- $run
	mode=$1 count=$2
	t0=$(date +%s)
	$py parity/wirediff.py run "$SEED" "$count" "$mode" >"$work/libzmq.jsonl" 2>"$work/libzmq.err"
	LD_LIBRARY_PATH="$capi" $py parity/wirediff.py run "$SEED" "$count" "$mode" >"$work/capi.jsonl" 2>"$work/capi.err"
	if ! grep -q "$capi/libzmq.so.5" "$work/capi.err"; then
		echo "wirediff.sh: pyzmq did not load capi/libzmq.so.5: $(cat "$work/capi.err")" >&2
		exit 2
	fi
	if $py parity/wirediff.py compare "$work/libzmq.jsonl" "$work/capi.jsonl"; then
		echo "wire differential ($mode): $count cases (seed $SEED), no difference from libzmq [$(($(date +%s) - t0))s]"
	else
		echo "wire differential ($mode): capi/libzmq.so.5 differs from libzmq (first: libzmq, second: ours)" >&2
		status=1
	fi
done
exit $status
