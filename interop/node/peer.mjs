// A scriptable zeromq.js peer (libzmq 4.3.5 built with the draft API) for
// purezmq's interop tests. It speaks the line protocol of ../peer.py: one
// process owns one socket, prints "READY <endpoint>", then answers each
// command line on stdin with exactly one line on stdout. Frames travel as
// lowercase hex, "-" standing for an empty frame; groups are hex too.
// Numbered messages are single-part, as in peer.py: the sequence number as
// 8 bytes big-endian, then SIZE-8 copies of its low byte; a message whose
// body is exactly "SYNC" is a probe, which recvn and recvseqs skip.
//
// Options: --type NAME (libzmq socket type name, draft types included),
// --bind EP, --connect EP (repeatable), --join G (hex, DISH),
// --sockopt NAME=VALUE (a zeromq.js property name, e.g. linger=0),
// --timeout MS (send/receive timeout, default 20000), --linger MS.
//
// Commands and replies:
//   send F...            send one message                   -> SENT | ERR ...
//   sendwait F...        like send, retrying while the message is
//                        unroutable (EHOSTUNREACH) or the pipe is full
//                        (EAGAIN), until --timeout           -> SENT | ERR ...
//   sendto ID F...       SERVER: send to routing id ID       -> SENT | ERR ...
//   sendgroup G F...     RADIO: send to group G              -> SENT | ERR ...
//   recv [MS]            receive one message -> MSG F... | FROM ID F... (SERVER)
//                        | GROUP G F... (DISH) | TIMEOUT | ERR ...
//   echo N               receive N messages and send each back (a SERVER
//                        to its sender)                      -> ECHOED N | BAD ...
//   sendn N SIZE         send N numbered messages            -> SENT N | BAD ...
//   recvn N              receive N numbered messages in order, skipping
//                        probes                              -> OK N | BAD ...
//   recvseqs N           receive N numbered messages in any order, skipping
//                        probes, and list their numbers      -> SEQS S... | BAD ...
//   join G / leave G     DISH groups                         -> OK | ERR ...
//   connectpeer EP       PEER: zeromq.js has no zmq_connect_peer -> ERR ENOTSUP
//   sockopt NAME VALUE   set a zeromq.js socket property     -> OK | ERR ...
//   bind EP / connect EP / unbind EP / disconnect EP         -> OK <endpoint> | ERR
//   close                close the socket                    -> CLOSED
//   quit                 close everything and exit           -> BYE
//
// zeromq.js exposes SERVER, CLIENT, RADIO, DISH, GATHER, SCATTER and DGRAM
// as classes; PEER and CHANNEL are built from the generic socket by type
// number. A zeromq.js PEER can receive but not send: zeromq.js attaches a
// routing id to outgoing messages only on SERVER sockets.

import * as zmq from "zeromq";
import * as draft from "zeromq/draft.js";
import { createInterface } from "node:readline";

const socketTypes = {
  PAIR: () => new zmq.Pair(),
  PUB: () => new zmq.Publisher(),
  SUB: () => new zmq.Subscriber(),
  REQ: () => new zmq.Request(),
  REP: () => new zmq.Reply(),
  DEALER: () => new zmq.Dealer(),
  ROUTER: () => new zmq.Router(),
  PULL: () => new zmq.Pull(),
  PUSH: () => new zmq.Push(),
  XPUB: () => new zmq.XPublisher(),
  XSUB: () => new zmq.XSubscriber(),
  STREAM: () => new zmq.Stream(),
  SERVER: () => new draft.Server(),
  CLIENT: () => new draft.Client(),
  RADIO: () => new draft.Radio(),
  DISH: () => new draft.Dish(),
  GATHER: () => new draft.Gather(),
  SCATTER: () => new draft.Scatter(),
  DGRAM: () => new draft.Datagram(),
  PEER: () => new zmq.Socket(19), // ZMQ_PEER
  CHANNEL: () => new zmq.Socket(20), // ZMQ_CHANNEL
};

function encodeFrames(frames) {
  return frames.map((f) => (f.length ? Buffer.from(f).toString("hex") : "-")).join(" ");
}

function decodeFrame(token) {
  return token === "-" ? Buffer.alloc(0) : Buffer.from(token, "hex");
}

function decodeFrames(tokens) {
  return tokens.map(decodeFrame);
}

const SYNC = Buffer.from("SYNC");
const ZMQ_RCVTIMEO = 27;
const ZMQ_SNDTIMEO = 28;

// numbered returns body seq of a numbered stream.
function numbered(seq, size) {
  const body = Buffer.alloc(Math.max(size, 8), seq & 0xff);
  body.writeBigUInt64BE(BigInt(seq), 0);
  return body;
}

