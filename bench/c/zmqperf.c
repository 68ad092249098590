/*
 * zmqperf: libzmq side of purezmq's performance comparison.
 *
 * One program with the same command line and the same output lines as the
 * Go tool `zmq perf`, so bench/compare.sh can run either binary on either end:
 *
 *   zmqperf local_thr|remote_thr|local_lat|remote_lat ENDPOINT SIZE COUNT [curve]
 *   zmqperf inproc_thr|inproc_lat SIZE COUNT
 *   zmqperf local_thr_bytes|remote_latp ENDPOINT SIZE COUNT
 *   zmqperf local_pub ENDPOINT SIZE COUNT SUBS [SECONDS]
 *   zmqperf remote_sub ENDPOINT SIZE COUNT SUBS
 *   zmqperf poll_lat tcp|inproc SIZE COUNT SOCKETS
 *   zmqperf local_echo ENDPOINT SIZE COUNT
 *   zmqperf remote_paced ENDPOINT SIZE COUNT RATE
 *   zmqperf local_pub_paced ENDPOINT SIZE COUNT SUBS RATE
 *
 * The lines from local_thr_bytes on are the cases beyond libzmq's perf
 * tools (the Go side is cmd/zmq/perfcases.go and cmd/zmq/perfpaced.go):
 *   - local_thr_bytes: local_thr receiving each message with zmq_recv into
 *     a freshly malloc'd buffer, the C twin of pebbe's RecvBytes;
 *   - remote_latp: remote_lat that also prints the p50, p99, p99.9 and
 *     maximum round trip;
 *   - local_pub: an XPUB (XPUB_VERBOSE) waits for SUBS subscriptions, sends
 *     COUNT messages (with SECONDS, fewer if that time passes first; the
 *     clock is read every 1,024 messages), then empty messages every 10 ms until every
 *     subscriber has subscribed to "\1done"; prints its send rate;
 *   - remote_sub: SUBS SUB sockets in one thread waiting with zmq_poll;
 *     each counts messages until the first empty one, subscribes to
 *     "\1done" and stays until 500 ms pass without a message; prints the
 *     messages delivered per second, first message to last end;
 *   - poll_lat: SOCKETS PAIR pairs in one process; a client thread sends
 *     on pair i in turn and waits with zmq_poll over all its sockets, a
 *     server thread waits with zmq_poll over all its own and echoes;
 *   - local_echo and remote_paced (Go side: cmd/zmq/perfpaced.go): a ROUTER
 *     echoes COUNT messages to a DEALER that waits for the first one's
 *     echo, then sends the other COUNT-1 on a fixed schedule of RATE a
 *     second (sending what is due, taking the echoes that have arrived
 *     without blocking, sleeping with nanosleep until the next is due);
 *     each prints the CPU time (user plus system, getrusage) its process
 *     used per message after the warm-up. The ROUTER's SNDHWM is 0: at its
 *     HWM a ROUTER drops, and a sender descheduled for a while on a busy
 *     machine would then wait forever for the echoes lost;
 *   - local_pub_paced: local_pub sending COUNT messages at RATE a second
 *     on remote_paced's schedule, to remote_sub's SUBS subscribers; prints
 *     the CPU time its process used per message while sending and the
 *     rate it achieved (COUNT-1 intervals, first send to last).
 *
 * Measurement rules (as in libzmq's perf tools, see PROTOCOL.md 8.1):
 *   - one context with one I/O thread, default socket options;
 *   - throughput: PULL receives the first message untimed, then times the
 *     remaining COUNT-1; rate = COUNT / elapsed;
 *   - latency: REQ times COUNT send+recv pairs; latency = elapsed / (2*COUNT).
 * With `curve`, the bind side (local_*) is the CURVE server and the connect
 * side the CURVE client, using the fixed test keys below (the Go tool holds
 * the same ones).
 *
 * Build: cc -O2 -o bench/bin/zmqperf bench/c/zmqperf.c $(pkg-config --cflags --libs libzmq)
 */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

/* Test-only CURVE keys (Z85). Never use them for anything real. */
static const char server_public[] = "UivwOm[1.k6D<{gaxp#4yRiqOq?SIGSGv./xj#*4";
static const char server_secret[] = "Mp$12t3Evak+J1aU78)2/%kOl?lCQQk?r9!n$ibP";
static const char client_public[] = "B8sFz-FpdY6F1<^o$hfHyqL(YR(VbC7=3e/r^aiy";
static const char client_secret[] = "HQIwG-Z@8]Th[jSj=ud-)&Lb^y)B!=}ePc{p4hvl";

