// ws_peer.mjs: a zeromq.js (libzmq 4.3.5) peer for purezmq's ws:// interop
// tests, speaking a subset of peer.py's line protocol.
//
// Usage: node ws_peer.mjs --type PAIR (--bind EP | --connect EP)
//          [--option name=value]... [--subscribe TOPIC]... [--zap 1]
// Options are zeromq.js socket option names (curveServer=true,
// curveSecretKey=<z85>, routingId=abc, heartbeatInterval=100, ...); values
// "true"/"false" become booleans and decimal numbers become numbers.
// --zap 1 runs a ZAP handler that accepts every peer (libzmq's PLAIN server
// needs one).
//
// Commands, one per line, each answered by one line:
//   send F...           -> SENT | ERR ...
//   recv [MS]           -> MSG F... | TIMEOUT
//   sendn N SIZE [F...] -> SENT N        numbered messages after prefix frames
//   recvn N [F...]      -> OK N | BAD ...  skips messages whose last frame is SYNC
//   echo N              -> ECHOED N | BAD ...
//   sendsync [F...]     -> SYNCED N      probes (prefix + "SYNC") every 10 ms
//                                          until the next line, which is consumed
//   subscribe F / unsubscribe F -> OK
//   quit                -> BYE
// Frames are hex, "-" for an empty frame.
import * as zmq from "zeromq"
import * as readline from "node:readline"

const types = {
  PAIR: zmq.Pair, PUB: zmq.Publisher, SUB: zmq.Subscriber, REQ: zmq.Request,
  REP: zmq.Reply, DEALER: zmq.Dealer, ROUTER: zmq.Router, PULL: zmq.Pull,
  PUSH: zmq.Push, XPUB: zmq.XPublisher, XSUB: zmq.XSubscriber,
}

function parseArgs(argv) {
  const a = {type: "PAIR", bind: [], connect: [], options: {}, subscribe: []}
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i], v = argv[i + 1]
    if (k === "--type") a.type = v
    else if (k === "--bind") a.bind.push(v)
    else if (k === "--connect") a.connect.push(v)
    else if (k === "--subscribe") a.subscribe.push(v)
    else if (k === "--zap") a.zap = v === "1"
    else if (k === "--option") {
      const j = v.indexOf("=")
      let val = v.slice(j + 1)
      if (val === "true") val = true
      else if (val === "false") val = false
      else if (/^-?\d+$/.test(val)) val = Number(val)
      a.options[v.slice(0, j)] = val
    } else throw new Error("unknown argument " + k)
  }
  return a
}

const encode = frames => frames.map(f => f.length ? Buffer.from(f).toString("hex") : "-").join(" ")
const decode = tokens => tokens.map(t => t === "-" ? Buffer.alloc(0) : Buffer.from(t, "hex"))

function numbered(seq, size) {
  const b = Buffer.alloc(Math.max(size, 8), seq & 0xff)
  b.writeBigUInt64BE(BigInt(seq), 0)
  return b
}

