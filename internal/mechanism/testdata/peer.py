# libzmq peer for the interop tests in interop_test.go (run by /usr/bin/python3).
# Modes:
#   keys                                  print CURVE key pairs and zmq.curve_public of each secret
#   server <NULL|PLAIN|CURVE>             REP bound to 127.0.0.1; prints {"port", "server_key"}
#   client <NULL|PLAIN|CURVE> <port> ...  REQ connecting to 127.0.0.1:<port>
# Each run ends by printing one JSON line: what arrived and its properties,
# or the handshake-failed monitor event that was raised.
import json
import sys
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

TIMEOUT_MS = 10000
FAILED = {
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "NO_DETAIL",
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "PROTOCOL",
    zmq.EVENT_HANDSHAKE_FAILED_AUTH: "AUTH",
}


def out(**kw):
    print(json.dumps(kw), flush=True)


def properties(frame):
    props = {}
    for name in ("Socket-Type", "Identity", "X-Color", "User-Id"):
        try:
            props[name] = frame.get(name)
        except zmq.ZMQError:
            pass
    return props


def serve_one(sock, mon, reply):
    """Wait for a request (REP) or reply (REQ), or a handshake failure."""
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    poller.register(mon, zmq.POLLIN)
    while True:
        ready = dict(poller.poll(TIMEOUT_MS))
        if not ready:
            out(error="timeout")
            return
        if mon in ready:
            ev = recv_monitor_message(mon)
            if ev["event"] in FAILED:
                out(event=FAILED[ev["event"]], value=ev["value"])
                return
        if sock in ready:
            frames = sock.recv_multipart(copy=False)
            got = [f.bytes.decode("latin-1") for f in frames]
            props = properties(frames[-1])
            if reply is not None:
                sock.send_multipart([reply + frames[-1].bytes])
            out(received=got, props=props)
            return


def main():
    ctx = zmq.Context()
    mode = sys.argv[1]
    if mode == "keys":
        keys = []
        for _ in range(5):
            pub, sec = zmq.curve_keypair()
            keys.append([sec.decode(), pub.decode(), zmq.curve_public(sec).decode()])
        out(keys=keys)
        return

    mechanism = sys.argv[2]
    auth = None
    if mode == "server":
        sock = ctx.socket(zmq.REP)
        info = {}
        if mechanism == "CURVE":
            pub, sec = zmq.curve_keypair()
            sock.curve_server = True
            sock.curve_secretkey = sec
            info["server_key"] = pub.decode()
        elif mechanism == "PLAIN":
            from zmq.auth.thread import ThreadAuthenticator
            auth = ThreadAuthenticator(ctx)
            auth.start()
            auth.configure_plain(domain="*", passwords={"admin": "secret"})
            # configure_plain is applied by the authenticator thread; wait
            # until it has been, so the first ZAP request sees the user.
            while "*" not in auth.passwords:
                time.sleep(0.01)
            sock.plain_server = True
        sock.linger = 2000
        mon = sock.get_monitor_socket()
        port = sock.bind_to_random_port("tcp://127.0.0.1")
        out(port=port, **info)
        serve_one(sock, mon, b"world:")
    else:
        port = sys.argv[3]
        sock = ctx.socket(zmq.REQ)
        sock.routing_id = b"py"
        sock.setsockopt(zmq.METADATA, b"X-Color:green")
        if mechanism == "CURVE":
            pub, sec = zmq.curve_keypair()
            sock.curve_publickey = pub
            sock.curve_secretkey = sec
            sock.curve_serverkey = sys.argv[4].encode()
            out(client_key=pub.decode())
        elif mechanism == "PLAIN":
            sock.plain_username = b"admin"
            sock.plain_password = sys.argv[4].encode()
            out(started=True)
        else:
            out(started=True)
        sock.linger = 0
        mon = sock.get_monitor_socket()
        sock.connect("tcp://127.0.0.1:%s" % port)
        sock.send(b"hello")
        serve_one(sock, mon, None)
    # Let libzmq deliver the reply (linger), then shut down cleanly.
    sock.disable_monitor()
    mon.close()
    sock.close(linger=2000)
    if auth is not None:
        auth.stop()
    ctx.term()


main()
