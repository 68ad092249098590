package zmtp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestReadyOfDealerMatchesLibzmq(t *testing.T) {
	// libzmq DEALER READY, 43 bytes on the wire (PROTOCOL.md 1.5).
	want := []byte("\x04\x29\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00")
	if len(want) != 43 {
		t.Fatalf("fixture length %d", len(want))
	}
	meta := AppendProperty(nil, "Socket-Type", "DEALER")
	meta = AppendProperty(meta, "Identity", "")
	got := AppendFrame(nil, FlagCommand, AppendCommand(nil, CmdReady, meta))
	if !bytes.Equal(got, want) {
		t.Fatalf("\n got % x\nwant % x", got, want)
	}

	name, data, err := ParseCommand(want[2:])
	if err != nil || name != CmdReady {
		t.Fatalf("ParseCommand: %q %v", name, err)
	}
	props, err := ParseMetadata(data)
	if err != nil {
		t.Fatal(err)
	}
	wantProps := []Property{{"Socket-Type", "DEALER"}, {"Identity", ""}}
	if len(props) != 2 || props[0] != wantProps[0] || props[1] != wantProps[1] {
		t.Fatalf("props %+v", props)
	}
	if v, ok := Lookup(props, "socket-type"); !ok || v != "DEALER" {
		t.Fatalf("Lookup = %q %v", v, ok)
	}
	if v, ok := Lookup(props, "IDENTITY"); !ok || v != "" {
		t.Fatalf("Lookup identity = %q %v", v, ok)
	}
	if _, ok := Lookup(props, "User-Id"); ok {
		t.Fatal("found absent property")
	}
}

func TestSubscribeCancelMatchLibzmq(t *testing.T) {
	got := AppendFrame(nil, FlagCommand, AppendCommand(nil, CmdSubscribe, []byte("A")))
	if want := []byte("\x04\x0b\x09SUBSCRIBEA"); !bytes.Equal(got, want) || len(got) != 13 {
		t.Fatalf("subscribe % x", got)
	}
	got = AppendFrame(nil, FlagCommand, AppendCommand(nil, CmdCancel, []byte("A")))
	if want := []byte("\x04\x08\x06CANCELA"); !bytes.Equal(got, want) {
		t.Fatalf("cancel % x", got)
	}
}

func TestPingPongMatchLibzmq(t *testing.T) {
	ping := AppendFrame(nil, FlagCommand, AppendPing(nil, 0, []byte("LOL")))
	if want := []byte("\x04\x0a\x04PING\x00\x00LOL"); !bytes.Equal(ping, want) {
		t.Fatalf("ping % x", ping)
	}
	name, data, err := ParseCommand(ping[2:])
	if err != nil || name != CmdPing {
		t.Fatalf("%q %v", name, err)
	}
	ttl, ctx, err := ParsePing(data)
	if err != nil || ttl != 0 || string(ctx) != "LOL" {
		t.Fatalf("ParsePing = %d %q %v", ttl, ctx, err)
	}
	// libzmq's tests/test_heartbeats.cpp expects these 10 bytes (PROTOCOL.md
	// 1.4 misprints the size octet as 0x07).
	pong := AppendFrame(nil, FlagCommand, AppendPong(nil, ctx))
	if want := []byte("\x04\x08\x04PONGLOL"); !bytes.Equal(pong, want) {
		t.Fatalf("pong % x", pong)
	}
}

func TestPingTTLAndContextLimits(t *testing.T) {
	long := []byte("0123456789abcdefXYZ")
	body := AppendPing(nil, 0x1234, long)
	if want := "\x04PING\x12\x340123456789abcdef"; string(body) != want {
		t.Fatalf("ping body %q", body)
	}
	ttl, ctx, err := ParsePing([]byte("\x00\x05" + string(long)))
	if err != nil || ttl != 5 || string(ctx) != "0123456789abcdef" {
		t.Fatalf("%d %q %v", ttl, ctx, err)
	}
	if body := AppendPong(nil, long); string(body) != "\x04PONG0123456789abcdef" {
		t.Fatalf("pong body %q", body)
	}
	for _, bad := range [][]byte{nil, {1}} {
		if _, _, err := ParsePing(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParsePing(% x) err = %v", bad, err)
		}
	}
	if ttl, ctx, err := ParsePing([]byte{0, 9}); err != nil || ttl != 9 || len(ctx) != 0 {
		t.Fatalf("no context: %d %q %v", ttl, ctx, err)
	}
}

func TestErrorCommand(t *testing.T) {
	body := AppendError(nil, "400")
	if string(body) != "\x05ERROR\x03400" {
		t.Fatalf("%q", body)
	}
	name, data, err := ParseCommand(body)
	if err != nil || name != CmdError {
		t.Fatal(name, err)
	}
	if reason, err := ParseError(data); err != nil || reason != "400" {
		t.Fatalf("%q %v", reason, err)
	}
	long := strings.Repeat("r", 300)
	body = AppendError(nil, long)
	if reason, err := ParseError(body[6:]); err != nil || reason != long[:255] {
		t.Fatalf("long reason: len %d %v", len(reason), err)
	}
	if reason, err := ParseError([]byte("\x00")); err != nil || reason != "" {
		t.Fatalf("empty reason: %q %v", reason, err)
	}
	if reason, err := ParseError([]byte("\x02okEXTRA")); err != nil || reason != "ok" {
		t.Fatalf("trailing bytes: %q %v", reason, err)
	}
	for _, bad := range []string{"", "\x03ab", "\xff"} {
		if _, err := ParseError([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseError(%q) err = %v", bad, err)
		}
	}
}

func TestParseCommandRejects(t *testing.T) {
	for _, bad := range []string{"", "\x00", "\x00data", "\x05READ", "\x09SUB"} {
		if _, _, err := ParseCommand([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseCommand(%q) err = %v", bad, err)
		}
	}
	name, data, err := ParseCommand([]byte("\x05READY"))
	if err != nil || name != "READY" || len(data) != 0 {
		t.Fatalf("%q %q %v", name, data, err)
	}
	long := strings.Repeat("N", 255)
	name, data, err = ParseCommand(AppendCommand(nil, long, []byte("d")))
	if err != nil || name != long || string(data) != "d" {
		t.Fatalf("255-byte name: %v", err)
	}
}

func TestAppendCommandPanicsOnBadName(t *testing.T) {
	for _, name := range []string{"", strings.Repeat("x", 256)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic for name of %d bytes", len(name))
				}
			}()
			AppendCommand(nil, name, nil)
		}()
	}
}

func TestCommandNames(t *testing.T) {
	names := map[string]string{
		CmdReady: "READY", CmdError: "ERROR", CmdPing: "PING", CmdPong: "PONG",
		CmdSubscribe: "SUBSCRIBE", CmdCancel: "CANCEL", CmdJoin: "JOIN", CmdLeave: "LEAVE",
		CmdHello: "HELLO", CmdWelcome: "WELCOME", CmdInitiate: "INITIATE", CmdMessage: "MESSAGE",
	}
	for got, want := range names {
		if got != want {
			t.Errorf("%q != %q", got, want)
		}
	}
	if len(names) != 12 {
		t.Errorf("duplicate command names: %d distinct", len(names))
	}
}