const timeoutMs = 20000

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const Type = types[args.type]
  if (!Type) throw new Error("unknown type " + args.type)
  let zap = null
  if (args.zap) {
    zap = new zmq.Reply()
    await zap.bind("inproc://zeromq.zap.01")
    ;(async () => {
      try {
        for await (const [version, id] of zap) await zap.send([version, id, "200", "OK", "user", ""])
      } catch (e) {}
    })()
  }
  const defaults = {receiveTimeout: timeoutMs, sendTimeout: timeoutMs, linger: 2000}
  const sock = new Type(args.options)
  for (const [k, v] of Object.entries(defaults)) if (k in sock && !(k in args.options)) sock[k] = v
  for (const t of args.subscribe) sock.subscribe(t)
  let endpoint = ""
  for (const ep of args.bind) {
    await sock.bind(ep)
    endpoint = sock.lastEndpoint
  }
  for (const ep of args.connect) {
    sock.connect(ep)
    if (!endpoint) endpoint = ep
  }
  // libzmq attaches new connections (and sends a SUB's subscriptions over
  // them) only when the application calls into the socket: poke it while
  // idle, as peer.py does. Never while a command runs: reading ZMQ_EVENTS
  // would consume the edge zeromq.js's own poller waits for.
  let busy = false
  const pump = setInterval(() => {
    try {
      if (!busy && !sock.closed) void sock.readable
    } catch (e) {}
  }, 10)
  const out = line => process.stdout.write(line + "\n")
  out("READY " + endpoint)

  const recvWithin = async ms => {
    sock.receiveTimeout = ms
    try {
      return await sock.receive()
    } catch (e) {
      if (e.code === "EAGAIN") return null
      throw e
    } finally {
      sock.receiveTimeout = timeoutMs
    }
  }

  // Lines arrive into a queue, so sendsync can tell when the next one came.
  const queue = []
  let wake = null
  let ended = false
  const rl = readline.createInterface({input: process.stdin, crlfDelay: Infinity})
  rl.on("line", line => { queue.push(line); if (wake) { wake(); wake = null } })
  rl.on("close", () => { ended = true; if (wake) { wake(); wake = null } })
  const nextLine = async () => {
    while (!queue.length && !ended) await new Promise(r => { wake = r })
    return queue.length ? queue.shift() : null
  }
  const sleep = ms => new Promise(r => setTimeout(r, ms))

  const commands = {
    async sendsync(t) {
      const probe = [...decode(t), Buffer.from("SYNC")]
      let n = 0
      while (!queue.length && !ended) {
        await sock.send(probe)
        n++
        await sleep(10)
      }
      await nextLine()
      return "SYNCED " + n
    },
    async send(t) { await sock.send(decode(t)); return "SENT" },
    async recv(t) {
      const m = await recvWithin(t.length ? Number(t[0]) : timeoutMs)
      return m ? "MSG " + encode(m) : "TIMEOUT"
    },
    async sendn(t) {
      const n = Number(t[0]), size = Number(t[1]), prefix = decode(t.slice(2))
      for (let i = 0; i < n; i++) await sock.send([...prefix, numbered(i, size)])
      return "SENT " + n
    },
    async recvn(t) {
      const n = Number(t[0]), prefix = decode(t.slice(1))
      let got = 0
      while (got < n) {
        const m = await recvWithin(timeoutMs)
        if (!m) return "BAD timeout after " + got
        const body = m[m.length - 1]
        if (body.toString() === "SYNC") continue
        if (encode(m.slice(0, -1)) !== encode(prefix)) return "BAD envelope " + encode(m.slice(0, -1))
        if (!body.equals(numbered(got, body.length))) return "BAD message " + got
        got++
      }
      return "OK " + n
    },
    async echo(t) {
      const n = Number(t[0])
      for (let i = 0; i < n; i++) {
        const m = await recvWithin(timeoutMs)
        if (!m) return "BAD timeout after " + i
        await sock.send(m)
      }
      return "ECHOED " + n
    },
    async subscribe(t) { sock.subscribe(...decode(t)); return "OK" },
    async unsubscribe(t) { sock.unsubscribe(...decode(t)); return "OK" },
  }

  for (;;) {
    const line = await nextLine()
    if (line === null) break
    const tokens = line.trim().split(/\s+/).filter(Boolean)
    if (!tokens.length) continue
    const [cmd, ...rest] = tokens
    if (cmd === "quit") break
    const fn = commands[cmd]
    if (!fn) { out("ERR unknown command " + cmd); continue }
    busy = true
    try {
      out(await fn(rest))
    } catch (e) {
      out("ERR " + (e.code || "") + " " + e.message)
    } finally {
      busy = false
    }
  }
  clearInterval(pump)
  sock.close()
  if (zap) zap.close()
  out("BYE")
  process.exit(0)
}

main().catch(e => { process.stderr.write(String(e && e.stack || e) + "\n"); process.exit(1) })
