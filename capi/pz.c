// The C side of the C API: the thread's error number, the message calls
// that only touch memory, the C halves of sending and receiving, and the
// socket buffers those use (recvq.go, sendq.go). Everything else is Go
// (see capi.go).
#include "pz.h"
#include <time.h>

__thread int pz_errno;

int64_t pz_meta_live;

// pz_debug_meta_live returns how many property blocks are allocated: a
// check for our own tests (conformance/smoke.c), not part of libzmq's API.
int64_t pz_debug_meta_live(void) { return __atomic_load_n(&pz_meta_live, __ATOMIC_RELAXED); }

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

// The pure-memory message calls live in C: a program calls them several
// times per message, and each call into Go would cost a cgo transition.
// They keep exactly the layout and reference counting msg.go uses.
#define PZ_MSG_MAGIC 0x5a4d5347u

static void pz_empty(pz_msg *m) {
	memset(m, 0, sizeof *m);
	m->magic = PZ_MSG_MAGIC;
	m->data = m->group;
}

static pz_msg *pz_live(void *p) {
	pz_msg *m = (pz_msg *)p;
	if (m == NULL || m->magic != PZ_MSG_MAGIC) {
		pz_set_errno(EFAULT);
		return NULL;
	}
	return m;
}

// pz_drop releases what message m holds: its content and its properties.
static void pz_drop(pz_msg *m) {
	pz_content_release(m->content);
	if ((m->flags & PZ_MSG_META_BLOCK) == 0)
		pz_meta_release(m->meta);
}

// pz_new_content allocates a content block with room for size bytes after
// its header, or returns NULL.
static pz_content *pz_new_content(size_t size) {
	pz_content *c = malloc(sizeof(pz_content) + size);
	if (c == NULL)
		return NULL;
	c->refs = 1;
	c->ffn = NULL;
	c->hint = NULL;
	c->data = c + 1;
	c->meta = NULL;
	return c;
}

// pz_c_zmq_msg_init is zmq_msg_init: it makes an empty message.
int pz_c_zmq_msg_init(void *p) {
	if (p == NULL) {
		pz_set_errno(EFAULT);
		return -1;
	}
	pz_empty((pz_msg *)p);
	return 0;
}

// pz_c_zmq_msg_init_size is zmq_msg_init_size: it makes a message of size bytes for the caller to fill.
int pz_c_zmq_msg_init_size(void *p, size_t size) {
	if (p == NULL) {
		pz_set_errno(EFAULT);
		return -1;
	}
	pz_msg *m = (pz_msg *)p;
	pz_empty(m);
	if (size == 0)
		return 0;
	if (size > ((size_t)1 << 40)) {
		pz_set_errno(ENOMEM);
		return -1;
	}
	pz_content *c = pz_new_content(size);
	if (c == NULL) {
		pz_set_errno(ENOMEM);
		return -1;
	}
	m->content = c;
	m->data = c->data;
	m->size = size;
	return 0;
}

// pz_c_zmq_msg_init_data is zmq_msg_init_data: it makes a message over the caller's buffer; ffn (if not
// NULL) runs once, with data and hint, when the last copy is closed.
int pz_c_zmq_msg_init_data(void *p, void *data, size_t size, void *ffn, void *hint) {
	if (p == NULL) {
		pz_set_errno(EFAULT);
		return -1;
	}
	pz_msg *m = (pz_msg *)p;
	pz_empty(m);
	if (data == NULL) {
		if (size != 0) {
			pz_set_errno(EFAULT);
			return -1;
		}
		return 0;
	}
	pz_content *c = malloc(sizeof(pz_content));
	if (c == NULL) {
		pz_set_errno(ENOMEM);
		return -1;
	}
	c->refs = 1;
	c->ffn = ffn;
	c->hint = hint;
	c->data = data;
	c->meta = NULL;
	m->content = c;
	m->data = data;
	m->size = size;
	return 0;
}

// pz_c_zmq_msg_close is zmq_msg_close: it releases the message.
int pz_c_zmq_msg_close(void *p) {
	pz_msg *m = pz_live(p);
	if (m == NULL)
		return -1;
	pz_drop(m);
	memset(m, 0, sizeof *m);
	return 0;
}

// pz_c_zmq_msg_data is zmq_msg_data: it returns the message's bytes.
void *pz_c_zmq_msg_data(void *p) {
	pz_msg *m = pz_live(p);
	if (m == NULL)
		return NULL;
	return m->content == NULL ? (void *)m->group : m->data;
}

