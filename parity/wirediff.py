"""A wire differential between two libzmq builds loaded by pyzmq.

    wirediff.py run SEED COUNT [MODE]   (prints one JSON line per case)
    wirediff.py compare A B             (exit status 1 when the runs differ)

Each case binds a socket of one of TYPES and connects a raw peer to it.
MODE "after" (the default): the peer sends a valid greeting and READY and
then generated ZMTP 3.1 input (messages, commands known and unknown,
commands inside messages, reserved flag bits, long-form sizes, truncated
frames, garbage). MODE "handshake": the peer's greeting and handshake are
generated (ZMTP 3.x greetings with varied version, mechanism, as-server
and filler bytes, cut short at times; ZMTP 2.0 greetings with varied
socket types and identity frames; READY, INITIATE and HELLO commands with
varied metadata; commands the handshake does not expect), to a socket
with the NULL mechanism or a PLAIN server whose ZAP handler knows one
user; a few messages follow. Unversioned ZMTP 1.0 peers are not
generated: purezmq does not take them (see the README). MODE "zap": a
valid NULL or PLAIN handshake to a socket with a ZAP domain, whose ZAP
handler (a ROUTER in the script) answers with a generated reply (wrong
version, request id, status code or frame count, a long user id,
metadata cut short or with a Socket-Type); the case also records the
ZAP request and the properties (User-Id, the reply's metadata,
Socket-Type) of what was delivered. MODE "connect": the socket connects
to a raw server that sends a generated greeting (ZMTP 3.x or 2.0) and
handshake (READY, or WELCOME and READY to a PLAIN client), then
generated input as in "after"; each case runs in a process of its own
(libzmq 4.3.4 aborts on some input, see the README).

Either way the peer then half-closes, and the case records what the
socket delivered to the application, what it wrote back, and whether it
closed the connection. parity/wirediff.sh runs both modes on Debian's
libzmq and on capi/libzmq.so.5 and compares.

PONGs are left out of what was written: libzmq writes one as it reads the
PING, ours queues it for the writer, and the half-close that ends each case
may end the connection before that write (see the README's parity notes).
"""
import json
import os
import random
import select
import socket
import struct
import subprocess
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


def read_until_quiet(c, quiet):
    """What c receives until nothing has come for quiet seconds, and
    whether the other side closed the connection."""
    data = b""
    while True:
        ready_, _, _ = select.select([c], [], [], quiet)
        if not ready_:
            return data, False
        try:
            chunk = c.recv(65536)
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk


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


# ZMTP 2.0 socket-type bytes (RFC 15), by the name a ZMTP 3 peer announces.
V2_TYPES = {b"PAIR": 0, b"PUB": 1, b"SUB": 2, b"REQ": 3, b"REP": 4, b"DEALER": 5,
            b"ROUTER": 6, b"PULL": 7, b"PUSH": 8, b"XPUB": 9, b"XSUB": 10}
PLAIN_USER, PLAIN_PASSWORD = b"admin", b"secret"


def v3_greeting(r, mech):
    """A ZMTP 3.x greeting with some of its fields varied."""
    padding = b"\x00" * 8 if r.random() < 0.8 else bytes(r.randrange(256) for _ in range(8))
    sig_end = r.choice([0x7f, 0x7f, 0x7f, 0xff, 0x01])
    major = r.choice([3, 3, 3, 3, 3, 2, 4, 0xff])
    minor = r.choice([0, 1, 1, 1, 2, 0xff])
    if r.random() < 0.15:
        mech = r.choice([b"NULL", b"PLAIN", b"CURVE", b"null", b"FOO", b"", b"NULL\x00X", b"PLAINX"])
    as_server = r.choice([0, 0, 0, 1, 0xff])
    filler = b"\x00" * 31 if r.random() < 0.8 else bytes(r.randrange(256) for _ in range(31))
    g = b"\xff" + padding + bytes([sig_end, major, minor]) + mech.ljust(20, b"\x00")[:20] + bytes([as_server]) + filler
    return g