static void die(const char *what)
{
    fprintf(stderr, "zmqperf: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: zmqperf local_thr|remote_thr|local_lat|remote_lat ENDPOINT SIZE COUNT [curve]\n"
            "       zmqperf inproc_thr|inproc_lat SIZE COUNT\n"
            "       zmqperf local_thr_bytes|remote_latp ENDPOINT SIZE COUNT\n"
            "       zmqperf local_pub ENDPOINT SIZE COUNT SUBS [SECONDS]\n"
            "       zmqperf remote_sub ENDPOINT SIZE COUNT SUBS\n"
            "       zmqperf poll_lat tcp|inproc SIZE COUNT SOCKETS\n"
            "       zmqperf local_echo ENDPOINT SIZE COUNT\n"
            "       zmqperf remote_paced ENDPOINT SIZE COUNT RATE\n"
            "       zmqperf local_pub_paced ENDPOINT SIZE COUNT SUBS RATE\n");
    exit(2);
}

static void *new_context(void)
{
    void *ctx = zmq_ctx_new();
    if (ctx == NULL)
        die("zmq_ctx_new");
    if (zmq_ctx_set(ctx, ZMQ_IO_THREADS, 1) != 0)
        die("zmq_ctx_set");
    return ctx;
}

static void *new_socket(void *ctx, int type)
{
    void *s = zmq_socket(ctx, type);
    if (s == NULL)
        die("zmq_socket");
    return s;
}

static void set_option(void *s, int option, const void *value, size_t len)
{
    if (zmq_setsockopt(s, option, value, len) != 0)
        die("zmq_setsockopt");
}

static void make_curve_server(void *s)
{
    int on = 1;
    set_option(s, ZMQ_CURVE_SERVER, &on, sizeof on);
    set_option(s, ZMQ_CURVE_SECRETKEY, server_secret, strlen(server_secret));
}

static void make_curve_client(void *s)
{
    set_option(s, ZMQ_CURVE_SERVERKEY, server_public, strlen(server_public));
    set_option(s, ZMQ_CURVE_PUBLICKEY, client_public, strlen(client_public));
    set_option(s, ZMQ_CURVE_SECRETKEY, client_secret, strlen(client_secret));
}

/* Receives one message and checks its size. */
static void recv_sized(void *s, zmq_msg_t *msg, size_t size)
{
    if (zmq_msg_recv(msg, s, 0) < 0)
        die("zmq_msg_recv");
    if (zmq_msg_size(msg) != size) {
        fprintf(stderr, "zmqperf: message of wrong size: %zu, want %zu\n",
                zmq_msg_size(msg), size);
        exit(1);
    }
}

/* Sends one message of size bytes (zero-filled). */
static void send_sized(void *s, size_t size)
{
    zmq_msg_t msg;
    if (zmq_msg_init_size(&msg, size) != 0)
        die("zmq_msg_init_size");
    memset(zmq_msg_data(&msg), 0, size);
    if (zmq_msg_send(&msg, s, 0) < 0)
        die("zmq_msg_send");
}

static void print_throughput(size_t size, long count, unsigned long elapsed_us)
{
    if (elapsed_us == 0)
        elapsed_us = 1;
    double msgs_per_sec = (double)count / (double)elapsed_us * 1000000.0;
    unsigned long throughput = (unsigned long)msgs_per_sec;
    double megabits = (double)throughput * (double)size * 8.0 / 1000000.0;
    printf("message size: %d [B]\n", (int)size);
    printf("message count: %d\n", (int)count);
    printf("mean throughput: %d [msg/s]\n", (int)throughput);
    printf("mean throughput: %.3f [Mb/s]\n", megabits);
}

static void print_latency(size_t size, long roundtrips, unsigned long elapsed_us)
{
    double latency = (double)elapsed_us / ((double)roundtrips * 2.0);
    printf("message size: %d [B]\n", (int)size);
    printf("roundtrip count: %d\n", (int)roundtrips);
    printf("average latency: %.3f [us]\n", latency);
}

/* Receives count messages on a bound PULL socket and prints the rate. */
static void receive_and_time(void *pull, size_t size, long count)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    recv_sized(pull, &msg, size);
    void *watch = zmq_stopwatch_start();
    for (long i = 1; i < count; i++)
        recv_sized(pull, &msg, size);
    unsigned long elapsed = zmq_stopwatch_stop(watch);
    zmq_msg_close(&msg);
    print_throughput(size, count, elapsed);
}

