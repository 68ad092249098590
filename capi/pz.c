// The C side of the C API: the thread's error number only. Everything else
// is Go (see capi.go).
#include "pz.h"

__thread int pz_errno;

// zmq_errno returns the calling thread's errno, which every failed call
// sets, as libzmq's does.
int zmq_errno(void) { return errno; }
