/* A quick check of purezmq's libzmq ABI: run by run.sh before libzmq's own
 * test programs. Each CHECK names what failed. */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/uio.h>

/* draft-API values, which Debian's zmq.h declares only with the draft API */
#ifndef ZMQ_ZERO_COPY_RECV
#define ZMQ_ZERO_COPY_RECV 10
#endif
#ifndef ZMQ_PRIORITY
#define ZMQ_PRIORITY 112
#endif

/* purezmq's count of connection-property blocks (not libzmq's API) */
extern int64_t pz_debug_meta_live (void);

static int failures;
#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf (stderr, "smoke: %s:%d: %s (errno %d %s)\n", __FILE__, \
                     __LINE__, #cond, zmq_errno (),                        \
                     zmq_strerror (zmq_errno ()));                         \
            failures++;                                                    \
        }                                                                  \
    } while (0)

static void on_alarm (int sig)
{
    (void) sig;
}

static int freed;
static void free_fn (void *data, void *hint)
{
    (void) hint;
    freed++;
    free (data);
}

/* A PULL socket's receive buffer (capi/recvq.go) holds the parts one
 * call into Go took: every way of looking at the socket's queue must see
 * them, and closing, disconnecting and terminating must drop them. */
static void wait_in (void *s)
{
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    CHECK (zmq_poll (&item, 1, 5000) == 1);
}

/* pull_from makes a PULL socket connected to a new PUSH socket bound at
 * a tcp endpoint, which it stores in ep. */
static void *pull_from (void *ctx, void **push, char *ep, size_t eplen)
{
    *push = zmq_socket (ctx, ZMQ_PUSH);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (zmq_bind (*push, "tcp://127.0.0.1:*") == 0);
    CHECK (zmq_getsockopt (*push, ZMQ_LAST_ENDPOINT, ep, &eplen) == 0);
    CHECK (zmq_connect (pull, ep) == 0);
    return pull;
}

/* Context and socket options whose values libzmq 4.3.4 checks as written
 * here (ctx.cpp, options.cpp). */
static void check_option_values (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK (zmq_ctx_get (ctx, ZMQ_ZERO_COPY_RECV) == 1);
    CHECK (zmq_ctx_set (ctx, ZMQ_ZERO_COPY_RECV, 0) == 0);
    CHECK (zmq_ctx_get (ctx, ZMQ_ZERO_COPY_RECV) == 0);
    CHECK (zmq_ctx_set (ctx, ZMQ_ZERO_COPY_RECV, 5) == 0);
    CHECK (zmq_ctx_get (ctx, ZMQ_ZERO_COPY_RECV) == 1);
    CHECK (zmq_ctx_set (ctx, ZMQ_ZERO_COPY_RECV, -1) == -1 && zmq_errno () == EINVAL);
    /* any value above 0 turns IPV6 and BLOCKY on */
    CHECK (zmq_ctx_set (ctx, ZMQ_IPV6, 2) == 0);
    CHECK (zmq_ctx_get (ctx, ZMQ_IPV6) == 1);
    CHECK (zmq_ctx_set (ctx, ZMQ_IPV6, -1) == -1 && zmq_errno () == EINVAL);
    CHECK (zmq_ctx_set (ctx, ZMQ_BLOCKY, 0) == 0);
    CHECK (zmq_ctx_set (ctx, ZMQ_BLOCKY, 3) == 0);
    CHECK (zmq_ctx_get (ctx, ZMQ_BLOCKY) == 1);
    /* a CPU can be removed only once it was added */
    CHECK (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 1) == -1 && zmq_errno () == EINVAL);
    CHECK (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_ADD, 1) == 0);
    CHECK (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 1) == 0);
    CHECK (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 1) == -1 && zmq_errno () == EINVAL);

    void *s = zmq_socket (ctx, ZMQ_DEALER);
    int v = -7;
    size_t len = sizeof v;
    CHECK (zmq_getsockopt (s, ZMQ_PRIORITY, &v, &len) == 0 && v == 0);
    v = 4;
    CHECK (zmq_setsockopt (s, ZMQ_PRIORITY, &v, sizeof v) == 0);
    v = -1;
    CHECK (zmq_setsockopt (s, ZMQ_PRIORITY, &v, sizeof v) == -1 && zmq_errno () == EINVAL);
    len = sizeof v;
    CHECK (zmq_getsockopt (s, ZMQ_PRIORITY, &v, &len) == 0 && v == 4);
    CHECK (zmq_close (s) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
}

