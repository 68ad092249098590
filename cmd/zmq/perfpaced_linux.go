package main

import (
	"syscall"
	"time"
)

// processCPUTime returns the user plus system CPU time the whole process
// has used so far (getrusage RUSAGE_SELF).
func processCPUTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// sleepFor sleeps with nanosleep, as bench/c/zmqperf.c does. time.Sleep
// would not do: the runtime's timers wake an idle process at millisecond
// granularity, so a pace of one message every 50 us would become bursts
// every millisecond, a different load from the C side's.
func sleepFor(d time.Duration) {
	ts := syscall.NsecToTimespec(d.Nanoseconds())
	syscall.Nanosleep(&ts, nil)
}
