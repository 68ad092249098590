// The C side of the C API: the thread's error number only. Everything else
// is Go (see capi.go).
#include "pz.h"

__thread int pz_errno;

// zmq_errno returns the error number of the calling thread's last failed
// call.
int zmq_errno(void) { return pz_errno; }