/* A signal ends zmq_ctx_term's wait for a lingering message with EINTR,
 * and a second call waits again, as in libzmq (ctx.cpp's terminate). */
static void check_term_interrupted (void)
{
    void *ctx = zmq_ctx_new ();
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    int linger = 1500;
    CHECK (zmq_setsockopt (push, ZMQ_LINGER, &linger, sizeof linger) == 0);
    /* nothing listens there: the message waits out the linger */
    CHECK (zmq_connect (push, "tcp://127.0.0.1:1") == 0);
    CHECK (zmq_send (push, "x", 1, 0) == 1);
    CHECK (zmq_close (push) == 0);
    signal (SIGALRM, on_alarm);
    alarm (1);
    CHECK (zmq_ctx_term (ctx) == -1 && zmq_errno () == EINTR);
    CHECK (zmq_ctx_term (ctx) == 0);
}

static void check_receive_buffer (void)
{
    void *ctx = zmq_ctx_new ();
    void *push;
    char ep[64];
    void *pull = pull_from (ctx, &push, ep, sizeof ep);

    /* two messages, one of two parts, and a part too big to stage */
    static char big[5000];
    memset (big, 'x', sizeof big);
    CHECK (zmq_send (push, "a1", 2, ZMQ_SNDMORE) == 2);
    CHECK (zmq_send (push, "a2", 2, 0) == 2);
    CHECK (zmq_send (push, big, sizeof big, 0) == (int) sizeof big);
    CHECK (zmq_send (push, "c", 1, 0) == 1);
    for (int i = 0; i < 500; i++) {
        /* all three queued, so that the first receive buffers them */
        int ev = 0;
        size_t evlen = sizeof ev;
        zmq_getsockopt (pull, ZMQ_EVENTS, &ev, &evlen);
        if (ev & ZMQ_POLLIN)
            break;
        usleep (1000);
    }
    usleep (20000);
    zmq_msg_t m;
    zmq_msg_init (&m);
    CHECK (zmq_msg_recv (&m, pull, 0) == 2 && memcmp (zmq_msg_data (&m), "a1", 2) == 0);
    int more = 0;
    size_t morelen = sizeof more;
    CHECK (zmq_getsockopt (pull, ZMQ_RCVMORE, &more, &morelen) == 0 && more == 1);
    CHECK (zmq_msg_more (&m) == 1);
    const char *type = zmq_msg_gets (&m, "Socket-Type");
    CHECK (type != NULL && strcmp (type, "PUSH") == 0);
    CHECK (zmq_msg_get (&m, ZMQ_SRCFD) >= 0);
    int ev = 0;
    size_t evlen = sizeof ev;
    CHECK (zmq_getsockopt (pull, ZMQ_EVENTS, &ev, &evlen) == 0 && (ev & ZMQ_POLLIN));
    zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};
    CHECK (zmq_poll (&item, 1, 0) == 1 && item.revents == ZMQ_POLLIN);
    char buf[8];
    CHECK (zmq_recv (pull, buf, sizeof buf, 0) == 2 && memcmp (buf, "a2", 2) == 0);
    CHECK (zmq_getsockopt (pull, ZMQ_RCVMORE, &more, &morelen) == 0 && more == 0);
    /* the big part, truncated by zmq_recv, then whole by zmq_msg_recv */
    CHECK (zmq_msg_recv (&m, pull, 0) == (int) sizeof big);
    CHECK (zmq_msg_size (&m) == sizeof big && memcmp (zmq_msg_data (&m), big, sizeof big) == 0);
    CHECK (zmq_recv (pull, buf, sizeof buf, 0) == 1 && buf[0] == 'c');
    CHECK (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT) == -1 && zmq_errno () == EAGAIN);
    CHECK (zmq_msg_close (&m) == 0);

    /* zmq_disconnect drops the buffered parts of the connection it ends */
    CHECK (zmq_send (push, "d", 1, 0) == 1);
    CHECK (zmq_send (push, "e", 1, 0) == 1);
    wait_in (pull);
    usleep (20000);
    CHECK (zmq_recv (pull, buf, sizeof buf, 0) == 1 && buf[0] == 'd');
    CHECK (zmq_disconnect (pull, ep) == 0);
    CHECK (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT) == -1 && zmq_errno () == EAGAIN);
    CHECK (zmq_getsockopt (pull, ZMQ_EVENTS, &ev, &evlen) == 0 && !(ev & ZMQ_POLLIN));

    /* zmq_close drops what is buffered, properties included */
    CHECK (zmq_close (pull) == 0);
    CHECK (zmq_close (push) == 0);
    pull = pull_from (ctx, &push, ep, sizeof ep);
    for (int i = 0; i < 3; i++)
        CHECK (zmq_send (push, "f", 1, 0) == 1);
    wait_in (pull);
    usleep (20000);
    CHECK (zmq_recv (pull, buf, sizeof buf, 0) == 1);
    CHECK (zmq_close (pull) == 0);
    CHECK (pz_debug_meta_live () == 0);
    CHECK (zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT) == -1 && zmq_errno () == ENOTSOCK);

    /* once the context is shut down, buffered parts give ETERM */
    CHECK (zmq_close (push) == 0);
    pull = pull_from (ctx, &push, ep, sizeof ep);
    for (int i = 0; i < 3; i++)
        CHECK (zmq_send (push, "g", 1, 0) == 1);
    wait_in (pull);
    usleep (20000);
    CHECK (zmq_recv (pull, buf, sizeof buf, 0) == 1);
    CHECK (zmq_ctx_shutdown (ctx) == 0);
    CHECK (zmq_recv (pull, buf, sizeof buf, 0) == -1 && zmq_errno () == ETERM);
    CHECK (zmq_close (pull) == 0);
    CHECK (zmq_close (push) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    CHECK (pz_debug_meta_live () == 0);
}