/* Sends count request/reply round trips on a REQ socket and prints latency. */
static void ping_and_time(void *req, size_t size, long roundtrips)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    void *watch = zmq_stopwatch_start();
    for (long i = 0; i < roundtrips; i++) {
        send_sized(req, size);
        recv_sized(req, &msg, size);
    }
    unsigned long elapsed = zmq_stopwatch_stop(watch);
    zmq_msg_close(&msg);
    print_latency(size, roundtrips, elapsed);
}

/* Echoes count requests on a REP socket. */
static void echo(void *rep, size_t size, long count)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (long i = 0; i < count; i++) {
        recv_sized(rep, &msg, size);
        if (zmq_msg_send(&msg, rep, 0) < 0)
            die("zmq_msg_send");
    }
    zmq_msg_close(&msg);
}

static void close_and_term(void *s, void *ctx)
{
    if (zmq_close(s) != 0)
        die("zmq_close");
    if (zmq_ctx_term(ctx) != 0)
        die("zmq_ctx_term");
}

static void run_tcp_like(const char *mode, const char *endpoint, size_t size,
                         long count, int curve)
{
    void *ctx = new_context();
    if (strcmp(mode, "local_thr") == 0) {
        void *s = new_socket(ctx, ZMQ_PULL);
        if (curve)
            make_curve_server(s);
        if (zmq_bind(s, endpoint) != 0)
            die("zmq_bind");
        receive_and_time(s, size, count);
        close_and_term(s, ctx);
    } else if (strcmp(mode, "remote_thr") == 0) {
        void *s = new_socket(ctx, ZMQ_PUSH);
        if (curve)
            make_curve_client(s);
        if (zmq_connect(s, endpoint) != 0)
            die("zmq_connect");
        for (long i = 0; i < count; i++)
            send_sized(s, size);
        close_and_term(s, ctx); /* default linger: waits for delivery */
    } else if (strcmp(mode, "local_lat") == 0) {
        void *s = new_socket(ctx, ZMQ_REP);
        if (curve)
            make_curve_server(s);
        if (zmq_bind(s, endpoint) != 0)
            die("zmq_bind");
        echo(s, size, count);
        close_and_term(s, ctx);
    } else if (strcmp(mode, "remote_lat") == 0) {
        void *s = new_socket(ctx, ZMQ_REQ);
        if (curve)
            make_curve_client(s);
        if (zmq_connect(s, endpoint) != 0)
            die("zmq_connect");
        ping_and_time(s, size, count);
        close_and_term(s, ctx);
    } else {
        usage();
    }
}

struct worker_args {
    void *ctx;
    const char *endpoint;
    size_t size;
    long count;
};

static void push_worker(void *arg)
{
    struct worker_args *w = arg;
    void *s = new_socket(w->ctx, ZMQ_PUSH);
    if (zmq_connect(s, w->endpoint) != 0)
        die("zmq_connect");
    for (long i = 0; i < w->count; i++)
        send_sized(s, w->size);
    if (zmq_close(s) != 0)
        die("zmq_close");
}

static void rep_worker(void *arg)
{
    struct worker_args *w = arg;
    void *s = new_socket(w->ctx, ZMQ_REP);
    if (zmq_connect(s, w->endpoint) != 0)
        die("zmq_connect");
    echo(s, w->size, w->count);
    if (zmq_close(s) != 0)
        die("zmq_close");
}

static void run_inproc(const char *mode, size_t size, long count)
{
    void *ctx = new_context();
    struct worker_args w = {ctx, NULL, size, count};
    void *s;
    void *thread;
    if (strcmp(mode, "inproc_thr") == 0) {
        w.endpoint = "inproc://thr_test";
        s = new_socket(ctx, ZMQ_PULL);
        if (zmq_bind(s, w.endpoint) != 0)
            die("zmq_bind");
        thread = zmq_threadstart(push_worker, &w);
        receive_and_time(s, size, count);
    } else if (strcmp(mode, "inproc_lat") == 0) {
        w.endpoint = "inproc://lat_test";
        s = new_socket(ctx, ZMQ_REQ);
        if (zmq_bind(s, w.endpoint) != 0)
            die("zmq_bind");
        thread = zmq_threadstart(rep_worker, &w);
        ping_and_time(s, size, count);
    } else {
        usage();
        return;
    }
    zmq_threadclose(thread);
    close_and_term(s, ctx);
}

