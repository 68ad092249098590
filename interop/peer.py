#!/usr/bin/python3
"""A scriptable libzmq peer for purezmq's interop tests.

One process owns one socket: a libzmq socket (through pyzmq) or, with
--type TCP, a plain TCP socket that speaks no ZMTP at all. The Go tests start
it with the socket described on the command line, read "READY <endpoint>",
then send one command per line on stdin and read exactly one reply line per
command on stdout.

Frames travel as lowercase hex; "-" stands for an empty frame, so empty and
binary frames survive the line protocol.

Numbered messages (sendn, recvn, pingn) carry their sequence number as an
8-byte big-endian integer followed by SIZE-8 copies of the sequence number's
low byte. A message whose last frame is exactly b"SYNC" is a probe used to
wait for subscriptions to settle; recvn skips probes.

ZMQ commands and replies:
  send F...           send one multipart message        -> SENT | ERR ...
  sendwait F...       like send, retrying while the peer is unroutable
                      (EHOSTUNREACH) or the pipe is full, until --timeout
                                                        -> SENT | ERR ...
  recv [MS]           receive one message                -> MSG F... | TIMEOUT
  echo N              receive N messages, send each back -> ECHOED N | BAD ...
  sendn N SIZE [F...] send N numbered messages, each after the prefix frames
                                                        -> SENT N | BAD ...
  recvn N [F...]      receive N numbered messages in order, skipping probes;
                      when prefix frames are given each message must start
                      with exactly them                   -> OK N | BAD ...
  recvmono END        receive numbered messages (probes skipped) until one
                      numbered END or more arrives; none may come twice,
                      gaps (losses) are allowed; RUNS is the fewest
                      strictly rising runs the numbers split into (order
                      is kept per connection, so at most the connections)
                                                        -> OK GOT RUNS | BAD ...
  pingn N SIZE [F...] N times: send a numbered message after the prefix
                      frames, receive one, its last frame must equal the
                      numbered body                       -> OK N | BAD ...
  sendsync [F...]     send probes (prefix frames + "SYNC") every 10 ms
                      until the next stdin line arrives; that line is
                      consumed                            -> SYNCED N
  subscribe F / unsubscribe F                           -> OK
  sockopt NAME VALUE  setsockopt by libzmq option name (VALUE int or text)
                                                        -> OK | ERR ...
  bind EP / connect EP / unbind EP / disconnect EP      -> OK <endpoint> | ERR
  close               close the socket                   -> CLOSED
  quit                close everything and exit          -> BYE

TCP (plain socket) commands and replies:
  send F...           write the frames' bytes            -> SENT
  recvbytes N         read exactly N bytes                -> MSG F | EOF F | TIMEOUT F
  recveof             read until the peer closes          -> EOF F | TIMEOUT F
  close / quit                                            -> CLOSED / BYE
"""

import argparse
import bisect
import os
import select
import socket
import sys
import time

import zmq

SYNC = b"SYNC"


def encode_frames(frames):
    return " ".join(bytes(f).hex() if len(f) else "-" for f in frames)


def decode_frames(tokens):
    return [b"" if t == "-" else bytes.fromhex(t) for t in tokens]


def numbered(seq, size):
    size = max(size, 8)
    return seq.to_bytes(8, "big") + bytes((seq & 0xFF,)) * (size - 8)


def check_numbered(frame, seq):
    """Returns None when frame is numbered message seq, else a description."""
    if len(frame) < 8:
        return "short body %s" % encode_frames([frame[:64]])
    got = int.from_bytes(frame[:8], "big")
    if got != seq:
        return "sequence %d, want %d" % (got, seq)
    if frame != numbered(seq, len(frame)):
        return "corrupt filler in message %d" % seq
    return None


