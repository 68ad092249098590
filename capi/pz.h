// Declarations shared by the cgo files of the C API. Our own layout of
// libzmq's opaque types; programs see only zmq.h's sizes.
#ifndef PZ_H
#define PZ_H
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
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
	struct pz_meta *meta; // a batch block's properties (PZ_MSG_META_BLOCK), or NULL
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

// The handle of a socket (zmq_socket's result): a tagged C allocation whose
// Go object lives in capi.go's table, and the socket's receive buffer, if
// it has one (recvq.go).
#define PZ_TAG_SOCKET 0x5a534f43u
#define PZ_TAG_CONTEXT 0x5a435458u // a context's handle (capi.go's handleBlock)

struct pz_rq;
struct pz_sq;

typedef struct pz_sock {
	uint32_t tag; // PZ_TAG_SOCKET while the socket is open
	uint32_t pad;
	uint64_t owner; // pz_owner_id of the library copy that made it
	struct pz_rq *rq; // NULL: every receive goes to Go
	struct pz_sq *sq; // NULL: every send goes to Go
} pz_sock;

// PZ_RQ_PARTS bounds the parts one call into Go moves into a receive
// buffer, and PZ_RQ_STAGE the bytes of its small parts; a part larger
// than PZ_RQ_SMALL has a content block of its own, and a batch stops
// before PZ_RQ_BYTES bytes.
#define PZ_RQ_PARTS 256
#define PZ_RQ_STAGE 32768
#define PZ_RQ_SMALL 1024
#define PZ_RQ_BYTES (256 * 1024)

// PZ_MSG_SLICE marks a message whose content is a batch block (pz_rqbuf)
// that other messages share, its bytes somewhere inside it; PZ_MSG_COPIED
// marks a message that zmq_msg_copy copied or made, which ZMQ_SHARED
// reports for a slice (whose block's count says nothing about the part).
// PZ_MSG_META_BLOCK marks a slice whose properties are those its block
// holds a reference to (pz_content.meta), so it holds none of its own.
#define PZ_MSG_META_BLOCK 0x10
#define PZ_MSG_COPIED 0x20
#define PZ_MSG_SLICE 0x40

// pz_rqbuf holds the parts of one batch: parts[head..count) are still to
// be received. The bytes of the small parts are back to back in block, a
// content block of PZ_RQ_STAGE bytes: each such part holds one reference
// to it, and so does the buffer while it may fill the block again (it
// does so once no part holds it any more, and otherwise takes a new
// one). So a small part received with zmq_msg_recv keeps its place in the
// block, with no copy and no allocation of its own, and the block is
// freed when the last of them is closed. A large part owns a content
// block of its own; block is NULL when none could be allocated.
typedef struct pz_rqbuf {
	int head;
	int count;
	pz_content *block;
	pz_msg parts[PZ_RQ_PARTS];
} pz_rqbuf;

// pz_mutex is the lock of a socket's buffer, shared by C and Go (through
// cgo, once per batch): zero is unlocked. pz_lock takes it with one
// atomic exchange when it is free, which is nearly always, and pz_unlock
// releases it with a plain store. A waiter spins briefly and then yields
// the processor, so that a holder preempted on a machine with more
// threads than cores gets to run and release it.
typedef struct pz_mutex {
	int32_t state;
} pz_mutex;

#define PZ_LOCK_SPINS 64

static inline void pz_lock(pz_mutex *mu) {
	while (__atomic_exchange_n(&mu->state, 1, __ATOMIC_ACQUIRE) != 0) {
		int spins = 0;
		while (__atomic_load_n(&mu->state, __ATOMIC_RELAXED) != 0) {
			if (++spins == PZ_LOCK_SPINS) {
				sched_yield();
				spins = 0;
			}
		}
	}
}

static inline void pz_unlock(pz_mutex *mu) { __atomic_store_n(&mu->state, 0, __ATOMIC_RELEASE); }

// pz_rq is a socket's receive buffer: message parts already taken from the
// Go socket's queue, in order, ahead of anything still queued there. mu
// guards the rest; C and Go (through cgo, once per batch) take it. more is ZMQ_RCVMORE: whether the last part received had more
// after it. term points at the context's flag, set once the context is
// terminating. buf is NULL once the socket is closed; the header itself is
// never freed, so a late call on a closed socket finds it.
typedef struct pz_rq {
	pz_mutex mu;
	int32_t more;
	int32_t *term;
	pz_rqbuf *buf;
} pz_rq;

// PZ_SQ_PARTS bounds the parts a send buffer holds before the sender hands
// them to Go itself, and PZ_SQ_STAGE the bytes of its small parts, those
// of at most PZ_SQ_SMALL bytes.
#define PZ_SQ_PARTS 256
#define PZ_SQ_STAGE 32768
#define PZ_SQ_SMALL 1024

// pz_sqbuf is one batch of single-part messages accepted for sending, in
// order. A small part's bytes are copied to off[i] in stage as it is
// accepted, and its message released there and then, in the sending
// thread (its content NULL here); any other part keeps its message's
// content, which the buffer then owns. used is the bytes of stage taken.
typedef struct pz_sqbuf {
	int count;
	int pad;
	size_t used;
	pz_msg parts[PZ_SQ_PARTS];
	size_t off[PZ_SQ_PARTS];
	char stage[PZ_SQ_STAGE];
} pz_sqbuf;