static long parse_number(const char *text, const char *what, long min)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < min) {
        fprintf(stderr, "zmqperf: bad %s: %s\n", what, text);
        exit(2);
    }
    return v;
}

/* ------------------------------------------------ cases beyond libzmq's */

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* sleep_until_us sleeps with nanosleep until now_us() reaches due, if it
 * has not yet. */
static void sleep_until_us(double due)
{
    double wait = due - now_us();
    if (wait > 0) {
        long ns = (long)(wait * 1e3);
        struct timespec ts = {ns / 1000000000, ns % 1000000000};
        nanosleep(&ts, NULL);
    }
}

/* local_thr with a fresh malloc'd buffer per message. */
static void local_thr_bytes(const char *endpoint, size_t size, long count)
{
    void *ctx = new_context();
    void *s = new_socket(ctx, ZMQ_PULL);
    if (zmq_bind(s, endpoint) != 0)
        die("zmq_bind");
    void *watch = NULL;
    for (long i = 0; i < count; i++) {
        char *buf = malloc(size > 0 ? size : 1);
        if (buf == NULL)
            die("malloc");
        int n = zmq_recv(s, buf, size, 0);
        if (n < 0)
            die("zmq_recv");
        if ((size_t)n != size) {
            fprintf(stderr, "zmqperf: message of wrong size: %d, want %zu\n", n, size);
            exit(1);
        }
        free(buf);
        if (i == 0)
            watch = zmq_stopwatch_start();
    }
    print_throughput(size, count, zmq_stopwatch_stop(watch));
    close_and_term(s, ctx);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-th quantile of sorted, nearest rank (as the Go tool). */
static double percentile(const double *sorted, long n, double q)
{
    long i = (long)(q * (double)n + 0.5) - 1;
    if (i < 0)
        i = 0;
    if (i > n - 1)
        i = n - 1;
    return sorted[i];
}

/* remote_lat that also prints round-trip percentiles. */
static void remote_latp(const char *endpoint, size_t size, long count)
{
    void *ctx = new_context();
    void *s = new_socket(ctx, ZMQ_REQ);
    if (zmq_connect(s, endpoint) != 0)
        die("zmq_connect");
    double *rtt = malloc(sizeof(double) * (size_t)count);
    if (rtt == NULL)
        die("malloc");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    void *watch = zmq_stopwatch_start();
    for (long i = 0; i < count; i++) {
        double t0 = now_us();
        send_sized(s, size);
        recv_sized(s, &msg, size);
        rtt[i] = now_us() - t0;
    }
    unsigned long elapsed = zmq_stopwatch_stop(watch);
    zmq_msg_close(&msg);
    print_latency(size, count, elapsed);
    qsort(rtt, (size_t)count, sizeof(double), compare_doubles);
    printf("roundtrip p50: %.1f [us]\n", percentile(rtt, count, 0.50));
    printf("roundtrip p99: %.1f [us]\n", percentile(rtt, count, 0.99));
    printf("roundtrip p99.9: %.1f [us]\n", percentile(rtt, count, 0.999));
    printf("roundtrip max: %.1f [us]\n", rtt[count - 1]);
    free(rtt);
    close_and_term(s, ctx);
}

static const char fanout_done[] = "\1done";

/* Receives subscription messages on an XPUB until n subscribed to topic
 * (length len). */
static void wait_subscriptions(void *s, const char *topic, size_t len, long n)
{
    char buf[64];
    for (long seen = 0; seen < n;) {
        int got = zmq_recv(s, buf, sizeof buf, 0);
        if (got < 0)
            die("zmq_recv");
        if ((size_t)got == len + 1 && buf[0] == 1 && memcmp(buf + 1, topic, len) == 0)
            seen++;
    }
}

/* now_seconds: the monotonic clock in seconds. */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* end_fanout sends empty messages every 10 ms until subs subscribers have
 * subscribed to "\1done". */
static void end_fanout(void *s, long subs)
{
    int timeout = 10;
    set_option(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    char sub[64];
    for (long seen = 0; seen < subs;) {
        if (zmq_send(s, NULL, 0, 0) < 0)
            die("zmq_send");
        int got = zmq_recv(s, sub, sizeof sub, 0);
        if (got < 0) {
            if (zmq_errno() == EAGAIN)
                continue;
            die("zmq_recv");
        }
        if ((size_t)got == sizeof fanout_done && sub[0] == 1 &&
            memcmp(sub + 1, fanout_done, sizeof fanout_done - 1) == 0)
            seen++;
    }
}

/* new_publisher binds the XPUB (XPUB_VERBOSE) of local_pub and
 * local_pub_paced and waits until subs subscribers have subscribed. */
static void *new_publisher(void *ctx, const char *endpoint, long subs)
{
    void *s = new_socket(ctx, ZMQ_XPUB);
    int on = 1;
    set_option(s, ZMQ_XPUB_VERBOSE, &on, sizeof on);
    if (zmq_bind(s, endpoint) != 0)
        die("zmq_bind");
    wait_subscriptions(s, "", 0, subs);
    return s;
}

/* new_fanout_message returns the message the publishers send: size bytes,
 * the first 'm'. */
static char *new_fanout_message(size_t size)
{
    char *buf = calloc(1, size);
    if (buf == NULL)
        die("calloc");
    buf[0] = 'm';
    return buf;
}

static void local_pub(const char *endpoint, size_t size, long count, long subs,
                      double seconds)
{
    void *ctx = new_context();
    void *s = new_publisher(ctx, endpoint, subs);
    char *buf = new_fanout_message(size);
    void *watch = zmq_stopwatch_start();
    double start = now_seconds();
    long sent = 0;
    while (sent < count) {
        if (zmq_send(s, buf, size, 0) < 0)
            die("zmq_send");
        sent++;
        if (seconds > 0 && sent % 1024 == 0 && now_seconds() - start >= seconds)
            break;
    }
    unsigned long elapsed = zmq_stopwatch_stop(watch);
    end_fanout(s, subs);
    if (elapsed == 0)
        elapsed = 1;
    printf("message size: %d [B]\n", (int)size);
    printf("message count: %ld\n", sent);
    printf("subscribers: %ld\n", subs);
    printf("send rate: %lu [msg/s]\n", (unsigned long)((double)sent / (double)elapsed * 1e6));
    free(buf);
    close_and_term(s, ctx);
}

static void remote_sub(const char *endpoint, size_t size, long count, long subs)
{
    void *ctx = new_context();
    if (zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, (int)subs + 16) != 0)
        die("zmq_ctx_set");
    zmq_pollitem_t *items = calloc((size_t)subs, sizeof *items);
    char *buf = malloc(size);
    if (items == NULL || buf == NULL)
        die("calloc");
    for (long i = 0; i < subs; i++) {
        items[i].socket = new_socket(ctx, ZMQ_SUB);
        items[i].events = ZMQ_POLLIN;
        set_option(items[i].socket, ZMQ_SUBSCRIBE, "", 0);
        if (zmq_connect(items[i].socket, endpoint) != 0)
            die("zmq_connect");
    }
    long received = 0, ended = 0;
    double first = 0, last = 0;
    char *done = calloc((size_t)subs, 1);
    while (ended < subs) {
        if (zmq_poll(items, (int)subs, -1) < 0)
            die("zmq_poll");
        for (long i = 0; i < subs; i++) {
            if (!(items[i].revents & ZMQ_POLLIN) || done[i])
                continue;
            for (;;) {
                int got = zmq_recv(items[i].socket, buf, size, ZMQ_DONTWAIT);
                if (got < 0) {
                    if (zmq_errno() == EAGAIN)
                        break;
                    die("zmq_recv");
                }
                if (got == 0) {
                    done[i] = 1;
                    ended++;
                    last = now_us();
                    set_option(items[i].socket, ZMQ_SUBSCRIBE, fanout_done, sizeof fanout_done - 1);
                    items[i].events = 0;
                    break;
                }
                if (received == 0)
                    first = now_us();
                received++;
            }
        }
    }
    /* Stay connected until the publisher has stopped sending end messages
     * (silence for 500 ms): a subscription still queued when its connection
     * closes may never reach the publisher. */
    for (long i = 0; i < subs; i++)
        items[i].events = ZMQ_POLLIN;
    for (;;) {
        int ready = zmq_poll(items, (int)subs, 500);
        if (ready < 0)
            die("zmq_poll");
        if (ready == 0)
            break;
        for (long i = 0; i < subs; i++)
            if (items[i].revents & ZMQ_POLLIN)
                while (zmq_recv(items[i].socket, buf, size, ZMQ_DONTWAIT) >= 0)
                    ;
    }
    double elapsed = last - first;
    if (elapsed < 1)
        elapsed = 1;
    printf("message size: %d [B]\n", (int)size);
    printf("subscribers: %ld\n", subs);
    printf("received: %ld of %ld\n", received, count * subs);
    printf("delivered: %lu [msg/s]\n", (unsigned long)((double)received / elapsed * 1e6));
    for (long i = 0; i < subs; i++)
        if (zmq_close(items[i].socket) != 0)
            die("zmq_close");
    free(done);
    free(items);
    free(buf);
    if (zmq_ctx_term(ctx) != 0)
        die("zmq_ctx_term");
}

struct poll_args {
    zmq_pollitem_t *items;
    long n;
    size_t size;
    long count;
};

/* The server side of poll_lat: echoes count messages from any socket. */
static void poll_echo(void *arg)
{
    struct poll_args *a = arg;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (long done = 0; done < a->count;) {
        if (zmq_poll(a->items, (int)a->n, -1) < 0)
            die("zmq_poll");
        for (long i = 0; i < a->n; i++) {
            if (!(a->items[i].revents & ZMQ_POLLIN))
                continue;
            if (zmq_msg_recv(&msg, a->items[i].socket, ZMQ_DONTWAIT) < 0)
                die("zmq_msg_recv");
            if (zmq_msg_send(&msg, a->items[i].socket, 0) < 0)
                die("zmq_msg_send");
            done++;
        }
    }
    zmq_msg_close(&msg);
}

static void poll_lat(const char *transport, size_t size, long count, long n)
{
    void *ctx = new_context();
    if (zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, (int)(2 * n + 16)) != 0)
        die("zmq_ctx_set");
    zmq_pollitem_t *servers = calloc((size_t)n, sizeof *servers);
    zmq_pollitem_t *clients = calloc((size_t)n, sizeof *clients);
    if (servers == NULL || clients == NULL)
        die("calloc");
    char endpoint[256];
    for (long i = 0; i < n; i++) {
        servers[i].socket = new_socket(ctx, ZMQ_PAIR);
        servers[i].events = ZMQ_POLLIN;
        if (strcmp(transport, "inproc") == 0)
            snprintf(endpoint, sizeof endpoint, "inproc://poll_lat_%ld", i);
        else
            snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:*");
        if (zmq_bind(servers[i].socket, endpoint) != 0)
            die("zmq_bind");
        size_t len = sizeof endpoint;
        if (zmq_getsockopt(servers[i].socket, ZMQ_LAST_ENDPOINT, endpoint, &len) != 0)
            die("zmq_getsockopt");
        clients[i].socket = new_socket(ctx, ZMQ_PAIR);
        clients[i].events = ZMQ_POLLIN;
        if (zmq_connect(clients[i].socket, endpoint) != 0)
            die("zmq_connect");
    }
    struct poll_args a = {servers, n, size, count};
    void *thread = zmq_threadstart(poll_echo, &a);
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    void *watch = zmq_stopwatch_start();
    for (long i = 0; i < count; i++) {
        void *s = clients[i % n].socket;
        send_sized(s, size);
        int ready = zmq_poll(clients, (int)n, -1);
        if (ready < 0)
            die("zmq_poll");
        if (ready != 1 || !(clients[i % n].revents & ZMQ_POLLIN)) {
            fprintf(stderr, "zmqperf: poll returned %d sockets, want the one just sent on\n", ready);
            exit(1);
        }
        recv_sized(s, &msg, size);
    }
    unsigned long elapsed = zmq_stopwatch_stop(watch);
    zmq_msg_close(&msg);
    zmq_threadclose(thread);
    if (elapsed == 0)
        elapsed = 1;
    printf("message size: %d [B]\n", (int)size);
    printf("sockets: %ld\n", n);
    printf("roundtrip count: %ld\n", count);
    printf("mean throughput: %lu [msg/s]\n", (unsigned long)((double)count / (double)elapsed * 1e6));
    printf("average latency: %.3f [us]\n", (double)elapsed / ((double)count * 2.0));
    for (long i = 0; i < n; i++) {
        int zero = 0;
        set_option(servers[i].socket, ZMQ_LINGER, &zero, sizeof zero);
        set_option(clients[i].socket, ZMQ_LINGER, &zero, sizeof zero);
        zmq_close(servers[i].socket);
        zmq_close(clients[i].socket);
    }
    free(servers);
    free(clients);
    if (zmq_ctx_term(ctx) != 0)
        die("zmq_ctx_term");
}

