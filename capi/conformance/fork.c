/* What a forked child can do with purezmq's libzmq (capi/fork.c): run by
 * run.sh beside smoke.c. The parent has a context and a bound socket when
 * it forks; the child makes, sets, reads and ends a context of its own,
 * ends the parent's context and socket, and sees zmq_socket fail with
 * ENOTSUP, all without entering the Go runtime, and exits; the parent then
 * goes on using its socket. Exits 0 when every check passed. */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

/* In the child only zmq_errno is used for reports: zmq_strerror is one of
 * the calls that enter Go. */
#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf (stderr, "fork: %s:%d: %s (errno %d)\n", __FILE__,     \
                     __LINE__, #cond, zmq_errno ());                       \
            failures++;                                                    \
        }                                                                  \
    } while (0)

static int child (void *parent_ctx, void *parent_sock)
{
    int failures = 0;
    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    CHECK (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 1) == 0);
    CHECK (zmq_ctx_get (ctx, ZMQ_IO_THREADS) == 1);
    CHECK (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS) == -1 && zmq_errno () == EINVAL);
    CHECK (zmq_socket (ctx, ZMQ_PUSH) == NULL && zmq_errno () == ENOTSUP);
    CHECK (zmq_socket (parent_ctx, ZMQ_PUSH) == NULL && zmq_errno () == ENOTSUP);
    CHECK (zmq_ctx_term (ctx) == 0);
    CHECK (zmq_ctx_term (ctx) == -1 && zmq_errno () == EFAULT);
    void *old = zmq_init (1);
    CHECK (old != NULL);
    CHECK (zmq_term (old) == 0);
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
    CHECK (zmq_bind (pull, "inproc://fork") == 0);
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    CHECK (zmq_connect (push, "inproc://fork") == 0);

    pid_t pid = fork ();
    if (pid == 0)
        _exit (child (ctx, pull));
    int status = 0;
    CHECK (pid > 0 && waitpid (pid, &status, 0) == pid);
    CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);

    /* The parent's sockets and context are untouched by the child. */
    char buf[8];
    CHECK (zmq_send (push, "after", 5, 0) == 5);
    CHECK (zmq_recv (pull, buf, sizeof buf, 0) == 5 && memcmp (buf, "after", 5) == 0);
    CHECK (zmq_close (push) == 0);
    CHECK (zmq_close (pull) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);
    if (failures == 0)
        printf ("fork: ok\n");
    return failures == 0 ? 0 : 1;
}
