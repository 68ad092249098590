//go:build !linux

package main

import (
	"errors"
	"time"
)

// processCPUTime is available on Linux only.
func processCPUTime() (time.Duration, error) {
	return 0, errors.New("local_echo and remote_paced measure CPU time on Linux only")
}

// sleepFor sleeps with time.Sleep (the modes that use it need Linux).
func sleepFor(d time.Duration) { time.Sleep(d) }