def metadata(r, peer):
    """Generated metadata for READY or INITIATE, usually with peer's type."""
    props = []
    if r.random() < 0.85:
        t = peer if r.random() < 0.8 else r.choice([b"PUB", b"SUB", b"REQ", b"ROUTER", b"FOO", b"", peer.lower()])
        name = b"Socket-Type" if r.random() < 0.85 else r.choice([b"socket-type", b"SOCKET-TYPE"])
        props.append((name, t))
    for _ in range(r.choice([0, 0, 1, 2])):
        props.append(r.choice([
            (b"Identity", r.choice([b"", b"id1", b"\x00id", b"x" * 255, b"y" * 256])),
            (b"Resource", b"/a"), (b"X-Custom", b"value"), (b"", b"v"),
            (b"Socket-Type", peer), (b"x" * 255, b""),
        ]))
    r.shuffle(props)
    out = b""
    for name, value in props:
        out += bytes([len(name) & 0xff]) + name + struct.pack(">I", len(value)) + value
    if r.random() < 0.08 and out:
        out = out[:r.randrange(len(out))]  # a property cut short
    if r.random() < 0.05:
        out += struct.pack(">I", 1000)  # a value length past the end
    return out


def handshake_command(r, name, data):
    return frame(4, bytes([len(name)]) + name + data, long_form=r.random() < 0.05)


def null_handshake(r, peer):
    k = r.randrange(12)
    if k < 8:
        return handshake_command(r, b"READY", metadata(r, peer))
    if k == 8:
        return handshake_command(r, b"ERROR", bytes([5]) + b"nope!")
    if k == 9:
        return handshake_command(r, r.choice([b"HELLO", b"PING", b"FOO", b"INITIATE"]), metadata(r, peer))
    if k == 10:
        return frame(0, b"READY")  # a message where a command belongs
    return frame(4, bytes([9]) + b"READY")  # a name longer than the body


def plain_handshake(r, peer):
    user, password = PLAIN_USER, PLAIN_PASSWORD
    if r.random() < 0.2:
        password = b"wrong"
    if r.random() < 0.1:
        user = b""
    hello = bytes([len(user)]) + user + bytes([len(password)]) + password
    if r.random() < 0.1:
        hello = hello[:r.randrange(len(hello) + 1)] if r.random() < 0.5 else hello + b"!"
    # Two steps: a client sends INITIATE once WELCOME has come.
    out = [handshake_command(r, b"HELLO", hello) if r.random() < 0.9 else handshake_command(r, b"READY", metadata(r, peer))]
    if r.random() < 0.9:
        out.append(handshake_command(r, b"INITIATE" if r.random() < 0.9 else b"READY", metadata(r, peer)))
    return out


def v2_greeting(r, peer):
    """A ZMTP 2.0 greeting: signature, revision 1, socket type, identity."""
    t = V2_TYPES.get(peer, 0) if r.random() < 0.8 else r.choice([0, 1, 6, 10, 11, 0x7f])
    identity = r.choice([b"", b"", b"id2", b"z" * 255])
    flags = 0 if r.random() < 0.9 else r.choice([1, 4])
    return b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([1, t]) + frame(flags, identity)


def v2_item(r):
    return frame(r.choice([0, 0, 1]), body(r), long_form=r.random() < 0.1)


def play(c, s, steps, after_step=None):
    """Sends each step to c once the answer to the one before has come
    (nothing for 50 ms), calling after_step(k) after sending step k, then
    half-closes; returns what c received and whether the socket s closed
    the connection."""
    back, closed = b"", False
    for k, step in enumerate(steps):
        if closed:
            break
        exchange(c, step)
        if after_step:
            after_step(k)
        # libzmq attaches a new connection's pipe to the socket only when
        # the application next calls into it, and only then does a SUB
        # send its subscriptions: an application waiting in a poll would.
        time.sleep(0.01)
        s.getsockopt(zmq.EVENTS)
        got_back, closed = read_until_quiet(c, 0.05)
        back += got_back
    if not closed:
        try:
            c.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        got_back, closed = read_until_closed(c, 2.0)
        back += got_back
    return back, closed