/* ------------------------------------------- paced DEALER to ROUTER echo */

/* The user plus system CPU time of the whole process so far, in us. */
static double cpu_us(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        perror("zmqperf: getrusage");
        exit(1);
    }
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static void print_cpu_per_message(double cpu, long count)
{
    printf("cpu per message: %.3f [us]\n", cpu / (double)count);
}

/* A ROUTER that sends each of count messages back to its sender. */
static void local_echo(const char *endpoint, size_t size, long count)
{
    void *ctx = new_context();
    void *s = new_socket(ctx, ZMQ_ROUTER);
    int unlimited = 0;
    set_option(s, ZMQ_SNDHWM, &unlimited, sizeof unlimited);
    if (zmq_bind(s, endpoint) != 0)
        die("zmq_bind");
    zmq_msg_t id, body;
    zmq_msg_init(&id);
    zmq_msg_init(&body);
    double cpu0 = 0;
    for (long i = 0; i < count; i++) {
        if (zmq_msg_recv(&id, s, 0) < 0)
            die("zmq_msg_recv");
        recv_sized(s, &body, size);
        if (zmq_msg_send(&id, s, ZMQ_SNDMORE) < 0 || zmq_msg_send(&body, s, 0) < 0)
            die("zmq_msg_send");
        if (i == 0)
            cpu0 = cpu_us();
    }
    double cpu = cpu_us() - cpu0;
    zmq_msg_close(&id);
    zmq_msg_close(&body);
    printf("message size: %d [B]\n", (int)size);
    printf("message count: %ld\n", count);
    print_cpu_per_message(cpu, count - 1);
    close_and_term(s, ctx);
}