// pz_sq is a socket's send buffer (sendq.go): parts accepted by
// zmq_msg_send and zmq_send and not yet handed to the Go socket. A part is
// accepted only while credit, the number of whole messages the Go socket
// was known to take without blocking less those accepted since, allows a
// new message, and until expiry: the socket's peers can go away, and a
// send must then find out within about as long as libzmq takes to process
// a pipe's end. mu is a mutex shared with Go like pz_rq's. inmsg says
// the last part accepted had ZMQ_SNDMORE. kicked says the Go side's
// flusher was woken and has not yet found the buffer empty. A socket with
// an inproc peer gets no credit (its peer must see each message at once):
// direct says so, and its sends go straight to pz_msg_send_part while
// nothing is buffered or being handed over, every PZ_SQ_PARTS-th through
// pz_sq_send to look at the credit again. cur is the
// batch being filled; spare is handed to Go by the flusher. cur is NULL
// once the socket is closed.
typedef struct pz_sq {
	pz_mutex mu;
	int64_t expiry; // pz_now_coarse after which credit is stale
	int32_t credit;
	int32_t inmsg;
	int32_t kicked;
	int32_t flushing; // Go is handing spare to the socket
	int32_t direct;   // an inproc peer: send straight to Go
	uint32_t directs; // sends made straight to Go
	int32_t *term;
	pz_sqbuf *cur;
	pz_sqbuf *spare;
} pz_sq;

// PZ_SQ_CREDIT_NS is how long a send buffer's credit lasts.
#define PZ_SQ_CREDIT_NS 10000000

// pz_now_coarse is CLOCK_MONOTONIC_COARSE in nanoseconds: cheap enough to
// read on every send.
int64_t pz_now_coarse(void);

// pz_sq_release releases the messages of batch b and empties it.
void pz_sq_release(pz_sqbuf *b);

// pz_rq_drop_part releases the content and properties of a buffered part.
void pz_rq_drop_part(pz_rq *q, int i);

extern __thread int pz_errno;

// pz_owner_id tells the handles of this copy of the library from those of
// another copy loaded in the same process (entry.c: a forked child's
// calls go to a fresh copy): every handle's owner field holds it.
extern const uint64_t pz_owner_id;

// pz_owns says whether handle p (a context, socket, poller, ...) is open
// and was made by this copy of the library.
static inline int pz_owns(const void *p, uint32_t tag) {
	const pz_sock *h = (const pz_sock *)p;
	return h != NULL && __atomic_load_n(&h->tag, __ATOMIC_RELAXED) == tag && h->owner == pz_owner_id;
}

int pz_poll(struct pollfd *fds, nfds_t n, int timeout_ms); // poll_nourg.c

// The entry points (entry.c) the C files call.
int zmq_msg_init_size(void *p, size_t size);
int zmq_msg_send(void *p, void *sp, int flags);
int zmq_msg_recv(void *p, void *sp, int flags);
int zmq_msg_close(void *p);
int zmq_send(void *sp, const void *buf, size_t n, int flags);

// The functions of libzmq's API pz.c implements (entry.c calls them).
int pz_c_zmq_msg_init(void *p);
int pz_c_zmq_msg_init_size(void *p, size_t size);
int pz_c_zmq_msg_init_data(void *p, void *data, size_t size, void *ffn, void *hint);
int pz_c_zmq_msg_close(void *p);
void *pz_c_zmq_msg_data(void *p);
size_t pz_c_zmq_msg_size(const void *p);
int pz_c_zmq_msg_more(const void *p);
int pz_c_zmq_msg_move(void *dest, void *src);
int pz_c_zmq_msg_copy(void *dest, void *src);
const char *pz_c_zmq_msg_gets(const void *p, const char *property);
int pz_c_zmq_msg_send(void *p, void *sp, int flags);
int pz_c_zmq_msg_recv(void *p, void *sp, int flags);
int pz_c_zmq_send(void *sp, const void *buf, size_t n, int flags);
int pz_c_zmq_send_const(void *sp, const void *buf, size_t n, int flags);
int pz_c_zmq_recv(void *sp, void *buf, size_t n, int flags);
int pz_c_zmq_sendmsg(void *sp, void *p, int flags);
int pz_c_zmq_recvmsg(void *sp, void *p, int flags);

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

// pz_content_release drops one reference to content c (NULL: none),
// calling its free function and freeing it, and its properties, with the
// last.
static inline void pz_content_release(pz_content *c) {
	if (c == NULL)
		return;
	// The only reference needs no atomic decrement: nothing else can
	// take or drop one.
	if (__atomic_load_n(&c->refs, __ATOMIC_ACQUIRE) != 1 && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (c->ffn != NULL)
		pz_call_free(c->ffn, c->data, c->hint);
	pz_meta_release(c->meta);
	free(c);
}

#endif
