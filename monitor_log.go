package zmq4

import (
	"fmt"
	"log/slog"
)

// MonitorLog logs the socket's events in events to logger, at Info level,
// one record each with the event's name, endpoint and value, until the
// socket is closed, another Monitor call replaces this one, or the context
// ends. It uses the socket's one monitor (Monitor), as libzmq allows one
// per socket.
func (s *Socket) MonitorLog(logger *slog.Logger, events Event) error {
	addr := fmt.Sprintf("inproc://zmq4.monitor-log-%p", s)
	if err := s.Monitor(addr, events); err != nil {
		return err
	}
	m, err := s.ctx.newInternalSocket(PAIR)
	if err != nil {
		s.stopMonitor()
		return err
	}
	if err := m.Connect(addr); err != nil {
		m.Close()
		s.stopMonitor()
		return err
	}
	name := s.String()
	go func() {
		defer m.Close()
		for {
			ev, endpoint, value, err := m.RecvEvent(0)
			if err != nil {
				return
			}
			logger.Info("zmq event", "socket", name, "event", ev.String(), "endpoint", endpoint, "value", value)
			if ev == EVENT_MONITOR_STOPPED {
				return
			}
		}
	}()
	return nil
}
