// The library's entry points: every function of libzmq's API that
// libzmq.so.5 exports is defined here, in one place, and calls its
// implementation: pz_go_zmq_* (the Go files, through cgo) or pz_c_zmq_*
// (pz.c, in C). zmq_errno alone is pz.c's own.
//
// After fork(). The child of a process that loaded this library has only
// the thread that called fork(); the Go runtime's other threads are gone,
// and a call that enters Go may wait for ever on one of them. So in a
// child (a pthread_atfork handler sets pz_forked) every entry point calls
// the same function of a fresh copy of the library instead: the first
// such call copies this library's file into a memory file (or a
// temporary file, where a memory file cannot be loaded) and loads it
// (dlopen, with RTLD_LOCAL), which starts a Go runtime of its own in the
// child. That copy is the child's libzmq: its contexts, sockets and
// messages work as in any process, and a child of the child loads a copy
// in turn. The parent's objects stay the parent's: in the child, ending
// the parent's contexts and closing its sockets (zmq_ctx_term, zmq_term,
// zmq_ctx_destroy, zmq_ctx_shutdown, zmq_close) succeeds at once and does
// nothing, and any other call on them fails as on an unknown handle
// (ENOTSOCK, EFAULT), since the copy does not know them (pz_owner_id).
// When the copy cannot be loaded, every call in the child fails with
// ENOTSUP (a NULL, 0 or -1 result as the function returns).
#define _GNU_SOURCE
#include "pz.h"
#include "_cgo_export.h"
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static char pz_owner_marker;

const uint64_t pz_owner_id = (uint64_t)(uintptr_t)&pz_owner_marker;

static volatile int pz_forked;

static void pz_fork_child(void) { pz_forked = 1; }

// pz_copy_source is the file this library was loaded from, for a copy:
// its absolute name when the library was loaded (pz_watch_fork), or in a
// copy the name its loader gave (pz_load_copy), since a copy's own file
// is a memory file whose name means nothing once closed.
static char pz_copy_source[4096];

void pz_copy_set_source(const char *path);

// pz_watch_fork runs when the library is loaded: it registers
// pz_fork_child and notes the library's file by its absolute name, which
// stays right after the program changes directory.
__attribute__((constructor)) static void pz_watch_fork(void) {
	pthread_atfork(NULL, NULL, pz_fork_child);
	Dl_info info;
	char *path;
	if (dladdr((void *)&pz_owner_marker, &info) != 0 && info.dli_fname != NULL &&
	    (path = realpath(info.dli_fname, NULL)) != NULL) {
		pz_copy_set_source(path);
		free(path);
	}
}

static pthread_mutex_t pz_copy_mu = PTHREAD_MUTEX_INITIALIZER;
static void *pz_copy;      // the child's copy of the library (dlopen handle)
static int pz_copy_failed; // loading it failed: stop trying

// pz_copy_set_source sets pz_copy_source; a copy's loader calls it. It is
// a function, not an exported variable, because the library's own
// references to an exported variable would bind to the first loaded
// copy's.
void pz_copy_set_source(const char *path) {
	if (strlen(path) < sizeof pz_copy_source)
		strcpy(pz_copy_source, path);
}

// pz_copy_file copies file path to descriptor out; returns 0 or -1.
static int pz_copy_file(const char *path, int out) {
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	char buf[65536];
	ssize_t n = 0;
	int ok = 1;
	while (ok && (n = read(in, buf, sizeof buf)) != 0) {
		if (n < 0) {
			ok = errno == EINTR;
			continue;
		}
		for (ssize_t done = 0; ok && done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			if (w < 0)
				ok = errno == EINTR;
			else
				done += w;
		}
	}
	close(in);
	return ok ? 0 : -1;
}

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U // Linux 6.3: an executable memory file
#endif

// pz_open_memfd copies file source into a new memory file and loads it;
// NULL when any step fails. The memory file is asked for executable
// first (kernels whose vm.memfd_noexec says so need it; older ones refuse
// the flag).
static void *pz_open_memfd(const char *source) {
	int fd = memfd_create("libzmq.so.5", MFD_CLOEXEC | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("libzmq.so.5", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	void *h = NULL;
	if (pz_copy_file(source, fd) == 0) {
		// Named by this process's id, not /proc/self: dlopen takes a name
		// it has loaded before for that library, and the copy an ancestor
		// loaded from its own memory file, under the same descriptor
		// number, is still in the list.
		char path[64];
		snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)getpid(), fd);
		h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	}
	close(fd); // the mapping keeps the file
	return h;
}