/* A DEALER that sends count messages at rate a second after a warm-up
 * round trip, taking the echoes as they come. */
static void remote_paced(const char *endpoint, size_t size, long count, long rate)
{
    void *ctx = new_context();
    void *s = new_socket(ctx, ZMQ_DEALER);
    if (zmq_connect(s, endpoint) != 0)
        die("zmq_connect");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    send_sized(s, size);
    recv_sized(s, &msg, size);
    double cpu0 = cpu_us();
    double period = 1e6 / (double)rate;
    long n = count - 1, sent = 0, got = 0;
    double start = now_us();
    while (got < n) {
        while (sent < n && now_us() - start >= (double)sent * period) {
            send_sized(s, size);
            sent++;
        }
        while (got < sent) {
            if (zmq_msg_recv(&msg, s, ZMQ_DONTWAIT) < 0) {
                if (zmq_errno() == EAGAIN)
                    break;
                die("zmq_msg_recv");
            }
            if (zmq_msg_size(&msg) != size) {
                fprintf(stderr, "zmqperf: message of wrong size: %zu, want %zu\n",
                        zmq_msg_size(&msg), size);
                exit(1);
            }
            got++;
        }
        if (sent < n) {
            sleep_until_us(start + (double)sent * period);
        } else if (got < n) {
            recv_sized(s, &msg, size);
            got++;
        }
    }
    double elapsed = now_us() - start;
    double cpu = cpu_us() - cpu0;
    zmq_msg_close(&msg);
    if (elapsed < 1)
        elapsed = 1;
    printf("message size: %d [B]\n", (int)size);
    printf("message count: %ld\n", count);
    printf("target rate: %ld [msg/s]\n", rate);
    printf("achieved rate: %lu [msg/s]\n", (unsigned long)((double)n / elapsed * 1e6));
    print_cpu_per_message(cpu, n);
    close_and_term(s, ctx);
}

