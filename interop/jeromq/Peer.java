// A scriptable JeroMQ peer for purezmq's interop tests.
//
// One process owns one JeroMQ socket. It speaks the line protocol of
// ../peer.py: the Go tests start it with the socket described on the command
// line, read "READY <endpoint>", then send one command per line on stdin and
// read exactly one reply line per command on stdout. Frames travel as
// lowercase hex, "-" standing for an empty frame. Numbered messages carry
// their sequence number as an 8-byte big-endian integer followed by SIZE-8
// copies of its low byte; a message whose last frame is "SYNC" is a probe.
//
// Commands: send F..., sendwait F..., recv [MS], echo N, sendn N SIZE [F...],
// recvn N [F...], pingn N SIZE [F...], sendsync [F...], subscribe F,
// unsubscribe F, sockopt NAME VALUE, bind EP, connect EP, unbind EP,
// close, quit. Replies are those of peer.py.
//
// JeroMQ 0.3.6 ports libzmq 3.2: it speaks ZMTP 2.0 and has no security
// mechanisms, so sockopt answers ERR for the PLAIN and CURVE options.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

public class Peer {
    private static final byte[] SYNC = "SYNC".getBytes(StandardCharsets.US_ASCII);
    // EOF is the queued marker for the end of standard input.
    private static final String EOF = new String("<eof>");

    private final LinkedBlockingQueue<String> input = new LinkedBlockingQueue<>();
    private final PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
    private ZMQ.Context ctx;
    private ZMQ.Socket sock;
    private boolean closed;
    private int timeoutMs = 20000;
    private int lingerMs = 2000;

    public static void main(String[] args) throws Exception {
        new Peer().run(args);
    }

