#!/usr/bin/env bash
# setup.sh installs zeromq.js into interop/node/node_modules for the interop
# tests that need libzmq's draft socket types and ws transport (Debian's
# libzmq has neither). It installs Node.js with apt-get when it is missing.
# Failure is not fatal: those tests then skip and say why.
set -u
cd "$(dirname "$0")" || exit 0

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "installing nodejs and npm for the zeromq.js interop tests"
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    fi
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "npm not available: the zeromq.js interop tests will skip"
    exit 0
fi
if [ ! -d node_modules/zeromq ]; then
    npm install --no-audit --no-fund --loglevel=error >/dev/null 2>&1 ||
        echo "npm install zeromq failed: the zeromq.js interop tests will skip"
fi
if node -e 'const z = require("zeromq"); console.log("zeromq.js peer:", "libzmq", z.version, "draft", z.capability.draft)' 2>/dev/null; then
    :
else
    echo "zeromq.js does not load: the zeromq.js interop tests will skip"
fi
exit 0
