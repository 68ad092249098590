#!/usr/bin/env bash
# Runs pebbe/zmq4's own test files, unchanged but for the import path,
# against purezmq. pebbe's code is fetched into the Go module cache by the go
# command and copied into a temporary module; nothing of it enters this tree.
#
#   bash parity/pebbe.sh [go test flags...]
#
# Exits non-zero unless every test passes.
set -euo pipefail

PEBBE_VERSION=${PEBBE_VERSION:-v1.4.0}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
root=$(cd "$(dirname "$0")/.." && pwd)

src=$("$GO" mod download -json "github.com/pebbe/zmq4@$PEBBE_VERSION" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$src" ] || [ ! -d "$src" ]; then
	echo "pebbe/zmq4 $PEBBE_VERSION: could not download it with the go command" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A module of its own that uses this checkout in place of its release.
cat >"$work/go.mod" <<MOD
module pebbeparity

go 1.26.0

require github.com/purezmq/zmq4 v0.0.0

replace github.com/purezmq/zmq4 => $root
MOD
cp "$root/go.sum" "$work/go.sum"

count=0
for f in "$src"/*_test.go; do
	sed 's#"github.com/pebbe/zmq4"#"github.com/purezmq/zmq4"#' "$f" >"$work/$(basename "$f")"
	count=$((count + 1))
done
echo "pebbe/zmq4 $PEBBE_VERSION: $count test files from $src, import path swapped"

cd "$work"
GOFLAGS=-mod=mod "$GO" mod tidy >/dev/null 2>&1 || true
set +e
GOFLAGS=-mod=mod "$GO" test -count=1 -v "$@" . >"$work/out.txt" 2>&1
status=$?
set -e
grep -v '^=== \(RUN\|PAUSE\|CONT\)' "$work/out.txt" || true
pass=$(grep -c '^--- PASS' "$work/out.txt" || true)
fail=$(grep -c '^--- FAIL' "$work/out.txt" || true)
skip=$(grep -c '^--- SKIP' "$work/out.txt" || true)
echo "pebbe/zmq4 $PEBBE_VERSION's own tests against purezmq:"
echo "pebbe: $pass passed, $fail failed, $skip skipped"
exit "$status"
