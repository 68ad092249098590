#!/bin/sh
# Builds capi/libzmq.so.5 (SONAME libzmq.so.5), the libzmq.so link and
# libzmq.pc, all in capi/. Run from anywhere; `make capi` calls it.
set -e
cd "$(dirname "$0")"
GO=${GO:-$(command -v go 2>/dev/null || echo /usr/local/go/bin/go)}
CGO_ENABLED=1 "$GO" build -buildmode=c-shared \
	-ldflags="-s -w -extldflags=-Wl,-soname,libzmq.so.5,-Bsymbolic-functions,--version-script=$(pwd)/libzmq.map" \
	-o libzmq.so.5 .
rm -f libzmq.h libzmq.so.h
ln -sf libzmq.so.5 libzmq.so
dir=$(pwd)
cat > libzmq.pc <<PC
prefix=$dir
libdir=$dir
includedir=/usr/include

Name: libzmq
Description: libzmq's C API over purezmq (pure-Go ZeroMQ)
Version: 4.3.4
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lzmq
Cflags: -I\${includedir}
PC
echo "built $dir/libzmq.so.5"
