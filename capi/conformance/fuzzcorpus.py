#!/usr/bin/env python3
"""Inputs for libzmq's fuzzer programs (tests/test_*_fuzzer.cpp).

Built without libFuzzer, each of those programs reads every file of
tests/libzmq-fuzz-corpora/<program>_seed_corpus (relative to where it runs)
and passes it to its LLVMFuzzerTestOneInput. libzmq keeps its corpora in a
repository of their own, which this machine cannot reach, so these inputs
are ours: drawn from a seeded generator, the same on every run.

Usage: fuzzcorpus.py DIR [SEED [SCALE]]
writes DIR/<program>_seed_corpus/NNN for every program below: SCALE
(default 1) times the counts below, drawn from SEED (default 1).

What each program does with its input decides what the input is made of:
- the bind and connect programs over tcp and ws send it, in the steps the
  program takes (greeting, handshake commands, the rest), to a socket of
  the library as its peer, so the inputs are well-formed greetings and
  commands, each cut, bit-flipped or followed by frames whose sizes lie;
- test_bind_fuzzer and test_connect_fuzzer take it as an endpoint string;
- test_socket_options_fuzzer sets every option to it;
- test_z85_decode_fuzzer decodes it as Z85 text.

The programs that wait between steps take about 0.6 s an input, so they
get few inputs; the others get more.
"""

import os
import random
import struct
import sys

# Inputs per program: the handshake programs sleep 0.5 s an input.
SLOW_COUNT = 10
FAST_COUNT = 60


def greeting(mechanism=b"NULL", major=3, minor=1, as_server=0):
    """A 64-byte ZMTP 3.x greeting."""
    return (b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([major, minor])
            + mechanism.ljust(20, b"\x00") + bytes([as_server]) + b"\x00" * 31)


