/* What a forked child can do with purezmq's libzmq (capi/entry.c): run by
 * run.sh beside smoke.c. The parent binds a PULL socket over tcp and
 * forks; the child, whose calls go to a fresh copy of the library, makes a
 * context and a PUSH socket of its own and sends to the parent, checks an
 * inproc round trip, forks a grandchild that sends too, and ends the
 * parent's socket and context (which succeeds and does nothing). The
 * parent then receives both messages and goes on using its sockets.
 * Exits 0 when every check passed. */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf (stderr, "fork: %s:%d: %s (errno %d)\n", __FILE__,     \
                     __LINE__, #cond, zmq_errno ());                       \
            failures++;                                                    \
        }                                                                  \
    } while (0)

static int send_from_new_context (const char *endpoint, const char *text)
{
    int failures = 0;
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (push != NULL);
    CHECK (zmq_connect (push, endpoint) == 0);
    CHECK (zmq_send (push, text, strlen (text), 0) == (int) strlen (text));
    /* An inproc round trip inside the same context. */
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (zmq_bind (a, "inproc://child") == 0);
    CHECK (zmq_connect (b, "inproc://child") == 0);
    char buf[8];
    CHECK (zmq_send (b, "ping", 4, 0) == 4);
    CHECK (zmq_recv (a, buf, sizeof buf, 0) == 4 && memcmp (buf, "ping", 4) == 0);
    CHECK (zmq_close (a) == 0);
    CHECK (zmq_close (b) == 0);
    CHECK (zmq_close (push) == 0); /* LINGER delivers the message */
    CHECK (zmq_ctx_term (ctx) == 0);
    CHECK (zmq_ctx_term (ctx) == -1 && zmq_errno () == EFAULT);
    return failures;
}

static int child (void *parent_ctx, void *parent_sock, const char *endpoint)
{
    int failures = send_from_new_context (endpoint, "child");
    /* The parent's objects: the child's copy does not know them. */
    CHECK (zmq_socket (parent_ctx, ZMQ_PUSH) == NULL && zmq_errno () == EFAULT);
    CHECK (zmq_send (parent_sock, "x", 1, ZMQ_DONTWAIT) == -1 && zmq_errno () == ENOTSOCK);
    pid_t pid = fork ();
    if (pid == 0)
        _exit (send_from_new_context (endpoint, "grandchild") == 0 ? 0 : 1);
    int status = 0;
    CHECK (pid > 0 && waitpid (pid, &status, 0) == pid);
    CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    /* Ending them succeeds and leaves them to the parent. */
    CHECK (zmq_close (parent_sock) == 0);
    CHECK (zmq_close (parent_ctx) == -1 && zmq_errno () == ENOTSOCK);
    CHECK (zmq_ctx_shutdown (parent_ctx) == 0);
    CHECK (zmq_ctx_term (parent_ctx) == 0);
    CHECK (zmq_ctx_term (NULL) == -1 && zmq_errno () == EFAULT);
    return failures == 0 ? 0 : 1;
}

int main (void)
{
    int failures = 0;
    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    CHECK (zmq_bind (pull, "tcp://127.0.0.1:*") == 0);
    char endpoint[64];
    size_t len = sizeof endpoint;
    CHECK (zmq_getsockopt (pull, ZMQ_LAST_ENDPOINT, endpoint, &len) == 0);
    void *in = zmq_socket (ctx, ZMQ_PULL);
    CHECK (zmq_bind (in, "inproc://fork") == 0);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (zmq_connect (push, "inproc://fork") == 0);

    pid_t pid = fork ();
    if (pid == 0)
        _exit (child (ctx, pull, endpoint));
    int status = 0;
    CHECK (pid > 0 && waitpid (pid, &status, 0) == pid);
    CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);

    /* Both descendants' messages reached the parent's socket. */
    char buf[16];
    int got_child = 0, got_grandchild = 0;
    for (int i = 0; i < 2; i++) {
        int n = zmq_recv (pull, buf, sizeof buf, 0);
        if (n == 5 && memcmp (buf, "child", 5) == 0)
            got_child++;
        if (n == 10 && memcmp (buf, "grandchild", 10) == 0)
            got_grandchild++;
    }
    CHECK (got_child == 1 && got_grandchild == 1);

    /* The parent's sockets and context are untouched by the child. */
    CHECK (zmq_send (push, "after", 5, 0) == 5);
    CHECK (zmq_recv (in, buf, sizeof buf, 0) == 5 && memcmp (buf, "after", 5) == 0);
    CHECK (zmq_close (push) == 0);
    CHECK (zmq_close (in) == 0);
    CHECK (zmq_close (pull) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    if (failures == 0)
        printf ("fork: ok\n");
    return failures == 0 ? 0 : 1;
}