def exchange(c, data):
    """Sends data (errors ignored: the socket may have closed already)."""
    try:
        c.sendall(data)
    except OSError:
        pass


def run_handshake_case(ctx, i, seed, auth_ready):
    r = random.Random(seed * 1000033 + i)
    s, typ, peer = case_socket(ctx, r)
    plain = r.random() < 0.3
    if plain:
        auth_ready()
        s.setsockopt(zmq.PLAIN_SERVER, 1)
        s.setsockopt(zmq.ZAP_DOMAIN, b"global")
    if typ == zmq.ROUTER and r.random() < 0.3:
        s.setsockopt(zmq.ROUTER_HANDOVER, 1)
    c = bind_raw_peer(s, typ)
    # The peer's input in steps, each sent once the socket's answer to the
    # one before has come: the signature, the rest of the greeting, the
    # handshake, then the messages. libzmq drops what it has not written
    # yet when it reads the end of the input, so a peer that sent it all
    # at once would learn only how far libzmq got.
    if not plain and r.random() < 0.15:
        g = v2_greeting(r, peer)
        steps = [g[:10], g[10:11], g[11:], b"".join(v2_item(r) for _ in range(r.randrange(0, 4)))]
    else:
        g = v3_greeting(r, b"PLAIN" if plain else b"NULL")
        steps = [g[:10], g[10:11], g[11:]]
        if r.random() < 0.08:
            steps[2] = g[11:r.randrange(11, len(g))]  # cut short, and the end
        else:
            steps += plain_handshake(r, peer) if plain else [null_handshake(r, peer)]
            steps.append(b"".join(item(r) if r.random() < 0.8 else handshake_command(r, b"READY", metadata(r, peer))
                                  for _ in range(r.randrange(0, 4))))
    return finish_case(i, c, s, typ, steps)


def finish_case(i, c, s, typ, steps):
    """Plays steps (play), takes what the socket delivers, closes both
    ends and returns the case's record. What was written is the greeting,
    then, after a ZMTP 3 one, its frames with the PONGs left out, as in
    the "after" mode (and libzmq answers a PING too short for its TTL with
    bytes read past the PING's end)."""
    back, closed = play(c, s, steps)
    got = receive_all(s, typ)
    back = mask_as_server(back)
    wrote = [back.hex()]
    if len(back) >= 64 and back[10] == 3 and steps[1] != b"\x01":
        wrote = [back[:64].hex()] + [f for f in split_frames(back[64:]) if not f.startswith("04" + b"\x04PONG".hex())]
    c.close()
    s.close()
    return {"case": i, "type": s.type, "input": b"".join(steps).hex(), "got": got,
            "wrote": wrote, "closed": closed}


def mask_as_server(back):
    """back with the as-server byte of a ZMTP 3 greeting cleared: libzmq
    4.3 writes 0 whatever its role, purezmq 1 for a PLAIN or CURVE server,
    as RFC 23 says."""
    if len(back) > 32 and back[10] == 3:
        return back[:32] + b"\x00" + back[33:]
    return back


def split_frames(data):
    """ZMTP 3 frames as hex strings of flags and body (the size left out);
    bytes after the last whole frame as one more string."""
    out = []
    i = 0
    while i < len(data):
        flags = data[i]
        head = 9 if flags & 2 else 2
        if i + head > len(data):
            break
        n = struct.unpack(">Q", data[i + 1:i + 9])[0] if flags & 2 else data[i + 1]
        if i + head + n > len(data):
            break
        out.append((bytes([flags & ~2]) + data[i + head:i + head + n]).hex())
        i += head + n
    if i < len(data):
        out.append("rest:" + data[i:].hex())
    return out


