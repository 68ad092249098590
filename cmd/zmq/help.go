package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// helpTopics are the pages of `zmq help TOPIC`, in the manner of a man
// page: what each thing is and how the commands use it. A command's name is
// a topic too: its usage text.
var helpTopics = map[string]string{
	"send":    sendUsage,
	"recv":    recvUsage,
	"monitor": monitorUsage,
	"proxy":   proxyUsage,
	"keygen":  keygenUsage,
	"types": `SOCKET TYPES (-t TYPE, any case)

  PUSH, PULL         pipeline: PUSH spreads messages over its PULLs in turn
  PUB, SUB           publish-subscribe: SUB gets the topics (-s) it wants
  XPUB, XSUB         PUB and SUB that see subscriptions as messages
  REQ, REP           request-reply in lockstep: send prints REQ's replies,
                     recv's REP echoes each request back
  DEALER, ROUTER     request-reply without lockstep; ROUTER prefixes the
                     sender's routing id
  PAIR               one peer, both ways
  STREAM             raw TCP peers: [routing id, bytes]
  SERVER, CLIENT     draft: one-part messages; recv's SERVER echoes each
                     to its sender, send's CLIENT prints the replies
  RADIO, DISH        draft: groups; send -g GROUP from a RADIO, recv -g
                     GROUP (repeatable) joins on a DISH
  SCATTER, GATHER    draft: a one-part PUSH and PULL
  PEER, CHANNEL      draft: peer to peer, and a one-part PAIR
`,
	"endpoints": `ENDPOINTS (-b binds, -c connects; both repeatable)

  tcp://HOST:PORT         "*" as HOST binds every interface, "*" as PORT
                          lets the system pick one (reported on stderr)
  tcp://SRC;HOST:PORT     connect from a source address
  ipc:///path/to/socket   Unix domain socket; ipc://@name is abstract
  inproc://name           within one process: useful with zmq proxy only
  ws://HOST:PORT/path     ZeroMQ over WebSocket (ZWS 2.0); wss:// with TLS
  udp://HOST:PORT         RADIO and DISH, DGRAM; udp://iface;group:port
                          for multicast
`,
	"formats": `MESSAGE FORMATS

Output (recv, and send's replies), chosen with -format:
  text   frames joined by " | " on one line; a frame that is not printable
         UTF-8 shows as 0x followed by hex (the default)
  hex    every frame as 0x-hex
  json   JSON Lines: one array per message; a frame is a string, or
         {"base64": "..."} when it is not UTF-8 (-base64: always)
  raw    the frames' bytes with nothing added, for piping binary data

Input (send with no PART arguments), chosen with -input:
  lines  each stdin line is a one-frame message (the default)
  json   each stdin line is a JSON array of frames, strings or
         {"base64": "..."}, or a single JSON string; what recv -format json
         prints, send -input json sends again unchanged
`,
	"security": `SECURITY

  -curve-server SECRET       be a CURVE server with this Z85 secret key
  -curve-client SERVERPUB    be a CURVE client of the server with this Z85
                             public key (a key pair of its own is made)
  zmq keygen -o NAME         a key pair, also as CZMQ certificate files

Without these, connections are unencrypted (NULL), as in libzmq.
`,
}

// runHelp prints the overview, or the page of one topic.
func runHelp(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usageText)
		return nil
	}
	page, ok := helpTopics[strings.ToLower(args[0])]
	if !ok {
		return usageError(fmt.Sprintf("no help topic %q; topics: %s", args[0], strings.Join(helpTopicNames(), ", ")))
	}
	fmt.Fprint(stdout, page)
	return nil
}

// helpTopicNames lists the topics in order.
func helpTopicNames() []string {
	names := make([]string, 0, len(helpTopics))
	for n := range helpTopics {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
