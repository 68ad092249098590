/*
 * zmqperf: libzmq side of purezmq's performance comparison.
 *
 * One program with the same command line and the same output lines as the
 * Go tool `zmq perf`, so bench/compare.sh can run either binary on either end:
 *
 *   zmqperf local_thr|remote_thr|local_lat|remote_lat ENDPOINT SIZE COUNT [curve]
 *   zmqperf inproc_thr|inproc_lat SIZE COUNT
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
            "       zmqperf inproc_thr|inproc_lat SIZE COUNT\n");
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

int main(int argc, char *argv[])
{
    if (argc < 2)
        usage();
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