def plain_server_steps(r, peer):
    """What a generated PLAIN server sends after the greetings: an answer
    to HELLO (usually WELCOME), then its READY."""
    first = r.choice([
        handshake_command(r, b"WELCOME", b""), handshake_command(r, b"WELCOME", b""),
        handshake_command(r, b"WELCOME", b""), handshake_command(r, b"WELCOME", b""),
        handshake_command(r, b"ERROR", bytes([3]) + b"400"),
        handshake_command(r, b"WELCOME", b"x"),
        handshake_command(r, b"READY", metadata(r, peer)),
    ])
    return [first, handshake_command(r, b"READY" if r.random() < 0.9 else b"INITIATE", metadata(r, peer))]


def isolated(mode, i, seed):
    """Runs case i of mode in a process of its own (this script's "case"
    command), so that a library that aborts on the case (libzmq 4.3.4
    asserts on some input, see the README) ends only that case: it then
    gives {"case": i, "aborted": signal}."""
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "case", mode, str(seed), str(i)],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
    if p.returncode != 0 or not p.stdout:
        return {"case": i, "aborted": -p.returncode}
    return json.loads(p.stdout)


def run_connect_case(ctx, i, seed):
    r = random.Random(seed * 1000039 + i)
    s, typ, peer = case_socket(ctx, r)
    # One connection per case. Not -1: with reconnection off, libzmq ends
    # the endpoint when the connection ends and drops what it received
    # and the application has not read yet (see the README).
    s.setsockopt(zmq.RECONNECT_IVL, 10000)
    plain = r.random() < 0.3
    if plain:
        s.setsockopt(zmq.PLAIN_USERNAME, PLAIN_USER)
        s.setsockopt(zmq.PLAIN_PASSWORD, PLAIN_PASSWORD)
    if typ == zmq.SUB:
        s.setsockopt(zmq.SUBSCRIBE, b"")
    if typ in (zmq.DEALER, zmq.REQ, zmq.ROUTER) and r.random() < 0.3:
        s.setsockopt(zmq.ROUTING_ID, b"me")
    ln = socket.socket()
    ln.bind(("127.0.0.1", 0))
    ln.listen(1)
    s.connect("tcp://127.0.0.1:%d" % ln.getsockname()[1])
    if typ == zmq.REQ:
        s.send(b"req")  # queued until the handshake is done
    ln.settimeout(5)
    c, _ = ln.accept()
    ln.close()
    if not plain and r.random() < 0.15:
        g = v2_greeting(r, peer)
        steps = [g[:10], g[10:11], g[11:], b"".join(v2_item(r) for _ in range(r.randrange(0, 4)))]
    else:
        g = v3_greeting(r, b"PLAIN" if plain else b"NULL")
        steps = [g[:10], g[10:11], g[11:]]
        steps += plain_server_steps(r, peer) if plain else [null_handshake(r, peer)]
        steps.append(b"".join(item(r) for _ in range(r.randrange(0, 4))))
    return finish_case(i, c, s, typ, steps)


def zap_reply(r, request):
    """A generated ZAP reply to request (as the handler's ROUTER got it:
    routing id, delimiter, version, request id, ...): usually well formed,
    sometimes with a wrong version, request id, status code or frame
    count, or metadata cut short."""
    version = b"1.0" if r.random() < 0.9 else r.choice([b"2.0", b"", b"1.0\x00"])
    request_id = request[3] if r.random() < 0.9 else r.choice([b"", b"x", request[3] + b"0"])
    status = r.choice([b"200", b"200", b"200", b"300", b"400", b"500", b"20", b"600", b""])
    user = r.choice([b"", b"alice", b"b" * 300])
    meta = b""
    if r.random() < 0.5:
        meta = bytes([6]) + b"X-Zap1" + struct.pack(">I", 3) + b"one"
        if r.random() < 0.15:
            meta = meta[:r.randrange(len(meta))]
        elif r.random() < 0.15:
            meta += bytes([11]) + b"Socket-Type" + struct.pack(">I", 3) + b"FOO"
    reply = [request[0], b"", version, request_id, status, b"text", user, meta]
    if r.random() < 0.06:
        del reply[r.randrange(2, len(reply))]  # a frame short
    elif r.random() < 0.04:
        reply.append(b"extra")
    return reply