/* An XPUB that waits for subs subscribers, sends them count messages at
 * rate a second (message i due at start + i/rate, never sent before) and
 * ends the run as local_pub does. */
static void local_pub_paced(const char *endpoint, size_t size, long count, long subs,
                            long rate)
{
    void *ctx = new_context();
    void *s = new_publisher(ctx, endpoint, subs);
    char *buf = new_fanout_message(size);
    double cpu0 = cpu_us();
    double period = 1e6 / (double)rate;
    double start = now_us();
    for (long sent = 0; sent < count;) {
        while (sent < count && now_us() - start >= (double)sent * period) {
            if (zmq_send(s, buf, size, 0) < 0)
                die("zmq_send");
            sent++;
        }
        if (sent < count)
            sleep_until_us(start + (double)sent * period);
    }
    double elapsed = now_us() - start;
    double cpu = cpu_us() - cpu0;
    end_fanout(s, subs);
    if (elapsed < 1)
        elapsed = 1;
    printf("message size: %d [B]\n", (int)size);
    printf("message count: %ld\n", count);
    printf("subscribers: %ld\n", subs);
    printf("target rate: %ld [msg/s]\n", rate);
    printf("achieved rate: %lu [msg/s]\n", (unsigned long)((double)(count - 1) / elapsed * 1e6));
    print_cpu_per_message(cpu, count);
    free(buf);
    close_and_term(s, ctx);
}

