// After fork(): the child of a process that loaded this library has only
// the thread that called fork(), and the Go runtime, whose other threads
// are gone, cannot run there (a call into Go may hang for ever). So the
// calls a child typically makes on its way out or in are answered here,
// in C, without entering Go; capi/README.md says what a child can do.
//
// Outside a forked child each call below goes straight to its Go half
// (pz_go_*, capi.go). In a child (a pthread_atfork handler sets
// pz_forked):
//   - zmq_ctx_new and zmq_init give a context that exists only in C;
//     zmq_ctx_set stores an option on it, zmq_ctx_get reads back what was
//     stored (EINVAL for an option never set);
//   - zmq_socket fails with ENOTSUP, on any context;
//   - zmq_ctx_term, zmq_term, zmq_ctx_destroy and zmq_ctx_shutdown succeed
//     at once on the parent's contexts (whose copy the child abandons, as
//     the parent's sockets and connections stay the parent's) and on the
//     child's own, which they close; zmq_close succeeds at once on the
//     parent's sockets for the same reason;
//   - a handle that is not a live context or socket gives EFAULT or
//     ENOTSOCK, as outside a child.
// Every other call still enters Go and must not be made in a child.
#include "pz.h"
#include "_cgo_export.h"
#include <pthread.h>

// The tags of capi.go's handles (handleBlock), and the child's context.
#define PZ_TAG_CONTEXT 0x5a435458u
#define PZ_TAG_DEAD 0x5a444544u
#define PZ_TAG_CHILD_CONTEXT 0x5a43484cu

// PZ_CHILD_OPTIONS bounds the context options a child's context stores.
#define PZ_CHILD_OPTIONS 128

typedef struct pz_child_ctx {
	uint32_t tag; // PZ_TAG_CHILD_CONTEXT while open, then PZ_TAG_DEAD
	uint32_t pad;
	uint64_t id; // 0: not in capi.go's table
	int set[PZ_CHILD_OPTIONS];
	int value[PZ_CHILD_OPTIONS];
} pz_child_ctx;

static volatile int pz_forked;

static void pz_fork_child(void) { pz_forked = 1; }

__attribute__((constructor)) static void pz_watch_fork(void) {
	pthread_atfork(NULL, NULL, pz_fork_child);
}

static uint32_t pz_tag(void *p) { return p == NULL ? 0 : *(uint32_t *)p; }

static void *pz_child_ctx_new(void) {
	pz_child_ctx *c = calloc(1, sizeof *c);
	if (c == NULL) {
		pz_set_errno(ENOMEM);
		return NULL;
	}
	c->tag = PZ_TAG_CHILD_CONTEXT;
	return c;
}

// pz_child_ctx_end closes a context in a child: the child's own is marked
// closed (its memory kept, as capi.go keeps every handle's), the parent's
// is left alone.
static int pz_child_ctx_end(void *p) {
	uint32_t tag = pz_tag(p);
	if (tag == PZ_TAG_CHILD_CONTEXT) {
		((pz_child_ctx *)p)->tag = PZ_TAG_DEAD;
		return 0;
	}
	if (tag == PZ_TAG_CONTEXT)
		return 0;
	pz_set_errno(EFAULT);
	return -1;
}

void *zmq_ctx_new(void) {
	if (pz_forked)
		return pz_child_ctx_new();
	return pz_go_ctx_new();
}

void *zmq_init(int io_threads) {
	if (!pz_forked)
		return pz_go_init(io_threads);
	if (io_threads < 0) {
		pz_set_errno(EINVAL);
		return NULL;
	}
	return pz_child_ctx_new();
}

int zmq_ctx_term(void *context) {
	if (pz_forked)
		return pz_child_ctx_end(context);
	return pz_go_ctx_term(context);
}

int zmq_term(void *context) {
	if (pz_forked)
		return pz_child_ctx_end(context);
	return pz_go_term(context);
}

int zmq_ctx_destroy(void *context) {
	if (pz_forked)
		return pz_child_ctx_end(context);
	return pz_go_ctx_destroy(context);
}

int zmq_ctx_shutdown(void *context) {
	if (!pz_forked)
		return pz_go_ctx_shutdown(context);
	uint32_t tag = pz_tag(context);
	if (tag == PZ_TAG_CHILD_CONTEXT || tag == PZ_TAG_CONTEXT)
		return 0;
	pz_set_errno(EFAULT);
	return -1;
}

int zmq_ctx_set(void *context, int option, int value) {
	if (!pz_forked)
		return pz_go_ctx_set(context, option, value);
	if (pz_tag(context) != PZ_TAG_CHILD_CONTEXT) {
		pz_set_errno(EFAULT);
		return -1;
	}
	if (option < 0 || option >= PZ_CHILD_OPTIONS) {
		pz_set_errno(EINVAL);
		return -1;
	}
	pz_child_ctx *c = context;
	c->set[option] = 1;
	c->value[option] = value;
	return 0;
}

int zmq_ctx_get(void *context, int option) {
	if (!pz_forked)
		return pz_go_ctx_get(context, option);
	if (pz_tag(context) != PZ_TAG_CHILD_CONTEXT) {
		pz_set_errno(EFAULT);
		return -1;
	}
	pz_child_ctx *c = context;
	if (option < 0 || option >= PZ_CHILD_OPTIONS || !c->set[option]) {
		pz_set_errno(EINVAL);
		return -1;
	}
	return c->value[option];
}

void *zmq_socket(void *context, int type) {
	if (!pz_forked)
		return pz_go_socket(context, type);
	uint32_t tag = pz_tag(context);
	pz_set_errno(tag == PZ_TAG_CHILD_CONTEXT || tag == PZ_TAG_CONTEXT ? ENOTSUP : EFAULT);
	return NULL;
}

int zmq_close(void *socket) {
	if (!pz_forked)
		return pz_go_close(socket);
	if (pz_tag(socket) == PZ_TAG_SOCKET)
		return 0;
	pz_set_errno(ENOTSOCK);
	return -1;
}