// sequenceOf returns the number of a numbered body, or a description of
// what is wrong with it.
function sequenceOf(body) {
  if (body.length < 8) {
    return { problem: "short body " + encodeFrames([body]) };
  }
  const seq = Number(body.readBigUInt64BE(0));
  if (!body.equals(numbered(seq, body.length))) {
    return { problem: "corrupt filler in message " + seq };
  }
  return { seq };
}

function reply(text) {
  process.stdout.write(text + "\n");
}

function errorText(e) {
  return "ERR " + (e.code || e.name || "Error") + ": " + e.message;
}

function parseArgs(argv) {
  const args = { type: "", bind: [], connect: [], join: [], sockopt: [], timeout: 20000, linger: 2000 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (value === undefined) {
      throw new Error("missing value for " + name);
    }
    switch (name) {
      case "--type":
        args.type = value;
        break;
      case "--bind":
      case "--connect":
      case "--join":
      case "--sockopt":
        args[name.slice(2)].push(value);
        break;
      case "--timeout":
      case "--linger":
        args[name.slice(2)] = Number(value);
        break;
      default:
        throw new Error("unknown option " + name);
    }
  }
  if (!socketTypes[args.type]) {
    throw new Error("unknown --type " + args.type);
  }
  if (!args.bind.length && !args.connect.length) {
    throw new Error("need --bind or --connect");
  }
  return args;
}

// optionValue turns a command-line value into a number, a boolean or text.
function optionValue(text) {
  if (text === "true" || text === "false") {
    return text === "true";
  }
  const n = Number(text);
  return Number.isNaN(n) ? text : n;
}

class Peer {
  constructor(args) {
    this.type = args.type;
    this.timeout = args.timeout;
    this.sock = socketTypes[args.type]();
    this.setReceiveTimeout(args.timeout);
    this.sock.setInt32Option(ZMQ_SNDTIMEO, args.timeout);
    this.sock.linger = args.linger;
    for (const opt of args.sockopt) {
      const eq = opt.indexOf("=");
      this.sock[opt.slice(0, eq)] = optionValue(opt.slice(eq + 1));
    }
    for (const g of args.join) {
      this.sock.join(decodeFrame(g));
    }
    // libzmq attaches new connections (and sends a DISH's groups over them)
    // only when the application calls into the socket, so an idle peer
    // looks at its socket every 10 ms, as peer.py's pump does.
    this.pump = setInterval(() => {
      if (!this.sock.closed) {
        void this.sock.readable;
      }
    }, 10);
  }

  async start(args) {
    let endpoint = "";
    for (const ep of args.bind) {
      await this.sock.bind(ep);
      endpoint = this.sock.lastEndpoint;
    }
    for (const ep of args.connect) {
      this.sock.connect(ep);
      if (!endpoint) {
        endpoint = ep;
      }
    }
    return endpoint;
  }

  // setReceiveTimeout sets ZMQ_RCVTIMEO by number: zeromq.js defines the
  // receiveTimeout property only on the classes it exports.
  setReceiveTimeout(ms) {
    this.sock.setInt32Option(ZMQ_RCVTIMEO, ms);
  }

  // message returns what send() takes: one frame alone, several as an array.
  static message(frames) {
    return frames.length === 1 ? frames[0] : frames;
  }

  async cmd_send(tokens) {
    await this.sock.send(Peer.message(decodeFrames(tokens)));
    return "SENT";
  }

