/*
 * beacon_peer: a CZMQ zbeacon for the purezmq beacon interop test.
 *
 * Usage: beacon_peer PORT INTERFACE PAYLOAD-HEX PREFIX-HEX
 *
 * Sets ZSYS_INTERFACE to INTERFACE (may be "" or "*"), configures a zbeacon
 * on PORT, publishes PAYLOAD every 100 ms and subscribes to PREFIX. Writes
 * "HOSTNAME <name>" once, then "BEACON <sender> <payload-hex>" per beacon
 * heard. Stops when its standard input closes, or after 120 s at most.
 *
 * Build: cc beacon_peer.c $(pkg-config --cflags --libs libczmq libzmq)
 */
#include <czmq.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes text into out (at most 255 bytes); returns the length or -1. */
static int from_hex(const char *text, byte *out)
{
    size_t len = strlen(text);
    if (len % 2 != 0 || len / 2 > 255)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        int high = hex_value(text[2 * i]);
        int low = hex_value(text[2 * i + 1]);
        if (high < 0 || low < 0)
            return -1;
        out[i] = (byte) (high * 16 + low);
    }
    return (int) (len / 2);
}

int main(int argc, char *argv[])
{
    if (argc != 5) {
        fprintf(stderr, "usage: beacon_peer PORT INTERFACE PAYLOAD-HEX PREFIX-HEX\n");
        return 2;
    }
    int port = atoi(argv[1]);
    byte payload[255], prefix[255];
    int payload_len = from_hex(argv[3], payload);
    int prefix_len = from_hex(argv[4], prefix);
    if (port <= 0 || payload_len < 0 || prefix_len < 0) {
        fprintf(stderr, "beacon_peer: bad arguments\n");
        return 2;
    }

    zsys_set_interface(argv[2]);
    zactor_t *beacon = zactor_new(zbeacon, NULL);
    if (!beacon)
        return 1;
    zsock_send(beacon, "si", "CONFIGURE", port);
    char *hostname = zstr_recv(beacon);
    printf("HOSTNAME %s\n", hostname ? hostname : "");
    fflush(stdout);
    if (!hostname || !*hostname) {
        zstr_free(&hostname);
        zactor_destroy(&beacon);
        return 1;
    }
    zstr_free(&hostname);

    zsock_send(beacon, "sb", "SUBSCRIBE", prefix, (size_t) prefix_len);
    zsock_send(beacon, "sbi", "PUBLISH", payload, (size_t) payload_len, 100);

    int64_t stop_at = zclock_mono() + 120 * 1000;
    while (zclock_mono() < stop_at) {
        zmq_pollitem_t items[] = {
            { zsock_resolve(beacon), 0, ZMQ_POLLIN, 0 },
            { NULL, 0, ZMQ_POLLIN, 0 },   /* standard input */
        };
        if (zmq_poll(items, 2, 1000) < 0)
            break;
        if (items[1].revents != 0) {
            /* End of input shows as POLLHUP, which zmq_poll reports as
               ZMQ_POLLERR; read() then returns 0. */
            char discard[256];
            if (read(0, discard, sizeof discard) <= 0)
                break;                    /* the test closed our input */
        }
        if (items[0].revents & ZMQ_POLLIN) {
            char *sender = zstr_recv(beacon);
            zframe_t *frame = zframe_recv(beacon);
            if (sender && frame) {
                printf("BEACON %s ", sender);
                byte *data = zframe_data(frame);
                for (size_t i = 0; i < zframe_size(frame); i++)
                    printf("%02x", data[i]);
                printf("\n");
                fflush(stdout);
            }
            zstr_free(&sender);
            zframe_destroy(&frame);
        }
    }
    zsock_send(beacon, "s", "SILENCE");
    zactor_destroy(&beacon);
    return 0;
}