// pz_c_zmq_msg_size is zmq_msg_size: it returns the message's size.
size_t pz_c_zmq_msg_size(const void *p) {
	pz_msg *m = pz_live((void *)p);
	return m == NULL ? 0 : m->size;
}

// pz_c_zmq_msg_more is zmq_msg_more: it says whether more parts follow the received message.
int pz_c_zmq_msg_more(const void *p) {
	pz_msg *m = pz_live((void *)p);
	if (m == NULL)
		return -1;
	return (m->flags & 1) != 0;
}

// pz_c_zmq_msg_move is zmq_msg_move: it moves src's content to dest, leaving src empty.
int pz_c_zmq_msg_move(void *dest, void *src) {
	pz_msg *s = pz_live(src), *d = (pz_msg *)dest;
	if (s == NULL || d == NULL) {
		pz_set_errno(EFAULT);
		return -1;
	}
	if (d == s)
		return 0;
	if (d->magic == PZ_MSG_MAGIC)
		pz_drop(d);
	*d = *s;
	if (d->content == NULL)
		d->data = d->group;
	pz_empty(s);
	return 0;
}

// pz_c_zmq_msg_copy is zmq_msg_copy: it makes dest share src's content.
int pz_c_zmq_msg_copy(void *dest, void *src) {
	pz_msg *s = pz_live(src), *d = (pz_msg *)dest;
	if (s == NULL || d == NULL) {
		pz_set_errno(EFAULT);
		return -1;
	}
	if (d == s)
		return 0;
	if (d->magic == PZ_MSG_MAGIC)
		pz_drop(d);
	if (s->content != NULL)
		__atomic_add_fetch(&s->content->refs, 1, __ATOMIC_ACQ_REL);
	if ((s->flags & PZ_MSG_META_BLOCK) == 0)
		pz_meta_retain(s->meta);
	s->flags |= PZ_MSG_COPIED;
	*d = *s;
	if (d->content == NULL)
		d->data = d->group;
	return 0;
}

// Sending and receiving a message are split between C and Go so that the
// Go side makes no cgo call of its own per message: pz_msg_send_part and
// pz_msg_recv_part (msg.go) do the socket work, and the freeing and
// allocating of content blocks happens here.
int pz_msg_send_part(void *p, void *sp, int flags);
int pz_msg_recv_part(void *out, void *sp, int flags, void *scratch, size_t cap);

// PZ_RECV_SCRATCH is the largest part copied through the caller's stack
// rather than allocated from Go.
#define PZ_RECV_SCRATCH 1024

// A socket with a send buffer (pz_sq, pz.h; only some types have one, see
// sendq.go) accepts single-part messages into it while its credit allows,
// with no call into Go: the first part accepted into an empty buffer
// wakes a goroutine (pz_sq_kick) that hands the buffer to the Go socket,
// and keeps doing so until it finds the buffer empty. Everything else (a
// part with ZMQ_SNDMORE or continuing a message, no credit, a full buffer)
// goes to pz_sq_send, which first hands the buffer over, so the socket
// sees every part in the order it was sent.
void pz_sq_kick(void *sp);
int pz_sq_send(void *p, void *sp, int flags);
int pz_send_buf(void *sp, void *buf, size_t n, int flags);

#define PZ_SNDMORE 2