def frame(body, command=False, more=False, long=False):
    """One ZMTP 3.x frame around body."""
    flags = (0x04 if command else 0) | (0x01 if more else 0)
    if long or len(body) > 255:
        return bytes([flags | 0x02]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


def lying_frame(rng):
    """A frame header whose size is far larger than what follows."""
    flags = rng.choice([0x00, 0x01, 0x04])
    size = rng.choice([2**31, 2**40, 2**62, 2**63 + 5, 64 << 20, 64 << 20 + 1])
    return bytes([flags | 0x02]) + struct.pack(">Q", size) + rng.randbytes(rng.randrange(16))


def command(name, data=b""):
    return frame(bytes([len(name)]) + name + data, command=True)


def properties(props):
    out = b""
    for name, value in props:
        out += bytes([len(name)]) + name + struct.pack(">I", len(value)) + value
    return out


SOCKET_TYPES = [b"PAIR", b"PUB", b"SUB", b"REQ", b"REP", b"DEALER", b"ROUTER",
                b"PULL", b"PUSH", b"XPUB", b"XSUB", b"STREAM", b"pub", b""]


def ready(rng):
    props = [(b"Socket-Type", rng.choice(SOCKET_TYPES))]
    if rng.random() < 0.5:
        props.append((b"Identity", rng.randbytes(rng.randrange(0, 300))))
    if rng.random() < 0.3:
        props.append((b"X-" + rng.randbytes(4), rng.randbytes(rng.randrange(8))))
    return command(b"READY", properties(props))


def messages(rng):
    out = b""
    for _ in range(rng.randrange(1, 6)):
        r = rng.random()
        if r < 0.1:
            out += lying_frame(rng)
        elif r < 0.2:
            out += command(rng.choice([b"PING", b"PONG", b"ERROR", b"SUBSCRIBE", b"CANCEL"]),
                           rng.randbytes(rng.randrange(8)))
        elif r < 0.3:
            out += frame(b"\x01" + rng.randbytes(rng.randrange(4)))  # a subscription
        else:
            out += frame(rng.randbytes(rng.randrange(300)), more=rng.random() < 0.3,
                         long=rng.random() < 0.1)
    return out


def spoil(rng, data):
    """Leaves data as it is, or cuts it, flips bits in it or adds bytes."""
    r = rng.random()
    if r < 0.3 or not data:
        return data
    if r < 0.5:
        return data[:rng.randrange(len(data))]
    if r < 0.8:
        b = bytearray(data)
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        return bytes(b)
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.randbytes(rng.randrange(1, 20)) + data[i:]


def null_peer(rng):
    """A NULL peer: greeting, READY, messages (any of them spoilt)."""
    g = greeting(b"NULL", 3, rng.choice([0, 1, 1, 1, 2]))
    if rng.random() < 0.15:
        g = greeting(rng.choice([b"PLAIN", b"CURVE", b"GSSAPI", b"XYZ"]))
    return spoil(rng, g) + spoil(rng, ready(rng)) + messages(rng)


def curve_server_input(rng):
    """For a CURVE server: greeting, a 202-byte HELLO, a 301-byte INITIATE."""
    hello = command(b"HELLO", b"\x01\x00" + b"\x00" * 72 + rng.randbytes(32 + 8 + 80))
    assert len(hello) == 202, len(hello)
    initiate = command(b"INITIATE", rng.randbytes(301 - 9 - 9))
    assert len(initiate) == 301, len(initiate)
    return (spoil(rng, greeting(b"CURVE")) + spoil(rng, hello) + spoil(rng, initiate)
            + messages(rng))


def curve_client_input(rng):
    """For a CURVE client: greeting, a 170-byte WELCOME, a 72-byte READY."""
    welcome = command(b"WELCOME", rng.randbytes(16 + 144))
    assert len(welcome) == 170, len(welcome)
    ready_box = command(b"READY", rng.randbytes(72 - 8))
    assert len(ready_box) == 72, len(ready_box)
    # The program waits for the client's next command before each step, and
    # a client waits for ever for the rest of a frame that claims more than
    # it got: so the steps keep their frame sizes here.
    out = spoil(rng, greeting(b"CURVE", as_server=1))
    if rng.random() < 0.7:
        out += welcome
        if rng.random() < 0.5:
            out += ready_box + messages(rng)
    return out


def padded_http(head, size):
    """An HTTP head ended by a header that pads it to exactly size bytes."""
    pad = size - len(head) - len(b"X:\r\n\r\n")
    assert pad >= 0, (len(head), size)
    return head + b"X:" + b"a" * pad + b"\r\n\r\n"


def ws_frame(payload, mask, opcode=2):
    head = bytes([0x80 | opcode])
    m = 0x80 if mask else 0
    if len(payload) < 126:
        head += bytes([m | len(payload)])
    else:
        head += bytes([m | 126]) + struct.pack(">H", len(payload))
    if not mask:
        return head + payload
    key = b"\x11\x22\x33\x44"
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def ws_zmtp(rng, mask):
    """ZWS 2.0 frames: a READY command, then messages, in websocket frames."""
    out = ws_frame(bytes([rng.choice([2, 4])]) + b"\x05READY" + properties(
        [(b"Socket-Type", rng.choice(SOCKET_TYPES))]), mask)
    for _ in range(rng.randrange(1, 4)):
        out += ws_frame(bytes([rng.choice([0, 1])]) + rng.randbytes(rng.randrange(200)), mask,
                        opcode=rng.choice([2, 2, 2, 1, 8, 9]))
    return out


def ws_client_input(rng):
    """For a ws server: a 192-byte upgrade request, then ZWS frames."""
    head = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ZWS2.0\r\n")
    return spoil(rng, padded_http(head, 192)) + spoil(rng, ws_zmtp(rng, True))


def ws_server_input(rng):
    """For a ws client: a 166-byte upgrade response, a 29-byte READY, frames."""
    # The accept key cannot match: the client's key is random.
    head = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            b"Sec-WebSocket-Protocol: ZWS2.0\r\n")
    ready_frame = ws_frame(bytes([rng.choice([2, 4])]) + b"\x05READY"
                           + properties([(b"Socket-Type", b"PUSH")]), False)
    assert len(ready_frame) == 29, len(ready_frame)
    return (spoil(rng, padded_http(head, 166)) + spoil(rng, ready_frame)
            + spoil(rng, ws_zmtp(rng, False)))


def stream_peer(rng):
    """For a STREAM server: anything at all, often a greeting first."""
    if rng.random() < 0.5:
        return null_peer(rng)
    return rng.randbytes(rng.randrange(1, 400))


