#define _GNU_SOURCE
// Waiting in poll(2) without Go's preemption signal. The Go runtime
// preempts a goroutine by sending SIGURG to the thread that runs it; a C
// thread that called into Go is such a thread while it runs Go code, and a
// SIGURG sent then may land once the thread waits in poll(2) for a
// blocking zmq_recv, zmq_send or zmq_poll, which would return EINTR to the
// application as if one of its own signals had arrived (libzmq's
// test_security_curve saw zmq_recv fail with EINTR this way). pz_poll
// waits with SIGURG held back, so only the application's signals end the
// wait with EINTR (Ctrl-C still works); a held SIGURG is delivered when
// the wait ends.
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

// pz_poll is poll(2) (timeout_ms < 0 waits for ever) with SIGURG blocked
// for the wait.
int pz_poll(struct pollfd *fds, nfds_t n, int timeout_ms) {
	sigset_t mask;
	if (pthread_sigmask(SIG_BLOCK, NULL, &mask) != 0)
		return poll(fds, n, timeout_ms);
	sigaddset(&mask, SIGURG);
	struct timespec ts, *tsp = NULL;
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	return ppoll(fds, n, tsp, &mask);
}
