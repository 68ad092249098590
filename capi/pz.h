// Declarations shared by the cgo files of the C API. Our own layout of
// libzmq's opaque types; programs see only zmq.h's sizes.
#ifndef PZ_H
#define PZ_H
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// pz_content is the reference-counted body of a message: its bytes follow
// the header (zmq_msg_init_size) or live in the application's buffer
// (zmq_msg_init_data, with ffn called once when the last reference goes).
typedef struct pz_content {
	int64_t refs;
	void *ffn;
	void *hint;
	void *data;
} pz_content;

// pz_meta holds the properties of the connection a message arrived on,
// shared by reference count between the messages that carry them and the
// receiving socket's cache (msg.go's metaCache). After the header come
// count name/value pairs, each string NUL-terminated, back to back.
typedef struct pz_meta {
	int64_t refs;
	int64_t count;
	int64_t srcfd; // the connection's descriptor (ZMQ_SRCFD), -1 if none
} pz_meta;

// pz_msg is our layout of the 64 bytes of zmq_msg_t. It holds no Go
// pointers: long groups are ids into a Go-side table.
typedef struct pz_msg {
	uint32_t magic;
	uint8_t flags;
	uint8_t pad1;
	uint16_t pad2;
	void *data;
	size_t size;
	pz_content *content;
	uint32_t routing_id;
	char group[20];
	pz_meta *meta; // NULL: no properties
} pz_msg;

// pz_pollitem is zmq_pollitem_t on Linux.
typedef struct pz_pollitem {
	void *socket;
	int fd;
	short events;
	short revents;
} pz_pollitem;

// pz_poller_event is zmq_poller_event_t on Linux.
typedef struct pz_poller_event {
	void *socket;
	int fd;
	void *user_data;
	short events;
} pz_poller_event;

extern __thread int pz_errno;

int zmq_msg_init_size(void *p, size_t size);

static inline void pz_set_errno(int e) {
	pz_errno = e;
	errno = e;
}

// pz_meta_live counts the pz_meta blocks allocated and not yet freed
// (pz.c; read by conformance/smoke.c through pz_debug_meta_live).
extern int64_t pz_meta_live;

// pz_meta_release drops one reference to the properties, freeing them
// with the last.
static inline void pz_meta_release(pz_meta *p) {
	if (p != NULL && __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		__atomic_sub_fetch(&pz_meta_live, 1, __ATOMIC_RELAXED);
		free(p);
	}
}

static inline void pz_meta_allocated(void) { __atomic_add_fetch(&pz_meta_live, 1, __ATOMIC_RELAXED); }

static inline void pz_meta_retain(pz_meta *p) {
	if (p != NULL)
		__atomic_add_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
}

static inline void pz_call_free(void *fn, void *data, void *hint) {
	((void (*)(void *, void *))fn)(data, hint);
}

static inline void pz_call_thread(void *fn, void *arg) {
	((void (*)(void *))fn)(arg);
}

static inline void pz_call_timer(void *fn, int id, void *arg) {
	((void (*)(int, void *))fn)(id, arg);
}
#endif