int64_t pz_now_coarse(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pz_sq_release(pz_sqbuf *b) {
	for (int i = 0; i < b->count; i++)
		pz_drop(&b->parts[i]);
	b->count = 0;
	b->used = 0;
}

// pz_sq_of returns the send buffer of socket handle sp, or NULL (see
// pz_rq_of).
static pz_sq *pz_sq_of(void *sp) {
	pz_sock *s = (pz_sock *)sp;
	if (!pz_owns(s, PZ_TAG_SOCKET))
		return NULL;
	return s->sq;
}

// pz_sq_accept moves a single-part message into q when q can take it
// now: message m, or, when m is NULL, the n bytes at bytes (zmq_send),
// which only fit while stage has room for them. A small part of m whose
// bytes need no free function of the application's is copied to the
// stage, and m's content released once q is unlocked. Returns 1 when it
// did (m is then empty; *kick says to wake the flusher), 2 when the part
// goes straight to pz_msg_send_part (see direct), 0 when it must go
// through pz_sq_send, -1 with errno set.
static int pz_sq_accept(pz_sq *q, pz_msg *m, const void *bytes, size_t n, int flags, int *kick) {
	*kick = 0;
	pz_lock(&q->mu);
	pz_sqbuf *b = q->cur;
	if (b != NULL && q->direct && b->count == 0 && !q->flushing && ++q->directs % PZ_SQ_PARTS != 0) {
		pz_unlock(&q->mu);
		return 2;
	}
	if (b == NULL || (flags & PZ_SNDMORE) != 0 || q->inmsg || q->credit <= 0 || b->count == PZ_SQ_PARTS ||
	    pz_now_coarse() >= q->expiry) {
		pz_unlock(&q->mu);
		return 0;
	}
	if (m != NULL) {
		bytes = m->data;
		n = m->size;
	}
	int stage = n <= PZ_SQ_SMALL && b->used + n <= PZ_SQ_STAGE &&
		    (m == NULL || m->content == NULL || m->content->ffn == NULL);
	if (!stage && m == NULL) {
		pz_unlock(&q->mu);
		return 0;
	}
	if (__atomic_load_n(q->term, __ATOMIC_RELAXED) != 0) {
		pz_unlock(&q->mu);
		pz_set_errno(156384765); // ETERM
		return -1;
	}
	pz_msg *part = &b->parts[b->count];
	if (stage) {
		pz_empty(part);
		part->size = n;
		b->off[b->count] = b->used;
		if (n > 0)
			memcpy(b->stage + b->used, bytes, n);
		b->used += n;
	} else {
		*part = *m;
	}
	b->count++;
	q->credit--;
	if (!q->kicked) {
		q->kicked = 1;
		*kick = 1;
	}
	pz_unlock(&q->mu);
	if (m != NULL) {
		if (stage)
			pz_drop(m);
		pz_empty(m);
	}
	return 1;
}

// pz_sq_sent_direct records a part sent straight to Go: whether it began
// or continued a message that the Go socket now holds the start of.
static void pz_sq_sent_direct(pz_sq *q, int flags) {
	pz_lock(&q->mu);
	q->inmsg = (flags & PZ_SNDMORE) != 0;
	pz_unlock(&q->mu);
}

// pz_c_zmq_msg_send is zmq_msg_send: it sends the message; on success it is emptied, as libzmq
// does, and its size returned.
int pz_c_zmq_msg_send(void *p, void *sp, int flags) {
	pz_msg *m = pz_live(p);
	if (m == NULL)
		return -1;
	int rc;
	pz_sq *q = pz_sq_of(sp);
	if (q != NULL) {
		int kick;
		size_t size = m->size;
		int r = pz_sq_accept(q, m, NULL, 0, flags, &kick);
		if (r < 0)
			return -1;
		if (r == 1) {
			if (kick)
				pz_sq_kick(sp);
			return size > INT32_MAX ? INT32_MAX : (int)size;
		}
		if (r == 2) {
			rc = pz_msg_send_part(m, sp, flags);
			if (rc >= 0)
				pz_sq_sent_direct(q, flags);
		} else {
			rc = pz_sq_send(m, sp, flags);
		}
	} else {
		rc = pz_msg_send_part(m, sp, flags);
	}
	if (rc < 0)
		return -1;
	pz_drop(m);
	pz_empty(m);
	return rc;
}

// pz_c_zmq_send is zmq_send: it sends a message part from a buffer, which is copied.
int pz_c_zmq_send(void *sp, const void *buf, size_t n, int flags) {
	pz_sq *q = pz_sq_of(sp);
	if (q == NULL)
		return pz_send_buf(sp, (void *)buf, n, flags);
	if (buf == NULL && n != 0) {
		pz_set_errno(EFAULT);
		return -1;
	}
	if (n > INT32_MAX) {
		pz_set_errno(EINVAL);
		return -1;
	}
	// A small part goes into the buffer's stage straight from buf; a
	// larger one is first copied into a message of its own.
	pz_msg m;
	int have_m = 0, kick, r;
	if (n <= PZ_SQ_SMALL) {
		r = pz_sq_accept(q, NULL, buf, n, flags, &kick);
	} else {
		if (pz_c_zmq_msg_init_size(&m, n) < 0)
			return -1;
		memcpy(m.data, buf, n);
		have_m = 1;
		r = pz_sq_accept(q, &m, NULL, 0, flags, &kick);
	}
	if (r == 1) {
		if (kick)
			pz_sq_kick(sp);
		return (int)n;
	}
	if (r == 2) {
		if (have_m)
			pz_drop(&m);
		r = pz_send_buf(sp, (void *)buf, n, flags);
		if (r >= 0)
			pz_sq_sent_direct(q, flags);
		return r;
	}
	if (r == 0) {
		if (!have_m) {
			if (pz_c_zmq_msg_init_size(&m, n) < 0)
				return -1;
			if (n > 0)
				memcpy(m.data, buf, n);
			have_m = 1;
		}
		r = pz_sq_send(&m, sp, flags);
	}
	if (have_m)
		pz_drop(&m);
	return r < 0 ? -1 : (int)n;
}

// pz_c_zmq_send_const is zmq_send_const: it is zmq_send; the buffer is copied all the same.
int pz_c_zmq_send_const(void *sp, const void *buf, size_t n, int flags) { return pz_c_zmq_send(sp, buf, n, flags); }

// A socket with a receive buffer (pz_rq, pz.h; only some types have one,
// see recvq.go) gets its parts from Go in batches: pz_rq_fill moves every
// part already queued, up to the buffer's bounds, into the buffer in one
// call into Go, and the receives that follow take them from here with no
// call into Go at all.
int pz_rq_fill(void *sp, int flags);
int pz_recv_buf(void *sp, void *buf, size_t n, int flags);

// PZ_MSG_LOST marks a buffered part whose content could not be allocated:
// receiving it fails with ENOMEM, as receiving it directly would have.
#define PZ_MSG_LOST 0x80

void pz_rq_drop_part(pz_rq *q, int i) {
	pz_drop(&q->buf->parts[i]);
	memset(&q->buf->parts[i], 0, sizeof q->buf->parts[i]);
}

// pz_rq_of returns the receive buffer of socket handle sp, or NULL when sp
// is not an open socket of this copy of the library or has none. Like
// libzmq, it reads the tag the handle starts with; every handle this
// library hands out has one.
static pz_rq *pz_rq_of(void *sp) {
	pz_sock *s = (pz_sock *)sp;
	if (!pz_owns(s, PZ_TAG_SOCKET))
		return NULL;
	return s->rq;
}

// pz_rq_next returns the index of the next buffered part with q locked,
// or -1 with q unlocked: 0 when none is buffered, else -1 with errno set
// (ETERM once the context is terminating, ENOTSOCK once closed) in *rc.
static int pz_rq_next(pz_rq *q, int *rc) {
	pz_lock(&q->mu);
	pz_rqbuf *b = q->buf;
	*rc = 0;
	if (b == NULL) {
		pz_unlock(&q->mu);
		pz_set_errno(ENOTSOCK);
		*rc = -1;
		return -1;
	}
	if (b->head == b->count) {
		pz_unlock(&q->mu);
		return -1;
	}
	if (__atomic_load_n(q->term, __ATOMIC_RELAXED) != 0) {
		pz_unlock(&q->mu);
		pz_set_errno(156384765); // ETERM
		*rc = -1;
		return -1;
	}
	return b->head;
}

// pz_rq_advance ends the receive of part i (the head), whose flags were
// flags: ZMQ_RCVMORE takes its more flag. Returns -1 with ENOMEM when the
// part was lost. Unlocks q.
static int pz_rq_advance(pz_rq *q, int i, uint8_t flags) {
	int lost = (flags & PZ_MSG_LOST) != 0;
	q->more = (flags & 1) != 0;
	q->buf->head = i + 1;
	pz_unlock(&q->mu);
	if (lost) {
		pz_set_errno(ENOMEM);
		return -1;
	}
	return 0;
}

// pz_rq_take returns the index of the next part in q, filling q from Go
// (waiting as flags say) while it is empty; -1 on error, errno set.
static int pz_rq_take(pz_rq *q, void *sp, int flags) {
	for (;;) {
		int rc;
		int i = pz_rq_next(q, &rc);
		if (i >= 0)
			return i;
		if (rc < 0 || pz_rq_fill(sp, flags) < 0)
			return -1;
	}
}

// pz_rq_recv_msg receives the next part into the empty message out from
// q, filling q from Go when it is empty. Returns the size or -1.
static int pz_rq_recv_msg(pz_rq *q, void *sp, int flags, pz_msg *out) {
	int i = pz_rq_take(q, sp, flags);
	if (i < 0)
		return -1;
	pz_msg *m = &q->buf->parts[i];
	*out = *m;
	memset(m, 0, sizeof *m);
	if (pz_rq_advance(q, i, out->flags) < 0)
		return -1;
	out->flags &= ~PZ_MSG_LOST;
	if (out->content == NULL)
		out->data = out->group;
	return out->size > INT32_MAX ? INT32_MAX : (int)out->size;
}

// pz_c_zmq_msg_recv is zmq_msg_recv: it receives a message part into the message and returns its
// size; on failure the message is left as it was.
int pz_c_zmq_msg_recv(void *p, void *sp, int flags) {
	pz_msg *m = pz_live(p);
	if (m == NULL)
		return -1;
	pz_msg in;
	int rc;
	pz_rq *q = pz_rq_of(sp);
	if (q != NULL) {
		rc = pz_rq_recv_msg(q, sp, flags, &in);
		if (rc < 0)
			return -1;
		pz_drop(m);
		*m = in;
		if (m->content == NULL)
			m->data = m->group;
		return rc;
	}
	char scratch[PZ_RECV_SCRATCH];
	rc = pz_msg_recv_part(&in, sp, flags, scratch, sizeof scratch);
	if (rc < 0)
		return -1;
	if (in.content == NULL && in.size > 0) {
		pz_content *c = pz_new_content(in.size);
		if (c == NULL) {
			pz_set_errno(ENOMEM);
			return -1;
		}
		memcpy(c->data, scratch, in.size);
		in.content = c;
	}
	pz_drop(m);
	*m = in;
	m->data = m->content == NULL ? (void *)m->group : m->content->data;
	return rc;
}

// pz_c_zmq_recv is zmq_recv: it receives a message part into buf, truncating it to n bytes,
// and returns the part's full size.
int pz_c_zmq_recv(void *sp, void *buf, size_t n, int flags) {
	pz_rq *q = pz_rq_of(sp);
	if (q == NULL)
		return pz_recv_buf(sp, buf, n, flags);
	if (buf == NULL && n != 0) {
		pz_set_errno(EFAULT);
		return -1;
	}
	int i = pz_rq_take(q, sp, flags);
	if (i < 0)
		return -1;
	pz_msg *m = &q->buf->parts[i];
	size_t size = m->size;
	if (n > 0 && size > 0)
		memcpy(buf, m->data, size < n ? size : n);
	uint8_t fl = m->flags;
	pz_rq_drop_part(q, i);
	if (pz_rq_advance(q, i, fl) < 0)
		return -1;
	return size > INT32_MAX ? INT32_MAX : (int)size;
}

// pz_c_zmq_sendmsg is zmq_sendmsg: it is zmq_msg_send with the arguments swapped (deprecated API).
int pz_c_zmq_sendmsg(void *sp, void *p, int flags) { return zmq_msg_send(p, sp, flags); }

// pz_c_zmq_recvmsg is zmq_recvmsg: it is zmq_msg_recv with the arguments swapped (deprecated API).
int pz_c_zmq_recvmsg(void *sp, void *p, int flags) { return zmq_msg_recv(p, sp, flags); }

// pz_ascii_lower is c in lower case when it is an ASCII capital.
static int pz_ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

static int pz_equal_fold(const char *a, const char *b) {
	for (; *a != 0 && *b != 0; a++, b++)
		if (pz_ascii_lower((unsigned char)*a) != pz_ascii_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

// pz_meta_find returns the value of the property named name (exactly, or
// without regard to ASCII case when fold is set), or NULL.
static const char *pz_meta_find(const pz_meta *p, const char *name, int fold) {
	const char *s = (const char *)(p + 1);
	for (int64_t i = 0; i < p->count; i++) {
		const char *value = s + strlen(s) + 1;
		if (fold ? pz_equal_fold(s, name) : strcmp(s, name) == 0)
			return value;
		s = value + strlen(value) + 1;
	}
	return NULL;
}

// pz_c_zmq_msg_gets is zmq_msg_gets: it returns a property of the connection the message arrived
// on: an exact name first, "Routing-Id" as an alias of "Identity", then
// the name without regard to ASCII case (the Go package's rule). The
// string lives as long as the message.
const char *pz_c_zmq_msg_gets(const void *p, const char *property) {
	pz_msg *m = pz_live((void *)p);
	if (m == NULL)
		return NULL;
	if (property == NULL || m->meta == NULL) {
		pz_set_errno(EINVAL);
		return NULL;
	}
	const char *v = pz_meta_find(m->meta, property, 0);
	if (v == NULL && strcmp(property, "Routing-Id") == 0)
		v = pz_meta_find(m->meta, "Identity", 0);
	else if (v == NULL)
		v = pz_meta_find(m->meta, property, 1);
	if (v == NULL)
		pz_set_errno(EINVAL);
	return v;
}