ENDPOINTS = [
    b"tcp://127.0.0.1:*", b"tcp://127.0.0.1:0", b"tcp://127.0.0.1:", b"tcp://:*",
    b"tcp://*:*", b"tcp://[::1]:*", b"tcp://[::1", b"tcp://[]:5", b"tcp://127.0.0.1:99999",
    b"tcp://127.0.0.1:-1", b"tcp://127.0.0.1:5;127.0.0.1:6", b"tcp://127.0.0.1;:5",
    b"tcp://0.0.0.0:*", b"tcp://127.0.0.1:!", b"tcp://127.0.0.1:[5]", b"tcp://1.2.3.4.5:6",
    b"tcp://256.0.0.1:5", b"tcp://127.0.0.1:65536", b"tcp://%:5",
    b"ipc://@abstract-fuzz", b"ipc://", b"ipc://*", b"ipc://fuzz-" + b"x" * 200,
    b"ipc://\x00x", b"inproc://", b"inproc://fuzz", b"inproc://" + b"y" * 300,
    b"udp://127.0.0.1:*", b"udp://;127.0.0.1:5", b"ws://127.0.0.1:*", b"ws://127.0.0.1:*/p",
    b"ws://127.0.0.1", b"wss://127.0.0.1:*", b"pgm://127.0.0.1;239.0.0.1:5",
    b"epgm://;:", b"tipc://{1,2,3}", b"vmci://1:2", b"gopher://x",
    b"tcp:/", b"://", b"", b"tcp", b"tcp://", b"\xff\xfe", b"tcp://127.0.0.1:5\x00junk",
]


def endpoint(rng):
    if rng.random() < 0.6:
        return ENDPOINTS[rng.randrange(len(ENDPOINTS))]
    # No letters after the scheme: a random host name would be looked up.
    scheme = rng.choice([b"tcp://", b"ipc://", b"inproc://", b"udp://", b"ws://"])
    tail = bytes(rng.choice(b"0123456789.:;*[]/%@-_ ") for _ in range(rng.randrange(30)))
    return spoil(rng, scheme + tail)


def option_value(rng):
    size = rng.choice([1, 2, 4, 4, 4, 8, 8, 8, 16, 32, 40, 41, 64, 255, 256, 300])
    r = rng.random()
    if r < 0.3 and size in (4, 8):
        v = rng.choice([0, 1, -1, 2, 100, 2**31 - 1, -(2**31), 255, 256])
        return struct.pack("<i" if size == 4 else "<q", v)
    if r < 0.5:
        alphabet = b"0123456789abcdefABCDEF.-:+=^!/*?&<>()[]{}@%$#"
        return bytes(rng.choice(alphabet) for _ in range(size))
    return rng.randbytes(size)


Z85 = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"


def z85_text(rng):
    size = rng.choice([5, 10, 40, 41, 45, 80, 5 * rng.randrange(1, 60)])
    text = bytes(rng.choice(Z85) for _ in range(size))
    if rng.random() < 0.3:
        text = spoil(rng, text)
    if rng.random() < 0.1:
        text = b"#####" * (size // 5)  # decodes past 2**32
    return text


# Not "norm://...": Debian's libzmq 4.3.4, built with NORM, aborts on
# "norm://1" (errno_assert, src/session_base.cpp:755), and the reference run
# is there to show that the inputs are fair. Ours refuses it
# (EPROTONOSUPPORT), as it refuses pgm, epgm, tipc and vmci.

PROGRAMS = {
    "test_bind_null_fuzzer": (SLOW_COUNT, null_peer),
    "test_connect_null_fuzzer": (SLOW_COUNT, null_peer),
    "test_bind_curve_fuzzer": (SLOW_COUNT, curve_server_input),
    "test_connect_curve_fuzzer": (SLOW_COUNT, curve_client_input),
    "test_bind_stream_fuzzer": (SLOW_COUNT, stream_peer),
    "test_connect_stream_fuzzer": (SLOW_COUNT, stream_peer),
    "test_bind_ws_fuzzer": (SLOW_COUNT, ws_client_input),
    "test_connect_ws_fuzzer": (SLOW_COUNT, ws_server_input),
    "test_bind_fuzzer": (FAST_COUNT, endpoint),
    "test_connect_fuzzer": (FAST_COUNT, endpoint),
    "test_socket_options_fuzzer": (FAST_COUNT, option_value),
    "test_z85_decode_fuzzer": (FAST_COUNT, z85_text),
}


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: fuzzcorpus.py DIR [SEED [SCALE]]")
    out = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    scale = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    for name, (count, make) in PROGRAMS.items():
        count *= scale
        rng = random.Random(f"{seed}:{name}")
        d = os.path.join(out, name + "_seed_corpus")
        os.makedirs(d, exist_ok=True)
        for i in range(count):
            data = make(rng)
            if not data:
                data = b"\x00"  # the programs skip empty files
            with open(os.path.join(d, "%03d" % i), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
