package zmq4

import (
	"errors"
	"math/rand/v2"
	"strconv"
)

// BindToRandomPort binds to addr (for example "tcp://127.0.0.1" or
// "tcp://*") on a random port in [minPort, maxPort), trying at most
// maxTries ports, and returns the port it bound, as pyzmq's
// bind_to_random_port does. A port in use is skipped; any other bind error
// is returned at once. When every try finds its port in use, the error is
// EADDRINUSE. With minPort 0 and maxPort 0 the system picks a free port
// ("addr:*") and maxTries does not matter.
func (s *Socket) BindToRandomPort(addr string, minPort, maxPort, maxTries int) (int, error) {
	if minPort == 0 && maxPort == 0 {
		if err := s.Bind(addr + ":*"); err != nil {
			return 0, err
		}
		ep, err := s.GetLastEndpoint()
		if err != nil {
			return 0, err
		}
		return portOf(ep)
	}
	if minPort < 1 || maxPort > 65536 || minPort >= maxPort || maxTries < 1 {
		return 0, einval
	}
	for i := 0; i < maxTries; i++ {
		port := minPort + rand.IntN(maxPort-minPort)
		err := s.Bind(addr + ":" + strconv.Itoa(port))
		if err == nil {
			return port, nil
		}
		if !errors.Is(err, EADDRINUSE) {
			return 0, err
		}
	}
	return 0, EADDRINUSE
}

// portOf returns the port at the end of an endpoint such as
// "tcp://127.0.0.1:5555".
func portOf(endpoint string) (int, error) {
	for i := len(endpoint) - 1; i >= 0; i-- {
		if endpoint[i] == ':' {
			return strconv.Atoi(endpoint[i+1:])
		}
	}
	return 0, einval
}