class LineReader:
    """Reads stdin lines on the raw file descriptor so that pending() is exact."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = bytearray()
        self.eof = False
        self.idle = None  # called about every 10 ms while waiting for input

    def pending(self, timeout):
        if b"\n" in self.buf or self.eof:
            return True
        ready, _, _ = select.select([self.fd], [], [], timeout)
        return bool(ready)

    def readline(self):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[: i + 1]
                return line.decode()
            if self.eof:
                if self.buf:
                    line = bytes(self.buf)
                    self.buf.clear()
                    return line.decode()
                return None
            ready, _, _ = select.select([self.fd], [], [], 0.01)
            if not ready:
                if self.idle is not None:
                    self.idle()
                continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.eof = True
            else:
                self.buf += chunk


def reply(text):
    out = sys.stdout.buffer
    out.write(text.encode() + b"\n")
    out.flush()


def option_value(text):
    try:
        return int(text)
    except ValueError:
        return text.encode()


class ZmqPeer:
    def __init__(self, args, reader):
        self.reader = reader
        self.timeout_ms = args.timeout
        self.linger_ms = args.linger
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(getattr(zmq, args.type))
        self.sock.setsockopt(zmq.RCVTIMEO, self.timeout_ms)
        self.sock.setsockopt(zmq.SNDTIMEO, self.timeout_ms)
        self.sock.setsockopt(zmq.LINGER, self.linger_ms)
        if args.identity is not None:
            self.sock.setsockopt(zmq.IDENTITY, args.identity.encode())
        for opt in args.sockopt:
            name, _, value = opt.partition("=")
            self.sock.setsockopt(getattr(zmq, name), option_value(value))
        for topic in args.subscribe:
            self.sock.setsockopt(zmq.SUBSCRIBE, topic.encode())
        endpoint = ""
        for ep in args.bind:
            self.sock.bind(ep)
            endpoint = self.sock.getsockopt(zmq.LAST_ENDPOINT).decode()
        for ep in args.connect:
            self.sock.connect(ep)
            if not endpoint:
                endpoint = ep
        self.endpoint = endpoint

    def pump(self):
        """Lets libzmq run pending socket commands while we wait for input.

        libzmq attaches new connections (and sends a SUB's subscriptions to
        them) only when the application calls into the socket, so an idle
        peer would otherwise sit on them.
        """
        if not self.sock.closed:
            self.sock.getsockopt(zmq.EVENTS)

    def send(self, frames, flags=0):
        self.sock.send_multipart(frames, flags=flags, copy=len(frames[-1]) < 65536)

    def recv(self):
        return self.sock.recv_multipart()

    def cmd_send(self, tokens):
        self.send(decode_frames(tokens))
        return "SENT"

    def cmd_sendwait(self, tokens):
        frames = decode_frames(tokens)
        deadline = time.monotonic() + self.timeout_ms / 1000.0
        while True:
            try:
                self.send(frames, zmq.DONTWAIT)
                return "SENT"
            except zmq.ZMQError as e:
                if e.errno not in (zmq.EHOSTUNREACH, zmq.EAGAIN):
                    raise
                if time.monotonic() > deadline:
                    return "ERR " + str(e)
                time.sleep(0.01)

    def cmd_recv(self, tokens):
        if tokens:
            self.sock.setsockopt(zmq.RCVTIMEO, int(tokens[0]))
        try:
            return "MSG " + encode_frames(self.recv())
        except zmq.Again:
            return "TIMEOUT"
        finally:
            if tokens:
                self.sock.setsockopt(zmq.RCVTIMEO, self.timeout_ms)

    def cmd_echo(self, tokens):
        n = int(tokens[0])
        for i in range(n):
            try:
                frames = self.recv()
            except zmq.Again:
                return "BAD timeout after %d" % i
            self.send(frames)
        return "ECHOED %d" % n

    def cmd_sendn(self, tokens):
        n, size = int(tokens[0]), int(tokens[1])
        prefix = decode_frames(tokens[2:])
        sock = self.sock
        for i in range(n):
            try:
                if prefix:
                    sock.send_multipart(prefix + [numbered(i, size)])
                else:
                    sock.send(numbered(i, size))
            except zmq.Again:
                return "BAD send timeout at %d" % i
        return "SENT %d" % n

    def cmd_recvn(self, tokens):
        n = int(tokens[0])
        prefix = decode_frames(tokens[1:])
        got = 0
        while got < n:
            try:
                frames = self.sock.recv_multipart()
            except zmq.Again:
                return "BAD timeout after %d" % got
            if frames[-1] == SYNC:
                continue
            if prefix and frames[:-1] != prefix:
                return "BAD message %d has envelope %s" % (got, encode_frames(frames[:-1]))
            problem = check_numbered(frames[-1], got)
            if problem:
                return "BAD " + problem
            got += 1
        return "OK %d" % got

    def cmd_recvmono(self, tokens):
        end = int(tokens[0])
        seen = set()
        tails = []  # last number of each strictly rising run, sorted
        while True:
            try:
                frames = self.sock.recv_multipart()
            except zmq.Again:
                return "BAD timeout after %d messages" % len(seen)
            body = frames[-1]
            if body == SYNC:
                continue
            if len(body) < 8:
                return "BAD short body %s" % encode_frames([body])
            seq = int.from_bytes(body[:8], "big")
            if seq in seen:
                return "BAD %d received twice" % seq
            if seq >= end:
                return "OK %d %d" % (len(seen), len(tails))
            seen.add(seq)
            i = bisect.bisect_left(tails, seq)
            if i == 0:
                tails.insert(0, seq)
            else:
                tails[i - 1] = seq

    def cmd_pingn(self, tokens):
        n, size = int(tokens[0]), int(tokens[1])
        prefix = decode_frames(tokens[2:])
        for i in range(n):
            body = numbered(i, size)
            try:
                self.send(prefix + [body])
                frames = self.recv()
            except zmq.Again:
                return "BAD timeout at %d" % i
            if frames[-1] != body:
                return "BAD reply %d is %s" % (i, encode_frames(frames)[:200])
        return "OK %d" % n

    def cmd_sendsync(self, tokens):
        frames = decode_frames(tokens) + [SYNC]
        sent = 0
        while True:
            try:
                self.send(frames, zmq.DONTWAIT)
                sent += 1
            except zmq.Again:
                pass
            if self.reader.pending(0.01):
                break
        self.reader.readline()
        return "SYNCED %d" % sent

    def cmd_subscribe(self, tokens):
        self.sock.setsockopt(zmq.SUBSCRIBE, decode_frames(tokens)[0] if tokens else b"")
        return "OK"

    def cmd_unsubscribe(self, tokens):
        self.sock.setsockopt(zmq.UNSUBSCRIBE, decode_frames(tokens)[0] if tokens else b"")
        return "OK"

    def cmd_sockopt(self, tokens):
        self.sock.setsockopt(getattr(zmq, tokens[0]), option_value(tokens[1]))
        return "OK"

    def cmd_bind(self, tokens):
        self.sock.bind(tokens[0])
        return "OK " + self.sock.getsockopt(zmq.LAST_ENDPOINT).decode()

    def cmd_connect(self, tokens):
        self.sock.connect(tokens[0])
        return "OK " + tokens[0]

    def cmd_unbind(self, tokens):
        self.sock.unbind(tokens[0])
        return "OK " + tokens[0]

    def cmd_disconnect(self, tokens):
        self.sock.disconnect(tokens[0])
        return "OK " + tokens[0]

    def cmd_close(self, tokens):
        self.sock.close(linger=self.linger_ms)
        return "CLOSED"

    def shutdown(self):
        if not self.sock.closed:
            self.sock.close(linger=self.linger_ms)
        self.ctx.term()


class TcpPeer:
    """A plain TCP endpoint, for talking to STREAM sockets."""

    def __init__(self, args, reader):
        self.timeout = args.timeout / 1000.0
        self.listener = None
        self.conn = None
        if args.bind:
            host, port = split_tcp(args.bind[0])
            self.listener = socket.create_server((host, 0 if port == "*" else int(port)))
            self.endpoint = "tcp://%s:%d" % self.listener.getsockname()[:2]
        else:
            host, port = split_tcp(args.connect[0])
            self.conn = socket.create_connection((host, int(port)), timeout=self.timeout)
            self.endpoint = args.connect[0]

    def connection(self):
        if self.conn is None:
            self.listener.settimeout(self.timeout)
            self.conn, _ = self.listener.accept()
        self.conn.settimeout(self.timeout)
        return self.conn

    def cmd_send(self, tokens):
        self.connection().sendall(b"".join(decode_frames(tokens)))
        return "SENT"

    def cmd_recvbytes(self, tokens):
        n = int(tokens[0])
        conn = self.connection()
        data = bytearray()
        while len(data) < n:
            try:
                chunk = conn.recv(n - len(data))
            except socket.timeout:
                return "TIMEOUT " + encode_frames([data])
            if not chunk:
                return "EOF " + encode_frames([data])
            data += chunk
        return "MSG " + encode_frames([data])

    def cmd_recveof(self, tokens):
        conn = self.connection()
        data = bytearray()
        while True:
            try:
                chunk = conn.recv(1 << 16)
            except socket.timeout:
                return "TIMEOUT " + encode_frames([data])
            except ConnectionResetError:
                return "EOF " + encode_frames([data])
            if not chunk:
                return "EOF " + encode_frames([data])
            data += chunk

    def cmd_close(self, tokens):
        if self.conn is not None:
            self.conn.close()
        return "CLOSED"

    def shutdown(self):
        for s in (self.conn, self.listener):
            if s is not None:
                s.close()


def split_tcp(endpoint):
    if not endpoint.startswith("tcp://"):
        raise SystemExit("TCP peers need a tcp:// endpoint, got " + endpoint)
    host, _, port = endpoint[len("tcp://"):].rpartition(":")
    return host, port


def main():
    parser = argparse.ArgumentParser(description="scriptable libzmq peer for interop tests")
    parser.add_argument("--type", required=True, help="libzmq socket type name, or TCP")
    parser.add_argument("--bind", action="append", default=[])
    parser.add_argument("--connect", action="append", default=[])
    parser.add_argument("--identity")
    parser.add_argument("--subscribe", action="append", default=[])
    parser.add_argument("--sockopt", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--timeout", type=int, default=20000, help="receive/send timeout in ms")
    parser.add_argument("--linger", type=int, default=2000, help="linger on close in ms")
    args = parser.parse_args()
    if not args.bind and not args.connect:
        parser.error("need --bind or --connect")

    reader = LineReader(sys.stdin.fileno())
    peer = TcpPeer(args, reader) if args.type == "TCP" else ZmqPeer(args, reader)
    if isinstance(peer, ZmqPeer):
        reader.idle = peer.pump
    reply("READY " + peer.endpoint)
    try:
        while True:
            line = reader.readline()
            if line is None:
                break
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            handler = getattr(peer, "cmd_" + words[0], None)
            if handler is None:
                reply("ERR unknown command " + words[0])
                continue
            try:
                reply(handler(words[1:]))
            except (zmq.ZMQError, OSError, ValueError, IndexError, AttributeError) as e:
                reply("ERR %s: %s" % (type(e).__name__, e))
    finally:
        peer.shutdown()
    reply("BYE")


if __name__ == "__main__":
    main()