// pz_open_tmpfile copies file source into a new file in $TMPDIR (or /tmp),
// loads it and removes the file; NULL when any step fails.
static void *pz_open_tmpfile(const char *source) {
	const char *dir = getenv("TMPDIR");
	char path[4096];
	if (dir == NULL || dir[0] == 0)
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof path, "%s/libzmq.so.5.XXXXXX", dir) >= sizeof path)
		return NULL;
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return NULL;
	void *h = NULL;
	if (pz_copy_file(source, fd) == 0)
		h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	unlink(path);
	close(fd);
	return h;
}

// pz_load_copy loads a copy of this library's file: a file the process
// has not loaded yet, so dlopen maps a second, independent instance, with
// a Go runtime of its own. The copy is a memory file, or where that cannot
// be loaded a temporary file, removed once loaded. Returns the dlopen
// handle or NULL.
static void *pz_load_copy(void) {
	const char *source = pz_copy_source;
	if (source[0] == 0)
		return NULL;
	void *h = pz_open_memfd(source);
	if (h == NULL)
		h = pz_open_tmpfile(source);
	if (h == NULL)
		return NULL;
	// The copy's own copies (in a child of this child) come from the same
	// file.
	void (*set_source)(const char *) = (void (*)(const char *))dlsym(h, "pz_copy_set_source");
	if (set_source == NULL || set_source == pz_copy_set_source) // not a new instance
		return NULL;
	set_source(source);
	return h;
}

// pz_copy_symbol returns the function name of the child's copy of the
// library, loading the copy on first use; NULL (errno ENOTSUP) when it
// cannot be loaded.
static void *pz_copy_symbol(const char *name) {
	int saved = errno;
	pthread_mutex_lock(&pz_copy_mu);
	if (pz_copy == NULL && !pz_copy_failed) {
		pz_copy = pz_load_copy();
		pz_copy_failed = pz_copy == NULL;
	}
	void *copy = pz_copy;
	pthread_mutex_unlock(&pz_copy_mu);
	void *fn = copy == NULL ? NULL : dlsym(copy, name);
	if (fn == NULL)
		pz_set_errno(ENOTSUP);
	else
		errno = saved;
	return fn;
}