/* Runs local_echo, remote_paced or local_pub_paced; returns 0 when mode
 * is none of them. */
static int run_paced(int argc, char *argv[])
{
    const char *mode = argv[1];
    if (strcmp(mode, "local_pub_paced") == 0) {
        if (argc != 7)
            usage();
        size_t size = (size_t)parse_number(argv[3], "size", 1);
        long count = parse_number(argv[4], "count (at least 2)", 2);
        local_pub_paced(argv[2], size, count, parse_number(argv[5], "count of sockets", 1),
                        parse_number(argv[6], "rate", 1));
        return 1;
    }
    int echo = strcmp(mode, "local_echo") == 0;
    if (!echo && strcmp(mode, "remote_paced") != 0)
        return 0;
    if (argc != (echo ? 5 : 6))
        usage();
    size_t size = (size_t)parse_number(argv[3], "size", 0);
    long count = parse_number(argv[4], "count (at least 2: the first is a warm-up)", 2);
    if (echo)
        local_echo(argv[2], size, count);
    else
        remote_paced(argv[2], size, count, parse_number(argv[5], "rate", 1));
    return 1;
}

/* Runs one of the cases above; returns 0 when mode is none of them. */
static int run_extra(int argc, char *argv[])
{
    const char *mode = argv[1];
    if (strcmp(mode, "local_thr_bytes") == 0 || strcmp(mode, "remote_latp") == 0) {
        if (argc != 5)
            usage();
        size_t size = (size_t)parse_number(argv[3], "size", 0);
        long count = parse_number(argv[4], "count", 1);
        if (mode[0] == 'l')
            local_thr_bytes(argv[2], size, count);
        else
            remote_latp(argv[2], size, count);
        return 1;
    }
    if (strcmp(mode, "local_pub") == 0 || strcmp(mode, "remote_sub") == 0 ||
        strcmp(mode, "poll_lat") == 0) {
        double seconds = 0;
        if (argc == 7 && strcmp(mode, "local_pub") == 0) {
            char *end;
            seconds = strtod(argv[6], &end);
            if (*end != '\0' || !(seconds > 0))
                usage();
        } else if (argc != 6) {
            usage();
        }
        size_t size = (size_t)parse_number(argv[3], "size", 0);
        long count = parse_number(argv[4], "count", 1);
        long n = parse_number(argv[5], "count of sockets", 1);
        if (strcmp(mode, "poll_lat") == 0) {
            if (strcmp(argv[2], "tcp") != 0 && strcmp(argv[2], "inproc") != 0)
                usage();
            poll_lat(argv[2], size, count, n);
        } else if (size < 1) {
            fprintf(stderr, "zmqperf: local_pub and remote_sub need SIZE of at least 1\n");
            exit(2);
        } else if (mode[0] == 'l') {
            local_pub(argv[2], size, count, n, seconds);
        } else {
            remote_sub(argv[2], size, count, n);
        }
        return 1;
    }
    return 0;
}

int main(int argc, char *argv[])
{
    if (argc < 2)
        usage();
    if (run_extra(argc, argv))
        return 0;
    if (run_paced(argc, argv))
        return 0;
    const char *mode = argv[1];
    if (strncmp(mode, "inproc_", 7) == 0) {
        if (argc != 4)
            usage();
        run_inproc(mode, (size_t)parse_number(argv[2], "size", 0),
                   parse_number(argv[3], "count", 1));
        return 0;
    }
    if (argc != 5 && argc != 6)
        usage();
    int curve = 0;
    if (argc == 6) {
        if (strcmp(argv[5], "curve") != 0)
            usage();
        curve = 1;
    }
    run_tcp_like(mode, argv[2], (size_t)parse_number(argv[3], "size", 0),
                 parse_number(argv[4], "count", 1), curve);
    return 0;
}
