"""A wire differential between two libzmq builds loaded by pyzmq.

    wirediff.py run SEED COUNT     (prints one JSON line per case)
    wirediff.py compare A B        (exit status 1 when the runs differ)

Each case binds a socket of one of TYPES, connects a raw peer that sends a
valid greeting and READY and then generated ZMTP 3.1 input (messages,
commands known and unknown, commands inside messages, reserved flag bits,
long-form sizes, truncated frames, garbage), half-closes, and records what
the socket delivered to the application, what it wrote back after its
handshake, and whether it closed the connection. parity/wirediff.sh runs
it on Debian's libzmq and on capi/libzmq.so.5 and compares.

PONGs are left out of what was written: libzmq writes one as it reads the
PING, ours queues it for the writer, and the half-close that ends each case
may end the connection before that write (see the README's parity notes).
"""
import json
import random
import select
import socket
import struct
import sys
import time

import zmq

TYPES = [
    (zmq.PULL, b"PUSH"), (zmq.ROUTER, b"DEALER"), (zmq.XPUB, b"XSUB"),
    (zmq.SUB, b"PUB"), (zmq.XSUB, b"XPUB"), (zmq.REP, b"REQ"),
    (zmq.DEALER, b"ROUTER"), (zmq.PAIR, b"PAIR"), (zmq.PUB, b"SUB"),
    (zmq.REQ, b"REP"),
]
NAMES = [b"PING", b"PONG", b"SUBSCRIBE", b"CANCEL", b"JOIN", b"LEAVE",
         b"READY", b"ERROR", b"HELLO", b"FOO", b""]


def frame(flags, body, long_form=False):
    if long_form or len(body) > 255:
        return bytes([flags | 2]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


def greeting():
    return b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, 1]) + b"NULL" + b"\x00" * 16 + b"\x00" + b"\x00" * 31


def ready(peer):
    prop = bytes([11]) + b"Socket-Type" + struct.pack(">I", len(peer)) + peer
    return frame(4, bytes([5]) + b"READY" + prop)


def body(r):
    kind = r.randrange(5)
    if kind == 0:
        return b""
    if kind == 1:
        return bytes([r.choice([0, 1])]) + r.choice([b"", b"a", b"ab", b"topic"])
    if kind == 2:
        return r.choice([b"a", b"hello", b"\x00", b"x" * 300])
    return bytes(r.randrange(256) for _ in range(r.randrange(1, 12)))


def command(r):
    name = r.choice(NAMES)
    data = body(r)
    if name == b"PING" and r.random() < 0.7:
        data = struct.pack(">H", r.choice([0, 1, 50])) + data[:20]
    nlen = len(name)
    if r.random() < 0.05:
        nlen = r.randrange(256)  # a name length that does not fit
    return bytes([nlen]) + name + data


def item(r):
    k = r.randrange(10)
    if k < 5:
        return frame(r.choice([0, 0, 1]), body(r), long_form=r.random() < 0.1)
    if k < 8:
        return frame(4 | (1 if r.random() < 0.1 else 0), command(r), long_form=r.random() < 0.05)
    if k == 8:
        return frame(r.choice([0x08, 0x10, 0x80, 0x81, 0x84]), body(r))
    return bytes(r.randrange(256) for _ in range(r.randrange(1, 6)))


def case_input(r):
    out = b""
    for _ in range(r.randrange(1, 7)):
        out += item(r)
    if r.random() < 0.1:
        out += frame(0, b"")[:1] + b"\xff"  # a frame cut short
    return out


def read_until_closed(c, limit):
    data = b""
    closed = False
    deadline = time.time() + limit
    while time.time() < deadline:
        ready_, _, _ = select.select([c], [], [], max(0, deadline - time.time()))
        if not ready_:
            break
        try:
            chunk = c.recv(65536)
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        data += chunk
    return data, closed


def parse_frames(data):
    """The frames in data after the greeting and READY, as [flags, hex]."""
    out = []
    i = 64
    first = True
    while i + 2 <= len(data):
        flags = data[i]
        if flags & 2:
            if i + 9 > len(data):
                break
            n = struct.unpack(">Q", data[i + 1:i + 9])[0]
            i += 9
        else:
            n = data[i + 1]
            i += 2
        b = data[i:i + n]
        i += n
        if first:
            first = False
            continue  # READY
        out.append([flags & ~2, b.hex()])
    return out


def run_case(ctx, i, seed):
    r = random.Random(seed * 1000003 + i)
    typ, peer = TYPES[r.randrange(len(TYPES))]
    s = ctx.socket(typ)
    s.setsockopt(zmq.LINGER, 0)
    if typ == zmq.SUB:
        s.setsockopt(zmq.SUBSCRIBE, b"")
    if typ == zmq.XPUB and r.random() < 0.5:
        s.setsockopt(zmq.XPUB_VERBOSE, 1)
    port = s.bind_to_random_port("tcp://127.0.0.1")
    c = socket.create_connection(("127.0.0.1", port))
    inp = case_input(r)
    c.sendall(greeting())
    hs = b""
    while len(hs) < 64:
        chunk = c.recv(64 - len(hs))
        if not chunk:
            break
        hs += chunk
    try:
        c.sendall(ready(peer))
        if typ == zmq.REQ:
            # A REQ delivers only replies to its request, which it sends
            # once the handshake is done.
            s.send(b"req")
        c.sendall(inp)
        c.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    back, closed = read_until_closed(c, 2.0)
    got = []
    # Until a poll finds nothing: libzmq's pipe ends only as the socket
    # handles its commands, which each receive does a few of.
    while s.poll(200, zmq.POLLIN):
        while True:
            try:
                m = s.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            if typ == zmq.ROUTER:
                m = [b"<id>"] + m[1:]
            got.append([p.hex() for p in m])
            if typ == zmq.REP:
                s.send(b"")
            if typ == zmq.REQ:
                break  # one reply per request
    c.close()
    s.close()
    wrote = [f for f in parse_frames(hs + back) if not (f[0] == 4 and f[1].startswith(b"\x04PONG".hex()))]
    if typ == zmq.SUB:
        # Its subscription races with the end of the connection.
        wrote = [f for f in wrote if f not in ([0, "01"], [4, b"\x09SUBSCRIBE".hex()])]
    return {"case": i, "type": s.type, "input": inp.hex(), "got": got,
            "wrote": wrote, "closed": closed}


def compare(path_a, path_b):
    """Prints the cases where the two runs differ; returns how many."""
    with open(path_a) as fa, open(path_b) as fb:
        a = [json.loads(line) for line in fa]
        b = [json.loads(line) for line in fb]
    differ = 0
    if len(a) != len(b):
        print("runs of different lengths:", len(a), len(b))
        differ += 1
    for x, y in zip(a, b):
        for key in ("got", "wrote", "closed"):
            if x[key] != y[key]:
                differ += 1
                print("case %d, socket type %d, %s differs; input %s" % (x["case"], x["type"], key, x["input"]))
                print("  first: ", x[key])
                print("  second:", y[key])
    return differ


def main():
    if sys.argv[1] == "compare":
        sys.exit(1 if compare(sys.argv[2], sys.argv[3]) else 0)
    seed, count = int(sys.argv[2]), int(sys.argv[3])
    ctx = zmq.Context()
    with open("/proc/self/maps") as maps:
        loaded = sorted({line.split()[-1] for line in maps if "libzmq.so" in line})
    print("wirediff.py: libzmq from", ", ".join(loaded), file=sys.stderr)
    for i in range(count):
        print(json.dumps(run_case(ctx, i, seed)), flush=True)
    ctx.term()


if __name__ == "__main__":
    main()