// PZ_NEXT declares fn, the copy's function name of type ret(params),
// looked up once; it returns fail when there is no copy.
#define PZ_NEXT(ret, name, params, fail)                                       \
	static ret(*next) params;                                              \
	ret(*fn) params = __atomic_load_n(&next, __ATOMIC_ACQUIRE);            \
	if (fn == NULL) {                                                      \
		fn = (ret(*) params)pz_copy_symbol(#name);                     \
		if (fn == NULL)                                                \
			return fail;                                           \
		__atomic_store_n(&next, fn, __ATOMIC_RELEASE);                 \
	}

// PZ_ENTRY defines entry point name, of libzmq's parameters params, as a
// call of impl with args, or in a forked child of the copy's name. fail is
// the result when there is no copy.
#define PZ_ENTRY(ret, name, params, args, impl, fail)                          \
	ret name params {                                                      \
		if (__builtin_expect(pz_forked, 0)) {                          \
			PZ_NEXT(ret, name, params, fail)                       \
			return fn args;                                        \
		}                                                              \
		return impl args;                                              \
	}

// PZ_ENTRY_VOID is PZ_ENTRY for a function without a result.
#define PZ_ENTRY_VOID(name, params, args, impl)                                \
	void name params {                                                     \
		if (__builtin_expect(pz_forked, 0)) {                          \
			PZ_NEXT(void, name, params, )                          \
			fn args;                                               \
			return;                                                \
		}                                                              \
		impl args;                                                     \
	}

// PZ_ENDING is PZ_ENTRY for a call that ends a context or closes a socket
// (tag): in a forked child it succeeds at once on the parent's.
#define PZ_ENDING(name, tag)                                                   \
	int name(void *h) {                                                    \
		if (__builtin_expect(pz_forked, 0)) {                          \
			if (pz_owns(h, tag))                                   \
				return 0;                                      \
			PZ_NEXT(int, name, (void *), -1)                       \
			return fn(h);                                          \
		}                                                              \
		return pz_go_##name(h);                                        \
	}

// ---- contexts and sockets ----

PZ_ENTRY(void *, zmq_ctx_new, (void), (), pz_go_zmq_ctx_new, NULL)
PZ_ENTRY(void *, zmq_init, (int io_threads), (io_threads), pz_go_zmq_init, NULL)
PZ_ENDING(zmq_ctx_term, PZ_TAG_CONTEXT)
PZ_ENDING(zmq_term, PZ_TAG_CONTEXT)
PZ_ENDING(zmq_ctx_destroy, PZ_TAG_CONTEXT)
PZ_ENDING(zmq_ctx_shutdown, PZ_TAG_CONTEXT)
PZ_ENTRY(int, zmq_ctx_set, (void *c, int option, int value), (c, option, value), pz_go_zmq_ctx_set, -1)
PZ_ENTRY(int, zmq_ctx_get, (void *c, int option), (c, option), pz_go_zmq_ctx_get, -1)
PZ_ENTRY(int, zmq_ctx_set_ext, (void *c, int option, const void *optval, size_t optlen),
	 (c, option, (void *)optval, optlen), pz_go_zmq_ctx_set_ext, -1)
PZ_ENTRY(int, zmq_ctx_get_ext, (void *c, int option, void *optval, size_t *optlen), (c, option, optval, optlen),
	 pz_go_zmq_ctx_get_ext, -1)
PZ_ENTRY(void *, zmq_socket, (void *c, int type), (c, type), pz_go_zmq_socket, NULL)
PZ_ENDING(zmq_close, PZ_TAG_SOCKET)
PZ_ENTRY(int, zmq_setsockopt, (void *s, int option, const void *optval, size_t optlen),
	 (s, option, (void *)optval, optlen), pz_go_zmq_setsockopt, -1)
PZ_ENTRY(int, zmq_getsockopt, (void *s, int option, void *optval, size_t *optlen), (s, option, optval, optlen),
	 pz_go_zmq_getsockopt, -1)
PZ_ENTRY(int, zmq_bind, (void *s, const char *addr), (s, (char *)addr), pz_go_zmq_bind, -1)
PZ_ENTRY(int, zmq_connect, (void *s, const char *addr), (s, (char *)addr), pz_go_zmq_connect, -1)
PZ_ENTRY(int, zmq_unbind, (void *s, const char *addr), (s, (char *)addr), pz_go_zmq_unbind, -1)
PZ_ENTRY(int, zmq_disconnect, (void *s, const char *addr), (s, (char *)addr), pz_go_zmq_disconnect, -1)
PZ_ENTRY(int, zmq_socket_monitor, (void *s, const char *addr, int events), (s, (char *)addr, events),
	 pz_go_zmq_socket_monitor, -1)
PZ_ENTRY(int, zmq_socket_monitor_versioned, (void *s, const char *addr, uint64_t events, int version, int type),
	 (s, (char *)addr, events, version, type), pz_go_zmq_socket_monitor_versioned, -1)
PZ_ENTRY(int, zmq_socket_monitor_pipes_stats, (void *s), (s), pz_go_zmq_socket_monitor_pipes_stats, -1)
PZ_ENTRY(int, zmq_socket_get_peer_state, (void *s, const void *rid, size_t n), (s, (void *)rid, n),
	 pz_go_zmq_socket_get_peer_state, -1)
PZ_ENTRY(int, zmq_join, (void *s, const char *group), (s, (char *)group), pz_go_zmq_join, -1)
PZ_ENTRY(int, zmq_leave, (void *s, const char *group), (s, (char *)group), pz_go_zmq_leave, -1)
PZ_ENTRY(uint32_t, zmq_connect_peer, (void *s, const char *addr), (s, (char *)addr), pz_go_zmq_connect_peer, 0)

// ---- sending and receiving ----

PZ_ENTRY(int, zmq_send, (void *s, const void *buf, size_t n, int flags), (s, buf, n, flags), pz_c_zmq_send, -1)
PZ_ENTRY(int, zmq_send_const, (void *s, const void *buf, size_t n, int flags), (s, buf, n, flags),
	 pz_c_zmq_send_const, -1)
PZ_ENTRY(int, zmq_recv, (void *s, void *buf, size_t n, int flags), (s, buf, n, flags), pz_c_zmq_recv, -1)
PZ_ENTRY(int, zmq_msg_send, (void *m, void *s, int flags), (m, s, flags), pz_c_zmq_msg_send, -1)
PZ_ENTRY(int, zmq_msg_recv, (void *m, void *s, int flags), (m, s, flags), pz_c_zmq_msg_recv, -1)
PZ_ENTRY(int, zmq_sendmsg, (void *s, void *m, int flags), (s, m, flags), pz_c_zmq_sendmsg, -1)
PZ_ENTRY(int, zmq_recvmsg, (void *s, void *m, int flags), (s, m, flags), pz_c_zmq_recvmsg, -1)
PZ_ENTRY(int, zmq_sendiov, (void *s, void *iov, size_t count, int flags), (s, iov, count, flags),
	 pz_go_zmq_sendiov, -1)
PZ_ENTRY(int, zmq_recviov, (void *s, void *iov, size_t *count, int flags), (s, iov, count, flags),
	 pz_go_zmq_recviov, -1)

// ---- messages ----

PZ_ENTRY(int, zmq_msg_init, (void *m), (m), pz_c_zmq_msg_init, -1)
PZ_ENTRY(int, zmq_msg_init_size, (void *m, size_t size), (m, size), pz_c_zmq_msg_init_size, -1)
PZ_ENTRY(int, zmq_msg_init_data, (void *m, void *data, size_t size, void *ffn, void *hint),
	 (m, data, size, ffn, hint), pz_c_zmq_msg_init_data, -1)
PZ_ENTRY(int, zmq_msg_init_buffer, (void *m, const void *buf, size_t size), (m, (void *)buf, size),
	 pz_go_zmq_msg_init_buffer, -1)
PZ_ENTRY(int, zmq_msg_close, (void *m), (m), pz_c_zmq_msg_close, -1)
PZ_ENTRY(int, zmq_msg_move, (void *dest, void *src), (dest, src), pz_c_zmq_msg_move, -1)
PZ_ENTRY(int, zmq_msg_copy, (void *dest, void *src), (dest, src), pz_c_zmq_msg_copy, -1)
PZ_ENTRY(void *, zmq_msg_data, (void *m), (m), pz_c_zmq_msg_data, NULL)
PZ_ENTRY(size_t, zmq_msg_size, (const void *m), (m), pz_c_zmq_msg_size, 0)
PZ_ENTRY(int, zmq_msg_more, (const void *m), (m), pz_c_zmq_msg_more, 0)
PZ_ENTRY(int, zmq_msg_get, (const void *m, int property), ((void *)m, property), pz_go_zmq_msg_get, -1)
PZ_ENTRY(int, zmq_msg_set, (void *m, int property, int value), (m, property, value), pz_go_zmq_msg_set, -1)
PZ_ENTRY(const char *, zmq_msg_gets, (const void *m, const char *property), (m, property), pz_c_zmq_msg_gets,
	 NULL)
PZ_ENTRY(int, zmq_msg_set_routing_id, (void *m, uint32_t id), (m, id), pz_go_zmq_msg_set_routing_id, -1)
PZ_ENTRY(uint32_t, zmq_msg_routing_id, (void *m), (m), pz_go_zmq_msg_routing_id, 0)
PZ_ENTRY(int, zmq_msg_set_group, (void *m, const char *group), (m, (char *)group), pz_go_zmq_msg_set_group, -1)
PZ_ENTRY(const char *, zmq_msg_group, (void *m), (m), pz_go_zmq_msg_group, NULL)

// ---- polling ----

PZ_ENTRY(int, zmq_poll, (void *items, int n, long timeout), (items, n, timeout), pz_go_zmq_poll, -1)
PZ_ENTRY(void *, zmq_poller_new, (void), (), pz_go_zmq_poller_new, NULL)
PZ_ENTRY(int, zmq_poller_destroy, (void **pp), (pp), pz_go_zmq_poller_destroy, -1)
PZ_ENTRY(int, zmq_poller_size, (void *p), (p), pz_go_zmq_poller_size, -1)
PZ_ENTRY(int, zmq_poller_add, (void *p, void *s, void *user, short events), (p, s, user, events),
	 pz_go_zmq_poller_add, -1)
PZ_ENTRY(int, zmq_poller_modify, (void *p, void *s, short events), (p, s, events), pz_go_zmq_poller_modify, -1)
PZ_ENTRY(int, zmq_poller_remove, (void *p, void *s), (p, s), pz_go_zmq_poller_remove, -1)
PZ_ENTRY(int, zmq_poller_add_fd, (void *p, int fd, void *user, short events), (p, fd, user, events),
	 pz_go_zmq_poller_add_fd, -1)
PZ_ENTRY(int, zmq_poller_modify_fd, (void *p, int fd, short events), (p, fd, events), pz_go_zmq_poller_modify_fd,
	 -1)
PZ_ENTRY(int, zmq_poller_remove_fd, (void *p, int fd), (p, fd), pz_go_zmq_poller_remove_fd, -1)
PZ_ENTRY(int, zmq_poller_fd, (void *p, int *fd), (p, fd), pz_go_zmq_poller_fd, -1)
PZ_ENTRY(int, zmq_poller_wait, (void *p, void *event, long timeout), (p, event, timeout), pz_go_zmq_poller_wait, -1)
PZ_ENTRY(int, zmq_poller_wait_all, (void *p, void *events, int n, long timeout), (p, events, n, timeout),
	 pz_go_zmq_poller_wait_all, -1)

// ---- proxies ----

PZ_ENTRY(int, zmq_proxy, (void *frontend, void *backend, void *capture), (frontend, backend, capture),
	 pz_go_zmq_proxy, -1)
PZ_ENTRY(int, zmq_proxy_steerable, (void *frontend, void *backend, void *capture, void *control),
	 (frontend, backend, capture, control), pz_go_zmq_proxy_steerable, -1)
PZ_ENTRY(int, zmq_device, (int type, void *frontend, void *backend), (type, frontend, backend), pz_go_zmq_device,
	 -1)

// ---- utilities ----

PZ_ENTRY(const char *, zmq_strerror, (int errnum), (errnum), pz_go_zmq_strerror, "Operation not supported")
PZ_ENTRY_VOID(zmq_version, (int *major, int *minor, int *patch), (major, minor, patch), pz_go_zmq_version)
PZ_ENTRY(int, zmq_has, (const char *capability), ((char *)capability), pz_go_zmq_has, 0)
PZ_ENTRY(char *, zmq_z85_encode, (char *dest, const uint8_t *data, size_t size), (dest, (void *)data, size),
	 pz_go_zmq_z85_encode, NULL)
PZ_ENTRY(uint8_t *, zmq_z85_decode, (uint8_t *dest, const char *str), (dest, (char *)str), pz_go_zmq_z85_decode,
	 NULL)
PZ_ENTRY(int, zmq_curve_keypair, (char *public_key, char *secret_key), (public_key, secret_key),
	 pz_go_zmq_curve_keypair, -1)
PZ_ENTRY(int, zmq_curve_public, (char *public_key, const char *secret_key), (public_key, (char *)secret_key),
	 pz_go_zmq_curve_public, -1)
PZ_ENTRY(void *, zmq_atomic_counter_new, (void), (), pz_go_zmq_atomic_counter_new, NULL)
PZ_ENTRY_VOID(zmq_atomic_counter_set, (void *c, int value), (c, value), pz_go_zmq_atomic_counter_set)
PZ_ENTRY(int, zmq_atomic_counter_inc, (void *c), (c), pz_go_zmq_atomic_counter_inc, -1)
PZ_ENTRY(int, zmq_atomic_counter_dec, (void *c), (c), pz_go_zmq_atomic_counter_dec, -1)
PZ_ENTRY(int, zmq_atomic_counter_value, (void *c), (c), pz_go_zmq_atomic_counter_value, -1)
PZ_ENTRY_VOID(zmq_atomic_counter_destroy, (void **cp), (cp), pz_go_zmq_atomic_counter_destroy)
PZ_ENTRY(void *, zmq_stopwatch_start, (void), (), pz_go_zmq_stopwatch_start, NULL)
PZ_ENTRY(unsigned long, zmq_stopwatch_intermediate, (void *w), (w), pz_go_zmq_stopwatch_intermediate, 0)
PZ_ENTRY(unsigned long, zmq_stopwatch_stop, (void *w), (w), pz_go_zmq_stopwatch_stop, 0)
PZ_ENTRY_VOID(zmq_sleep, (int seconds), (seconds), pz_go_zmq_sleep)
PZ_ENTRY(void *, zmq_threadstart, (void *fn, void *arg), (fn, arg), pz_go_zmq_threadstart, NULL)
PZ_ENTRY_VOID(zmq_threadclose, (void *t), (t), pz_go_zmq_threadclose)
PZ_ENTRY(void *, zmq_timers_new, (void), (), pz_go_zmq_timers_new, NULL)
PZ_ENTRY(int, zmq_timers_destroy, (void **tp), (tp), pz_go_zmq_timers_destroy, -1)
PZ_ENTRY(int, zmq_timers_add, (void *t, size_t interval, void *handler, void *arg), (t, interval, handler, arg),
	 pz_go_zmq_timers_add, -1)
PZ_ENTRY(int, zmq_timers_cancel, (void *t, int id), (t, id), pz_go_zmq_timers_cancel, -1)
PZ_ENTRY(int, zmq_timers_set_interval, (void *t, int id, size_t interval), (t, id, interval),
	 pz_go_zmq_timers_set_interval, -1)
PZ_ENTRY(int, zmq_timers_reset, (void *t, int id), (t, id), pz_go_zmq_timers_reset, -1)
PZ_ENTRY(long, zmq_timers_timeout, (void *t), (t), pz_go_zmq_timers_timeout, -1)
PZ_ENTRY(int, zmq_timers_execute, (void *t), (t), pz_go_zmq_timers_execute, -1)
