// The C side of the C API: the thread's error number only. Everything else
// is Go (see capi.go).
#include "pz.h"

__thread int pz_errno;

// zmq_errno returns the calling thread's errno, which every failed call
// sets, as libzmq's does.
int zmq_errno(void) { return errno; }

// Signals and the Go runtime's threads. libzmq's own threads block the
// asynchronous signals, so a signal sent to the process lands on an
// application thread, and a blocking zmq call there returns EINTR (pyzmq
// then runs the Python handler: Ctrl-C works). The Go runtime's threads
// take their signal mask from the thread that loaded the library, so the
// first constructor blocks those signals while the runtime starts its
// threads, and the last one gives the loading thread its mask back.
#include <signal.h>
#include <pthread.h>

static sigset_t pz_saved_mask;
static int pz_mask_saved;

static void pz_async_signals(sigset_t *set) {
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGALRM);
	sigaddset(set, SIGUSR2);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGWINCH);
	sigaddset(set, SIGVTALRM);
}

__attribute__((constructor(101))) static void pz_block_for_runtime(void) {
	sigset_t set;
	pz_async_signals(&set);
	if (pthread_sigmask(SIG_BLOCK, &set, &pz_saved_mask) == 0)
		pz_mask_saved = 1;
}

// The loading thread gets its own mask back in the last constructor, which
// the linker places after the Go runtime's (conformance/smoke.c checks
// that a signal interrupts a blocking call).
__attribute__((constructor(65535))) static void pz_restore_after_runtime(void) {
	if (pz_mask_saved) {
		pz_mask_saved = 0;
		pthread_sigmask(SIG_SETMASK, &pz_saved_mask, NULL);
	}
}