def props_of(frame):
    """The message properties a ZAP handler can set, as zmq_msg_gets sees
    them (None for one not there)."""
    out = []
    for name in ("User-Id", "X-Zap1", "Socket-Type"):
        try:
            out.append(frame.get(name))
        except zmq.ZMQError:
            out.append(None)
    return out


def run_zap_case(ctx, i, seed, zap):
    r = random.Random(seed * 1000037 + i)
    s, typ, peer = case_socket(ctx, r)
    plain = r.random() < 0.7
    if plain:
        s.setsockopt(zmq.PLAIN_SERVER, 1)
    s.setsockopt(zmq.ZAP_DOMAIN, b"dom")
    c = bind_raw_peer(s, typ)
    g = b"\xff" + b"\x00" * 8 + b"\x7f\x03\x01" + (b"PLAIN" if plain else b"NULL").ljust(20, b"\x00") + b"\x00" * 32
    if plain:
        hello = bytes([len(PLAIN_USER)]) + PLAIN_USER + bytes([len(PLAIN_PASSWORD)]) + PLAIN_PASSWORD
        steps = [handshake_command(r, b"HELLO", hello),
                 handshake_command(r, b"INITIATE", metadata(r, peer))]
    else:
        steps = [handshake_command(r, b"READY", metadata(r, peer))]
    steps.append(frame(0, b"m1"))
    requests, replies = [], []
    # A NULL server asks ZAP once the greetings are done, and answers the
    # peer's READY only after the reply; but libzmq takes a READY that
    # came before the reply first, and fails a bad one before it writes
    # its own, where ours writes its READY and then fails. So the peer
    # sends its READY once the reply is in, as a slow peer would.
    zap_step = 3 if plain else 2

    def answer_zap(k):
        """Answers the ZAP request after step zap_step."""
        if k == zap_step and zap.poll(1000):
            request = zap.recv_multipart()
            requests.append([p.hex() for p in request[2:] if p != request[3]])
            reply = zap_reply(r, request)
            replies.append([p.hex() for p in reply[1:]])
            zap.send_multipart(reply)

    back, closed = play(c, s, [g[:10], g[10:11], g[11:]] + steps, answer_zap)
    got = []
    while s.poll(200, zmq.POLLIN):
        try:
            m = s.recv_multipart(zmq.NOBLOCK, copy=False)
        except zmq.Again:
            break
        first = 1 if typ == zmq.ROUTER else 0
        got.append([[p.bytes.hex() for p in m[first:]], props_of(m[first])])
        if typ == zmq.REP:
            s.send(b"")
    c.close()
    s.close()
    back = mask_as_server(back)
    wrote = [back[:64].hex()] + split_frames(back[64:])
    return {"case": i, "type": s.type, "input": (g + b"".join(steps)).hex(), "got": got,
            "wrote": wrote, "closed": closed, "zap": requests, "reply": replies}


def receive_all(s, typ):
    """What the socket delivers until a poll finds nothing: libzmq's pipe
    ends only as the socket handles its commands, which each receive does
    a few of."""
    got = []
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
    return got


def case_socket(ctx, r):
    """A socket of a type drawn with r from TYPES, with LINGER 0; its type,
    and the type its peer announces."""
    typ, peer = TYPES[r.randrange(len(TYPES))]
    s = ctx.socket(typ)
    s.setsockopt(zmq.LINGER, 0)
    return s, typ, peer