/* The small parts of one batch share a block of memory: a part received
 * with zmq_msg_recv keeps its bytes while later batches come, after the
 * socket and its context are gone, and is not "shared" until copied. */
static void check_received_parts_kept (void)
{
    void *ctx = zmq_ctx_new ();
    void *push;
    char ep[64];
    void *pull = pull_from (ctx, &push, ep, sizeof ep);
    char buf[8];
    zmq_msg_t kept, m;
    zmq_msg_init (&kept);
    zmq_msg_init (&m);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 10; i++) {
            snprintf (buf, sizeof buf, "%c%d", round ? 'm' : 'k', i);
            CHECK (zmq_send (push, buf, 2, 0) == 2);
        }
        wait_in (pull);
        usleep (20000);
        for (int i = 0; i < 10; i++) {
            char want[8];
            snprintf (want, sizeof want, "%c%d", round ? 'm' : 'k', i);
            zmq_msg_t *into = round == 0 && i == 0 ? &kept : &m;
            CHECK (zmq_msg_recv (into, pull, 0) == 2 && memcmp (zmq_msg_data (into), want, 2) == 0);
        }
    }
    CHECK (memcmp (zmq_msg_data (&kept), "k0", 2) == 0);
    CHECK (zmq_msg_get (&kept, ZMQ_SHARED) == 0);
    zmq_msg_t copy;
    zmq_msg_init (&copy);
    CHECK (zmq_msg_copy (&copy, &kept) == 0);
    CHECK (zmq_msg_get (&copy, ZMQ_SHARED) == 1 && zmq_msg_get (&kept, ZMQ_SHARED) == 1);
    CHECK (zmq_msg_close (&copy) == 0);
    CHECK (zmq_msg_close (&m) == 0);
    CHECK (zmq_close (pull) == 0);
    CHECK (zmq_close (push) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    CHECK (zmq_msg_size (&kept) == 2 && memcmp (zmq_msg_data (&kept), "k0", 2) == 0);
    const char *type = zmq_msg_gets (&kept, "Socket-Type");
    CHECK (type != NULL && strcmp (type, "PUSH") == 0);
    CHECK (pz_debug_meta_live () == 1);
    CHECK (zmq_msg_close (&kept) == 0);
    CHECK (pz_debug_meta_live () == 0);
}

