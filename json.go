package zmq4

import "encoding/json"

// SendJSON sends v encoded with encoding/json as a one-part message, or as
// the last part of a multipart message begun with SNDMORE (pyzmq's
// send_json). flags may hold DONTWAIT and SNDMORE.
func (s *Socket) SendJSON(v any, flags Flag) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.SendBytes(b, flags)
	return err
}

// RecvJSON receives one part and decodes it into v with encoding/json
// (pyzmq's recv_json). A part that is not valid JSON for v returns the
// decoding error; the part is consumed either way.
func (s *Socket) RecvJSON(v any, flags Flag) error {
	b, err := s.RecvBytes(flags)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
