package main

import (
	"strings"
	"testing"
)

func TestJSONMessageRoundTrip(t *testing.T) {
	parts := [][]byte{[]byte("text"), {0xff, 0, 1}, {}}
	line, err := encodeJSONMessage(parts, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := `["text",{"base64":"/wAB"},""]`; string(line) != want {
		t.Fatalf("json %s, want %s", line, want)
	}
	back, err := decodeJSONMessage(line)
	if err != nil || len(back) != 3 || string(back[0]) != "text" || back[1][0] != 0xff || len(back[2]) != 0 {
		t.Fatalf("decoded %q, %v", back, err)
	}
	all, _ := encodeJSONMessage(parts[:1], true)
	if string(all) != `[{"base64":"dGV4dA=="}]` {
		t.Fatalf("-base64: %s", all)
	}
	if one, err := decodeJSONMessage([]byte(`"single"`)); err != nil || len(one) != 1 || string(one[0]) != "single" {
		t.Fatalf("a JSON string: %q, %v", one, err)
	}
	for _, bad := range []string{`[]`, `{"a":1}`, `[1]`, `[{"base64":"!"}]`, `[{"base64":"AA==","x":1}]`, `not json`} {
		if _, err := decodeJSONMessage([]byte(bad)); err == nil {
			t.Errorf("decodeJSONMessage(%s) accepted", bad)
		}
	}
}

func TestParseOutputFormat(t *testing.T) {
	if f, err := parseOutputFormat("text", true, false); err != nil || f.name != "hex" {
		t.Errorf("-hex: %+v %v", f, err)
	}
	for _, bad := range [][3]string{{"xml", "", ""}, {"json", "hex", ""}, {"text", "", "b64"}} {
		if _, err := parseOutputFormat(bad[0], bad[1] != "", bad[2] != ""); err == nil {
			t.Errorf("parseOutputFormat%q accepted", bad)
		}
	}
}

// recv -format json prints what send -input json sends again unchanged.
func TestSendRecvJSONLines(t *testing.T) {
	recv, ep := startBound(t, nil, "recv", "-t", "PULL", "-n", "2", "-format", "json")
	in := `["a","b"]` + "\n" + `[{"base64":"/wA="}, "x"]` + "\n"
	if code, _, errs := runToEnd(t, in, "send", "-t", "PUSH", "-c", ep, "-input", "json"); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errs)
	}
	recv.wait(t)
	want := `["a","b"]` + "\n" + `[{"base64":"/wA="},"x"]` + "\n"
	if got := recv.stdout.String(); got != want {
		t.Errorf("recv printed %q, want %q", got, want)
	}
}

func TestRecvRaw(t *testing.T) {
	recv, ep := startBound(t, nil, "recv", "-t", "PULL", "-n", "2", "-format", "raw")
	if code, _, errs := runToEnd(t, "", "send", "-t", "PUSH", "-c", ep, "-n", "2", "ab", "cd"); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errs)
	}
	recv.wait(t)
	if got := recv.stdout.String(); got != "abcdabcd" {
		t.Errorf("raw output %q, want abcdabcd", got)
	}
}

// The draft types: a CLIENT gets its request echoed by a SERVER.
func TestSendClientRecvServer(t *testing.T) {
	recv, ep := startBound(t, nil, "recv", "-t", "SERVER", "-n", "1")
	code, out, errs := runToEnd(t, "", "send", "-t", "CLIENT", "-c", ep, "hello")
	if code != 0 || out != "hello\n" {
		t.Fatalf("CLIENT: exit %d, printed %q: %s", code, out, errs)
	}
	recv.wait(t)
	if got := recv.stdout.String(); got != "hello\n" {
		t.Errorf("SERVER printed %q", got)
	}
}

func TestRadioNeedsGroup(t *testing.T) {
	if code, _, _ := runToEnd(t, "", "send", "-t", "RADIO", "-c", "udp://127.0.0.1:9", "x"); code != 2 {
		t.Fatalf("RADIO without -g: exit %d, want 2", code)
	}
}

func TestHelpTopics(t *testing.T) {
	for _, topic := range helpTopicNames() {
		code, out, errs := runToEnd(t, "", "help", topic)
		if code != 0 || out == "" {
			t.Errorf("help %s: exit %d, %q", topic, code, errs)
		}
	}
	if _, out, _ := runToEnd(t, "", "help", "formats"); !strings.Contains(out, `{"base64": "..."}`) {
		t.Errorf("help formats lacks the base64 form:\n%s", out)
	}
	if code, _, errs := runToEnd(t, "", "help", "nonsense"); code != 2 || !strings.Contains(errs, "topics:") {
		t.Errorf("help nonsense: exit %d, %q", code, errs)
	}
}

// FuzzDecodeJSONMessage: any line either fails or decodes to frames that
// encode and decode again to the same frames.
func FuzzDecodeJSONMessage(f *testing.F) {
	f.Add([]byte(`["a",{"base64":"/wA="},""]`))
	f.Add([]byte(`"one"`))
	f.Add([]byte(`[{"base64":"!!"}]`))
	f.Fuzz(func(t *testing.T, line []byte) {
		parts, err := decodeJSONMessage(line)
		if err != nil {
			return
		}
		enc, err := encodeJSONMessage(parts, false)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeJSONMessage(enc)
		if err != nil || len(again) != len(parts) {
			t.Fatalf("%s does not decode again: %v", enc, err)
		}
		for i := range parts {
			if string(again[i]) != string(parts[i]) {
				t.Fatalf("frame %d changed: %q -> %q", i, parts[i], again[i])
			}
		}
	})
}