/* A PUSH socket's send buffer (capi/sendq.go) accepts a message only with
 * room for it, keeps the order of every way of sending, and hands what it
 * holds to the socket before anything else looks at it. */
static void check_send_buffer (void)
{
    void *ctx = zmq_ctx_new ();
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    int hwm = 5;
    CHECK (zmq_setsockopt (push, ZMQ_SNDHWM, &hwm, sizeof hwm) == 0);
    CHECK (zmq_setsockopt (pull, ZMQ_RCVHWM, &hwm, sizeof hwm) == 0);
    CHECK (zmq_bind (pull, "inproc://smoke-sendbuf") == 0);
    CHECK (zmq_connect (push, "inproc://smoke-sendbuf") == 0);

    /* exactly SNDHWM + RCVHWM messages over inproc, as libzmq */
    int sent = 0;
    char buf[16];
    while (sent < 100) {
        snprintf (buf, sizeof buf, "%d", sent);
        if (zmq_send (push, buf, strlen (buf), ZMQ_DONTWAIT) < 0)
            break;
        sent++;
    }
    CHECK (sent == 10 && zmq_errno () == EAGAIN);
    int ev = 0;
    size_t evlen = sizeof ev;
    CHECK (zmq_getsockopt (push, ZMQ_EVENTS, &ev, &evlen) == 0 && !(ev & ZMQ_POLLOUT));
    for (int i = 0; i < sent; i++) {
        char want[16];
        snprintf (want, sizeof want, "%d", i);
        /* an inproc peer sees each message as soon as it is sent */
        int n = zmq_recv (pull, buf, sizeof buf, ZMQ_DONTWAIT);
        CHECK (n == (int) strlen (want) && memcmp (buf, want, n) == 0);
    }

    /* every way of sending, in order */
    zmq_msg_t m;
    CHECK (zmq_send (push, "1", 1, 0) == 1);
    zmq_msg_init_size (&m, 1);
    memcpy (zmq_msg_data (&m), "2", 1);
    CHECK (zmq_msg_send (&m, push, 0) == 1);
    CHECK (zmq_send (push, "3a", 2, ZMQ_SNDMORE) == 2);
    CHECK (zmq_send (push, "3b", 2, 0) == 2);
    struct iovec iov[2] = {{(void *) "4a", 2}, {(void *) "4b", 2}};
    CHECK (zmq_sendiov (push, iov, 2, 0) == 2);
    CHECK (zmq_send_const (push, "5", 1, 0) == 1);
    const char *want[] = {"1", "2", "3a", "3b", "4a", "4b", "5"};
    const int more[] = {0, 0, 1, 0, 1, 0, 0};
    for (int i = 0; i < 7; i++) {
        int n = zmq_recv (pull, buf, sizeof buf, 0);
        CHECK (n == (int) strlen (want[i]) && memcmp (buf, want[i], n) == 0);
        int rm = 0;
        size_t rmlen = sizeof rm;
        CHECK (zmq_getsockopt (pull, ZMQ_RCVMORE, &rm, &rmlen) == 0 && rm == more[i]);
    }
    zmq_msg_close (&m);
    CHECK (zmq_close (pull) == 0);
    CHECK (zmq_close (push) == 0);

    /* what was accepted before zmq_close lingers and arrives */
    void *sink = zmq_socket (ctx, ZMQ_PULL);
    char ep[64];
    size_t eplen = sizeof ep;
    CHECK (zmq_bind (sink, "tcp://127.0.0.1:*") == 0);
    CHECK (zmq_getsockopt (sink, ZMQ_LAST_ENDPOINT, ep, &eplen) == 0);
    push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (zmq_connect (push, ep) == 0);
    for (int i = 0; i < 300; i++)
        CHECK (zmq_send (push, "z", 1, 0) == 1);
    CHECK (zmq_close (push) == 0);
    int got = 0;
    int timeo = 5000;
    CHECK (zmq_setsockopt (sink, ZMQ_RCVTIMEO, &timeo, sizeof timeo) == 0);
    while (got < 300 && zmq_recv (sink, buf, sizeof buf, 0) == 1)
        got++;
    CHECK (got == 300);

    /* once the context is shut down, a send fails with ETERM */
    push = zmq_socket (ctx, ZMQ_PUSH);
    int zero = 0;
    CHECK (zmq_setsockopt (push, ZMQ_LINGER, &zero, sizeof zero) == 0);
    CHECK (zmq_connect (push, ep) == 0);
    CHECK (zmq_send (push, "y", 1, 0) == 1);
    CHECK (zmq_send (push, "y", 1, 0) == 1);
    CHECK (zmq_ctx_shutdown (ctx) == 0);
    CHECK (zmq_send (push, "y", 1, 0) == -1 && zmq_errno () == ETERM);
    CHECK (zmq_close (push) == 0);
    CHECK (zmq_close (sink) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
}

/* A PUSH socket's send buffer copies small parts into a staging area and
 * keeps larger ones, and those with a free function, as they are: every
 * way of sending arrives intact and in order, and each free function
 * runs once. */
static void check_send_stage (void)
{
    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    char ep[64];
    size_t eplen = sizeof ep;
    CHECK (zmq_bind (pull, "tcp://127.0.0.1:*") == 0);
    CHECK (zmq_getsockopt (pull, ZMQ_LAST_ENDPOINT, ep, &eplen) == 0);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (zmq_connect (push, ep) == 0);
    int timeo = 5000;
    CHECK (zmq_setsockopt (pull, ZMQ_RCVTIMEO, &timeo, sizeof timeo) == 0);
    static char big[3000], got[3000];
    memset (big, 'b', sizeof big);
    freed = 0;
    enum { N = 600 };
    for (int i = 0; i < N; i++) {
        char buf[16];
        int len = snprintf (buf, sizeof buf, "m%d", i);
        zmq_msg_t m;
        if (i % 100 == 7) {
            CHECK (zmq_send (push, big, sizeof big, 0) == (int) sizeof big);
        } else if (i % 100 == 9) {
            char *d = malloc (len);
            memcpy (d, buf, len);
            CHECK (zmq_msg_init_data (&m, d, len, free_fn, NULL) == 0);
            CHECK (zmq_msg_send (&m, push, 0) == len);
        } else if (i % 2) {
            CHECK (zmq_msg_init_size (&m, len) == 0);
            memcpy (zmq_msg_data (&m), buf, len);
            CHECK (zmq_msg_send (&m, push, 0) == len);
        } else {
            CHECK (zmq_send (push, buf, len, 0) == len);
        }
    }
    int bad = 0;
    for (int i = 0; i < N; i++) {
        char want[16];
        int len = snprintf (want, sizeof want, "m%d", i);
        int n = zmq_recv (pull, got, sizeof got, 0);
        if (i % 100 == 7)
            bad += n != (int) sizeof big || memcmp (got, big, sizeof big) != 0;
        else
            bad += n != len || memcmp (got, want, len) != 0;
    }
    CHECK (bad == 0);
    CHECK (zmq_close (push) == 0);
    CHECK (freed == N / 100);
    CHECK (zmq_close (pull) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
}

int main (void)
{
    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    CHECK (major == 4 && minor == 3);
    CHECK (sizeof (zmq_msg_t) == 64);

    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    CHECK (zmq_ctx_get (ctx, ZMQ_MSG_T_SIZE) == 64);

    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (a && b);
    CHECK (zmq_bind (a, "inproc://smoke") == 0);
    CHECK (zmq_connect (b, "inproc://smoke") == 0);

    CHECK (zmq_send (b, "hello", 5, ZMQ_SNDMORE) == 5);
    CHECK (zmq_send (b, "world!", 6, 0) == 6);
    char buf[4];
    CHECK (zmq_recv (a, buf, sizeof buf, 0) == 5);
    CHECK (memcmp (buf, "hell", 4) == 0);
    int more = 0;
    size_t len = sizeof more;
    CHECK (zmq_getsockopt (a, ZMQ_RCVMORE, &more, &len) == 0 && more == 1);
    zmq_msg_t msg;
    CHECK (zmq_msg_init (&msg) == 0);
    CHECK (zmq_msg_recv (&msg, a, 0) == 6);
    CHECK (zmq_msg_size (&msg) == 6);
    CHECK (memcmp (zmq_msg_data (&msg), "world!", 6) == 0);
    CHECK (zmq_msg_more (&msg) == 0);
    CHECK (zmq_msg_close (&msg) == 0);

    /* zero-copy send: the free function runs once, after the copies go */
    char *data = malloc (3);
    memcpy (data, "abc", 3);
    zmq_msg_t m1, m2;
    CHECK (zmq_msg_init_data (&m1, data, 3, free_fn, NULL) == 0);
    CHECK (zmq_msg_init (&m2) == 0);
    CHECK (zmq_msg_copy (&m2, &m1) == 0);
    CHECK (zmq_msg_send (&m1, b, 0) == 3);
    CHECK (zmq_msg_close (&m1) == 0);
    CHECK (freed == 0);
    CHECK (zmq_msg_close (&m2) == 0);
    CHECK (freed == 1);
    CHECK (zmq_recv (a, buf, sizeof buf, 0) == 3);

    /* option sizes and types */
    int hwm = 0;
    len = sizeof hwm - 1;
    CHECK (zmq_getsockopt (a, ZMQ_SNDHWM, &hwm, &len) == -1 && zmq_errno () == EINVAL);
    len = sizeof hwm;
    CHECK (zmq_getsockopt (a, ZMQ_SNDHWM, &hwm, &len) == 0 && hwm == 1000);
    int64_t maxmsg = 0;
    len = sizeof maxmsg;
    CHECK (zmq_getsockopt (a, ZMQ_MAXMSGSIZE, &maxmsg, &len) == 0 && maxmsg == -1);
    char ep[256];
    len = sizeof ep;
    CHECK (zmq_getsockopt (a, ZMQ_LAST_ENDPOINT, ep, &len) == 0);
    CHECK (strcmp (ep, "inproc://smoke") == 0 && len == strlen (ep) + 1);
    CHECK (zmq_recv (a, buf, sizeof buf, ZMQ_DONTWAIT) == -1 && zmq_errno () == EAGAIN);

    /* errors: bad pointers and closed sockets */
    CHECK (zmq_close (NULL) == -1 && zmq_errno () == ENOTSOCK);
    CHECK (zmq_close (a) == 0);
    CHECK (zmq_close (a) == -1 && zmq_errno () == ENOTSOCK);
    CHECK (zmq_send (a, "x", 1, 0) == -1 && zmq_errno () == ENOTSOCK);
    CHECK (zmq_msg_init (NULL) == -1 && zmq_errno () == EFAULT);
    CHECK (strcmp (zmq_strerror (EFSM), "Operation cannot be accomplished in current state") == 0);
    CHECK (EFSM == 156384763);

    /* Z85 and CURVE */
    char pub[41], sec[41], pub2[41];
    CHECK (zmq_curve_keypair (pub, sec) == 0);
    CHECK (zmq_curve_public (pub2, sec) == 0 && strcmp (pub, pub2) == 0);
    uint8_t raw[32];
    CHECK (zmq_z85_decode (raw, pub) == raw);
    char text[41];
    CHECK (zmq_z85_encode (text, raw, 32) == text && strcmp (text, pub) == 0);

    /* a signal ends a blocking call with EINTR, and the library leaves the
     * application thread's signal mask alone */
    sigset_t mask;
    sigprocmask (SIG_SETMASK, NULL, &mask);
    CHECK (!sigismember (&mask, SIGINT) && !sigismember (&mask, SIGALRM));
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (zmq_bind (pull, "inproc://eintr") == 0);
    signal (SIGALRM, on_alarm);
    alarm (1);
    CHECK (zmq_recv (pull, buf, sizeof buf, 0) == -1 && zmq_errno () == EINTR);
    CHECK (zmq_close (pull) == 0);

    /* each message keeps its connection's properties, past the receiving
     * socket's cache of them (64 connections) and past the socket */
    void *router = zmq_socket (ctx, ZMQ_ROUTER);
    CHECK (zmq_bind (router, "tcp://127.0.0.1:*") == 0);
    char endpoint[64];
    size_t elen = sizeof endpoint;
    CHECK (zmq_getsockopt (router, ZMQ_LAST_ENDPOINT, endpoint, &elen) == 0);
    enum { PEERS = 100 };
    static zmq_msg_t kept[PEERS];
    for (int i = 0; i < PEERS; i++) {
        void *d = zmq_socket (ctx, ZMQ_DEALER);
        char id[16];
        snprintf (id, sizeof id, "peer-%d", i);
        CHECK (zmq_setsockopt (d, ZMQ_ROUTING_ID, id, strlen (id)) == 0);
        CHECK (zmq_connect (d, endpoint) == 0);
        CHECK (zmq_send (d, "x", 1, 0) == 1);
        zmq_msg_init (&kept[i]);
        CHECK (zmq_msg_recv (&kept[i], router, 0) == (int) strlen (id));
        zmq_msg_t body;
        zmq_msg_init (&body);
        CHECK (zmq_msg_recv (&body, router, 0) == 1);
        CHECK (zmq_msg_close (&body) == 0);
        CHECK (zmq_close (d) == 0);
    }
    CHECK (zmq_close (router) == 0);
    for (int i = 0; i < PEERS; i++) {
        const char *type = zmq_msg_gets (&kept[i], "Socket-Type");
        CHECK (type != NULL && strcmp (type, "DEALER") == 0);
        zmq_msg_t copy;
        zmq_msg_init (&copy);
        CHECK (zmq_msg_copy (&copy, &kept[i]) == 0);
        CHECK (zmq_msg_close (&kept[i]) == 0);
        const char *peer = zmq_msg_gets (&copy, "socket-type");
        CHECK (peer != NULL && strcmp (peer, "DEALER") == 0);
        CHECK (zmq_msg_gets (&copy, "No-Such-Property") == NULL && zmq_errno () == EINVAL);
        CHECK (zmq_msg_close (&copy) == 0);
    }
    /* the last message and the socket gone, no property block is left */
    CHECK (pz_debug_meta_live () == 0);

    CHECK (zmq_close (b) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    check_option_values ();
    check_term_interrupted ();
    check_receive_buffer ();
    check_received_parts_kept ();
    check_send_buffer ();
    check_send_stage ();
    if (failures) {
        fprintf (stderr, "smoke: %d checks failed\n", failures);
        return 1;
    }
    printf ("smoke: ok\n");
    return 0;
}