    private void run(String[] args) throws Exception {
        String type = null;
        String identity = null;
        List<String> binds = new ArrayList<>();
        List<String> connects = new ArrayList<>();
        List<String> subscribes = new ArrayList<>();
        List<String> sockopts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                usage("missing value for " + args[i]);
            }
            switch (args[i]) {
                case "--type": type = value; break;
                case "--bind": binds.add(value); break;
                case "--connect": connects.add(value); break;
                case "--identity": identity = value; break;
                case "--subscribe": subscribes.add(value); break;
                case "--sockopt": sockopts.add(value); break;
                case "--timeout": timeoutMs = Integer.parseInt(value); break;
                case "--linger": lingerMs = Integer.parseInt(value); break;
                default: usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (type == null || (binds.isEmpty() && connects.isEmpty())) {
            usage("need --type and --bind or --connect");
        }

        ctx = ZMQ.context(1);
        sock = ctx.socket(constant(type));
        sock.setReceiveTimeOut(timeoutMs);
        sock.setSendTimeOut(timeoutMs);
        sock.setLinger(lingerMs);
        if (identity != null) {
            sock.setIdentity(identity.getBytes(StandardCharsets.UTF_8));
        }
        for (String opt : sockopts) {
            int eq = opt.indexOf('=');
            if (eq < 0) {
                usage("--sockopt wants NAME=VALUE, got " + opt);
            }
            setOption(opt.substring(0, eq), opt.substring(eq + 1));
        }
        for (String topic : subscribes) {
            sock.subscribe(topic.getBytes(StandardCharsets.UTF_8));
        }
        String endpoint = "";
        for (String ep : binds) {
            sock.bind(ep);
            endpoint = lastEndpoint();
        }
        for (String ep : connects) {
            sock.connect(ep);
            if (endpoint.isEmpty()) {
                endpoint = ep;
            }
        }

        Thread reader = new Thread(this::readInput, "stdin");
        reader.setDaemon(true);
        reader.start();
        reply("READY " + endpoint);
        try {
            while (true) {
                String line = nextLine();
                if (line == EOF) {
                    break;
                }
                String[] words = line.trim().split("\\s+");
                if (words[0].isEmpty()) {
                    continue;
                }
                if (words[0].equals("quit")) {
                    break;
                }
                String[] rest = Arrays.copyOfRange(words, 1, words.length);
                String answer;
                try {
                    answer = dispatch(words[0], rest);
                } catch (RuntimeException e) {
                    answer = "ERR " + e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                reply(answer);
            }
        } finally {
            shutdown();
        }
        reply("BYE");
        System.exit(0);
    }

    private static void usage(String problem) {
        System.err.println("Peer: " + problem);
        System.err.println("usage: Peer --type TYPE (--bind EP | --connect EP)... [--identity ID]"
                + " [--subscribe T]... [--sockopt NAME=VALUE]... [--timeout MS] [--linger MS]");
        System.exit(2);
    }

    // constant returns zmq.ZMQ's ZMQ_<name> constant (a socket type or option).
    private static int constant(String name) {
        try {
            Field f = zmq.ZMQ.class.getField("ZMQ_" + name);
            return f.getInt(null);
        } catch (NoSuchFieldException | IllegalAccessException e) {
            throw new IllegalArgumentException("JeroMQ has no ZMQ_" + name);
        }
    }

    private void setOption(String name, String text) {
        Object value;
        try {
            value = Integer.valueOf(text);
        } catch (NumberFormatException e) {
            value = text.getBytes(StandardCharsets.UTF_8);
        }
        sock.base().setSocketOpt(constant(name), value);
    }

    private String lastEndpoint() {
        Object ep = sock.base().getsockoptx(zmq.ZMQ.ZMQ_LAST_ENDPOINT);
        return ep == null ? "" : ep.toString();
    }

    // readInput queues every stdin line, then EOF.
    private void readInput() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(System.in, StandardCharsets.US_ASCII), 1 << 20)) {
            String line;
            while ((line = in.readLine()) != null) {
                input.put(line);
            }
        } catch (Exception e) {
            // Treat a broken stdin as its end.
        }
        try {
            input.put(EOF);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // nextLine waits for the next command line. Like libzmq, JeroMQ attaches
    // new connections and sends a SUB's subscriptions only when the
    // application calls into the socket, so an idle peer pokes it.
    private String nextLine() throws InterruptedException {
        while (true) {
            String line = input.poll(10, TimeUnit.MILLISECONDS);
            if (line != null) {
                return line;
            }
            if (!closed) {
                sock.getEvents();
            }
        }
    }

    private void reply(String text) {
        out.print(text);
        out.print('\n');
        out.flush();
    }

    private String dispatch(String command, String[] args) throws InterruptedException {
        switch (command) {
            case "send": return send(args);
            case "sendwait": return sendWait(args);
            case "recv": return recv(args);
            case "echo": return echo(args);
            case "sendn": return sendNumbered(args);
            case "recvn": return recvNumbered(args);
            case "pingn": return pingNumbered(args);
            case "sendsync": return sendSync(args);
            case "subscribe":
                sock.subscribe(args.length > 0 ? decode(args)[0] : new byte[0]);
                return "OK";
            case "unsubscribe":
                sock.unsubscribe(args.length > 0 ? decode(args)[0] : new byte[0]);
                return "OK";
            case "sockopt":
                setOption(args[0], args[1]);
                return "OK";
            case "bind":
                sock.bind(args[0]);
                return "OK " + lastEndpoint();
            case "connect":
                sock.connect(args[0]);
                return "OK " + args[0];
            case "unbind":
                return sock.unbind(args[0]) ? "OK " + args[0] : "ERR unbind failed";
            case "disconnect":
                return sock.base().termEndpoint(args[0]) ? "OK " + args[0] : "ERR disconnect failed";
            case "close":
                closeSocket();
                return "CLOSED";
            default:
                return "ERR unknown command " + command;
        }
    }

    // sendFrames sends one multipart message; false when it timed out
    // (or, with dontWait, could not be queued at once).
    private boolean sendFrames(byte[][] frames, boolean dontWait) {
        int wait = dontWait ? ZMQ.DONTWAIT : 0;
        for (int i = 0; i < frames.length; i++) {
            int flags = wait | (i < frames.length - 1 ? ZMQ.SNDMORE : 0);
            if (!sock.send(frames[i], flags)) {
                return false;
            }
        }
        return true;
    }

    // recvFrames receives one multipart message, or null on timeout.
    private byte[][] recvFrames() {
        List<byte[]> frames = new ArrayList<>();
        byte[] first = sock.recv(0);
        if (first == null) {
            return null;
        }
        frames.add(first);
        while (sock.hasReceiveMore()) {
            frames.add(sock.recv(0));
        }
        return frames.toArray(new byte[0][]);
    }

    private String send(String[] args) {
        return sendFrames(decode(args), false) ? "SENT" : "ERR send timed out";
    }

    private String sendWait(String[] args) throws InterruptedException {
        byte[][] frames = decode(args);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            try {
                if (sendFrames(frames, true)) {
                    return "SENT";
                }
            } catch (ZMQException e) {
                // A ROUTER with ROUTER_MANDATORY refuses a peer it does
                // not know yet.
                if (e.getErrorCode() != zmq.ZError.EHOSTUNREACH) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                return "ERR send timed out";
            }
            Thread.sleep(10);
        }
    }

    private String recv(String[] args) {
        if (args.length > 0) {
            sock.setReceiveTimeOut(Integer.parseInt(args[0]));
        }
        try {
            byte[][] frames = recvFrames();
            return frames == null ? "TIMEOUT" : "MSG " + encode(frames);
        } finally {
            if (args.length > 0) {
                sock.setReceiveTimeOut(timeoutMs);
            }
        }
    }

    private String echo(String[] args) {
        int n = Integer.parseInt(args[0]);
        for (int i = 0; i < n; i++) {
            byte[][] frames = recvFrames();
            if (frames == null) {
                return "BAD timeout after " + i;
            }
            if (!sendFrames(frames, false)) {
                return "BAD send timeout at " + i;
            }
        }
        return "ECHOED " + n;
    }

    private String sendNumbered(String[] args) {
        int n = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        byte[][] prefix = decode(Arrays.copyOfRange(args, 2, args.length));
        for (int i = 0; i < n; i++) {
            if (!sendFrames(withBody(prefix, numbered(i, size)), false)) {
                return "BAD send timeout at " + i;
            }
        }
        return "SENT " + n;
    }

    private String recvNumbered(String[] args) {
        int n = Integer.parseInt(args[0]);
        byte[][] prefix = decode(Arrays.copyOfRange(args, 1, args.length));
        int got = 0;
        while (got < n) {
            byte[][] frames = recvFrames();
            if (frames == null) {
                return "BAD timeout after " + got;
            }
            byte[] body = frames[frames.length - 1];
            if (Arrays.equals(body, SYNC)) {
                continue;
            }
            byte[][] envelope = Arrays.copyOf(frames, frames.length - 1);
            if (prefix.length > 0 && !Arrays.deepEquals(envelope, prefix)) {
                return "BAD message " + got + " has envelope " + encode(envelope);
            }
            String problem = checkNumbered(body, got);
            if (problem != null) {
                return "BAD " + problem;
            }
            got++;
        }
        return "OK " + got;
    }

    private String pingNumbered(String[] args) {
        int n = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        byte[][] prefix = decode(Arrays.copyOfRange(args, 2, args.length));
        for (int i = 0; i < n; i++) {
            byte[] body = numbered(i, size);
            if (!sendFrames(withBody(prefix, body), false)) {
                return "BAD send timeout at " + i;
            }
            byte[][] frames = recvFrames();
            if (frames == null) {
                return "BAD timeout at " + i;
            }
            if (!Arrays.equals(frames[frames.length - 1], body)) {
                String got = encode(frames);
                return "BAD reply " + i + " is " + got.substring(0, Math.min(200, got.length()));
            }
        }
        return "OK " + n;
    }

    // sendSync sends probes every 10 ms until the next stdin line arrives,
    // and consumes that line.
    private String sendSync(String[] args) throws InterruptedException {
        byte[][] frames = withBody(decode(args), SYNC);
        int sent = 0;
        while (true) {
            if (sendFrames(frames, true)) {
                sent++;
            }
            String line = input.poll(10, TimeUnit.MILLISECONDS);
            if (line != null) {
                if (line == EOF) {
                    input.put(EOF);
                }
                break;
            }
        }
        return "SYNCED " + sent;
    }

    private void closeSocket() {
        if (!closed) {
            sock.setLinger(lingerMs);
            sock.close();
            closed = true;
        }
    }

    private void shutdown() {
        closeSocket();
        ctx.term();
    }

    private static byte[][] withBody(byte[][] prefix, byte[] body) {
        byte[][] frames = Arrays.copyOf(prefix, prefix.length + 1);
        frames[prefix.length] = body;
        return frames;
    }

    static byte[] numbered(int seq, int size) {
        size = Math.max(size, 8);
        byte[] b = new byte[size];
        long s = seq;
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (s >>> (56 - 8 * i));
        }
        Arrays.fill(b, 8, size, (byte) seq);
        return b;
    }

    // checkNumbered returns null when body is numbered message seq, else a
    // description of the difference.
    static String checkNumbered(byte[] body, int seq) {
        if (body.length < 8) {
            return "short body " + encode(new byte[][] {body});
        }
        long got = 0;
        for (int i = 0; i < 8; i++) {
            got = (got << 8) | (body[i] & 0xFF);
        }
        if (got != seq) {
            return "sequence " + got + ", want " + seq;
        }
        if (!Arrays.equals(body, numbered(seq, body.length))) {
            return "corrupt filler in message " + seq;
        }
        return null;
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static String encode(byte[][] frames) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < frames.length; i++) {
            if (i > 0) {
                b.append(' ');
            }
            if (frames[i].length == 0) {
                b.append('-');
                continue;
            }
            for (byte x : frames[i]) {
                b.append(HEX[(x >> 4) & 0xF]).append(HEX[x & 0xF]);
            }
        }
        return b.toString();
    }

    static byte[][] decode(String[] words) {
        byte[][] frames = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (w.equals("-")) {
                frames[i] = new byte[0];
                continue;
            }
            if (w.length() % 2 != 0) {
                throw new IllegalArgumentException("odd-length hex frame");
            }
            byte[] f = new byte[w.length() / 2];
            for (int j = 0; j < f.length; j++) {
                int hi = Character.digit(w.charAt(2 * j), 16);
                int lo = Character.digit(w.charAt(2 * j + 1), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad hex frame");
                }
                f[j] = (byte) ((hi << 4) | lo);
            }
            frames[i] = f;
        }
        return frames;
    }
}