def bind_raw_peer(s, typ):
    """Subscribes s to everything if it is a SUB, binds it to a random tcp
    port and returns a raw tcp connection to it: the generated peer."""
    if typ == zmq.SUB:
        s.setsockopt(zmq.SUBSCRIBE, b"")
    port = s.bind_to_random_port("tcp://127.0.0.1")
    return socket.create_connection(("127.0.0.1", port))


def run_case(ctx, i, seed):
    r = random.Random(seed * 1000003 + i)
    s, typ, peer = case_socket(ctx, r)
    if typ == zmq.XPUB and r.random() < 0.5:
        s.setsockopt(zmq.XPUB_VERBOSE, 1)
    c = bind_raw_peer(s, typ)
    inp = case_input(r)
    c.sendall(greeting())
    hs = b""
    while len(hs) < 64:
        chunk = c.recv(64 - len(hs))
        if not chunk:
            break
        hs += chunk
    first = b""
    try:
        c.sendall(ready(peer))
        if typ == zmq.REQ:
            # A REQ delivers only replies to its request, which it sends
            # once the handshake is done. The input follows once the
            # request has come, so that input which ends the connection
            # cannot overtake it.
            s.send(b"req")
            first, _ = read_until_quiet(c, 0.05)
        c.sendall(inp)
        c.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    back, closed = read_until_closed(c, 2.0)
    back = first + back
    got = receive_all(s, typ)
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
        if "aborted" in x and "aborted" not in y:
            print("case %d: the first aborted (signal %d), the second did not; not compared" % (x["case"], x["aborted"]))
            continue
        if "aborted" in y:
            differ += 1
            print("case %d: the second aborted (signal %d)" % (y["case"], y["aborted"]))
            continue
        for key in ("got", "wrote", "closed", "zap"):
            if x.get(key) != y.get(key):
                differ += 1
                print("case %d, socket type %d, %s differs; input %s" % (x["case"], x["type"], key, x["input"]))
                print("  first: ", x[key])
                print("  second:", y[key])
    return differ


def main():
    if sys.argv[1] == "compare":
        sys.exit(1 if compare(sys.argv[2], sys.argv[3]) else 0)
    if sys.argv[1] == "case":
        # One case of a mode run by isolated(): its JSON on stdout.
        ctx = zmq.Context()
        case = {"connect": run_connect_case}[sys.argv[2]](ctx, int(sys.argv[4]), int(sys.argv[3]))
        print(json.dumps(case), flush=True)
        ctx.term()
        return
    seed, count = int(sys.argv[2]), int(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else "after"
    ctx = zmq.Context()
    with open("/proc/self/maps") as maps:
        loaded = sorted({line.split()[-1] for line in maps if "libzmq.so" in line})
    print("wirediff.py: libzmq from", ", ".join(loaded), file=sys.stderr)
    auth = []

    def auth_ready():
        """Starts the ZAP handler the PLAIN cases use, once."""
        if not auth:
            from zmq.auth.thread import ThreadAuthenticator
            a = ThreadAuthenticator(ctx)
            a.start()
            a.configure_plain(domain="global", passwords={PLAIN_USER.decode(): PLAIN_PASSWORD.decode()})
            auth.append(a)

    zap = None
    if mode == "zap":
        zap = ctx.socket(zmq.ROUTER)
        zap.setsockopt(zmq.LINGER, 0)
        zap.bind("inproc://zeromq.zap.01")
    for i in range(count):
        if mode == "handshake":
            case = run_handshake_case(ctx, i, seed, auth_ready)
        elif mode == "zap":
            case = run_zap_case(ctx, i, seed, zap)
        elif mode == "connect":
            case = isolated(mode, i, seed)
        else:
            case = run_case(ctx, i, seed)
        print(json.dumps(case), flush=True)
    if zap is not None:
        zap.close()
    for a in auth:
        a.stop()
    ctx.term()


if __name__ == "__main__":
    main()
