package mechanism

import (
	"fmt"
	"testing"

	"github.com/purezmq/zmq4/internal/zmtp"
)

var benchSizes = []int{64, 1 << 10, 64 << 10}

func BenchmarkSeal(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			client, _ := codecPair(b)
			payload := make([]byte, size)
			buf := make([]byte, 0, size+messageMinSize)
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				out, err := client.Seal(buf[:0], zmtp.FlagMore, payload)
				if err != nil {
					b.Fatal(err)
				}
				buf = out
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			client, server := codecPair(b)
			payload := make([]byte, size)
			sealed, _ := client.Seal(nil, 0, payload)
			work := make([]byte, len(sealed))
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				// Reuse one sealed body: rewind the peer nonce so it opens again.
				copy(work, sealed)
				server.peerNonce = clientFirstMessage - 1
				if _, _, err := server.Open(work); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkHandshake(b *testing.B) {
	for _, mechanism := range []string{Null, Plain, Curve} {
		b.Run(mechanism, func(b *testing.B) {
			client := &Config{Mechanism: mechanism, SocketType: "DEALER", SendIdentity: true}
			server := &Config{Mechanism: mechanism, AsServer: mechanism != Null, SocketType: "ROUTER",
				ZAP: func(ZAPRequest) (ZAPReply, error) { return ZAPReply{Status: "200"}, nil }}
			if mechanism == Curve {
				client, server = fuzzCurveConfigs()
			}
			b.ReportAllocs()
			for b.Loop() {
				c, s := runPairB(client, server)
				if c != nil || s != nil {
					b.Fatal(c, s)
				}
			}
		})
	}
}

// runPairB runs one handshake pair for benchmarks.
func runPairB(client, server *Config) (clientErr, serverErr error) {
	cc, sc := connPair()
	done := make(chan error, 1)
	go func() {
		_, err := Handshake(sc, server)
		done <- err
	}()
	_, clientErr = Handshake(cc, client)
	serverErr = <-done
	cc.Close()
	sc.Close()
	return clientErr, serverErr
}