  async cmd_sendwait(tokens) {
    const msg = Peer.message(decodeFrames(tokens));
    const deadline = Date.now() + this.timeout;
    for (;;) {
      try {
        await this.sock.send(msg);
        return "SENT";
      } catch (e) {
        if ((e.code !== "EHOSTUNREACH" && e.code !== "EAGAIN") || Date.now() > deadline) {
          return errorText(e);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  async cmd_sendto(tokens) {
    await this.sock.send(Peer.message(decodeFrames(tokens.slice(1))), { routingId: Number(tokens[0]) });
    return "SENT";
  }

  async cmd_sendgroup(tokens) {
    await this.sock.send(Peer.message(decodeFrames(tokens.slice(1))), { group: decodeFrame(tokens[0]) });
    return "SENT";
  }

  // receive returns the frames of one message and its routing id or group.
  async receive() {
    const parts = await this.sock.receive();
    const frames = [];
    let meta = null;
    for (const p of parts) {
      if (Buffer.isBuffer(p)) {
        frames.push(p);
      } else {
        meta = p;
      }
    }
    return { frames, meta };
  }

  async cmd_recv(tokens) {
    if (tokens.length) {
      this.setReceiveTimeout(Number(tokens[0]));
    }
    try {
      const { frames, meta } = await this.receive();
      if (meta && meta.routingId !== undefined) {
        return "FROM " + meta.routingId + " " + encodeFrames(frames);
      }
      if (meta && meta.group !== undefined) {
        return "GROUP " + encodeFrames([meta.group]) + " " + encodeFrames(frames);
      }
      return "MSG " + encodeFrames(frames);
    } catch (e) {
      return e.code === "EAGAIN" ? "TIMEOUT" : errorText(e);
    } finally {
      if (tokens.length) {
        this.setReceiveTimeout(this.timeout);
      }
    }
  }

  async cmd_echo(tokens) {
    const n = Number(tokens[0]);
    for (let i = 0; i < n; i++) {
      let got;
      try {
        got = await this.receive();
      } catch (e) {
        return "BAD receive " + i + ": " + errorText(e);
      }
      const msg = Peer.message(got.frames);
      if (this.type === "SERVER") {
        await this.sock.send(msg, { routingId: got.meta.routingId });
      } else {
        await this.sock.send(msg);
      }
    }
    return "ECHOED " + n;
  }

  async cmd_sendn(tokens) {
    const n = Number(tokens[0]);
    const size = Number(tokens[1]);
    for (let i = 0; i < n; i++) {
      try {
        await this.sock.send(numbered(i, size));
      } catch (e) {
        return "BAD send " + i + ": " + errorText(e);
      }
    }
    return "SENT " + n;
  }

  // receiveNumbered receives n numbered messages, skipping probes, and
  // calls check with each sequence number; check returns a problem or null.
  async receiveNumbered(n, check) {
    for (let got = 0; got < n; ) {
      let frames;
      try {
        ({ frames } = await this.receive());
      } catch (e) {
        return "BAD after " + got + ": " + errorText(e);
      }
      const body = frames[frames.length - 1];
      if (frames.length === 1 && body.equals(SYNC)) {
        continue;
      }
      if (frames.length !== 1) {
        return "BAD message " + got + " has " + frames.length + " frames";
      }
      const { seq, problem } = sequenceOf(body);
      const wrong = problem || check(seq, got);
      if (wrong) {
        return "BAD " + wrong;
      }
      got++;
    }
    return null;
  }

  async cmd_recvn(tokens) {
    const n = Number(tokens[0]);
    const bad = await this.receiveNumbered(n, (seq, got) => (seq === got ? null : "sequence " + seq + ", want " + got));
    return bad || "OK " + n;
  }

  async cmd_recvseqs(tokens) {
    const seqs = [];
    const bad = await this.receiveNumbered(Number(tokens[0]), (seq) => {
      seqs.push(seq);
      return null;
    });
    return bad || ("SEQS " + seqs.join(" ")).trim();
  }

  async cmd_join(tokens) {
    this.sock.join(decodeFrame(tokens[0]));
    return "OK";
  }

  async cmd_leave(tokens) {
    this.sock.leave(decodeFrame(tokens[0]));
    return "OK";
  }

  async cmd_connectpeer() {
    return "ERR ENOTSUP: zeromq.js has no zmq_connect_peer";
  }

  async cmd_sockopt(tokens) {
    this.sock[tokens[0]] = optionValue(tokens[1]);
    return "OK";
  }

  async cmd_bind(tokens) {
    await this.sock.bind(tokens[0]);
    return "OK " + this.sock.lastEndpoint;
  }

  async cmd_connect(tokens) {
    this.sock.connect(tokens[0]);
    return "OK " + tokens[0];
  }

  async cmd_unbind(tokens) {
    await this.sock.unbind(tokens[0]);
    return "OK " + tokens[0];
  }

  async cmd_disconnect(tokens) {
    this.sock.disconnect(tokens[0]);
    return "OK " + tokens[0];
  }

  async cmd_close() {
    this.sock.close();
    return "CLOSED";
  }

  shutdown() {
    clearInterval(this.pump);
    if (!this.sock.closed) {
      this.sock.close();
    }
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const peer = new Peer(args);
  reply("READY " + (await peer.start(args)));
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    const words = line.trim().split(/\s+/).filter((w) => w.length);
    if (!words.length) {
      continue;
    }
    if (words[0] === "quit") {
      break;
    }
    const handler = peer["cmd_" + words[0]];
    if (typeof handler !== "function") {
      reply("ERR unknown command " + words[0]);
      continue;
    }
    try {
      reply(await handler.call(peer, words.slice(1)));
    } catch (e) {
      reply(errorText(e));
    }
  }
  lines.close();
  peer.shutdown();
  reply("BYE");
  // The socket lingers (--linger) while the context winds down as Node exits.
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(2);
});
