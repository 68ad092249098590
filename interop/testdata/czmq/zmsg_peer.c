/* A command-line peer for purezmq's Msg interop test: it runs CZMQ's
   zmsg_encode, zmsg_decode, zmsg_save and zmsg_load on frames given in hex
   ("-" is an empty frame) and prints results in hex, so the Go test can
   compare both implementations byte for byte.

     zmsg_peer encode HEX...      prints the encoded bytes
     zmsg_peer decode HEX         prints the frames, or NULL
     zmsg_peer save FILE HEX...   writes the frames with zmsg_save
     zmsg_peer load FILE          prints the frames zmsg_load reads, or NULL
*/
#include <czmq.h>
#include <stdio.h>
#include <string.h>

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* frame_from_hex returns a frame of the bytes hex spells. */
static zframe_t *frame_from_hex(const char *hex) {
    if (strcmp(hex, "-") == 0)
        return zframe_new(NULL, 0);
    size_t n = strlen(hex) / 2;
    zframe_t *f = zframe_new(NULL, n);
    byte *d = zframe_data(f);
    for (size_t i = 0; i < n; i++)
        d[i] = (byte) (hexval(hex[2 * i]) * 16 + hexval(hex[2 * i + 1]));
    return f;
}

static void print_hex(const byte *d, size_t n) {
    if (n == 0) {
        printf("-");
        return;
    }
    for (size_t i = 0; i < n; i++)
        printf("%02x", d[i]);
}

static void print_msg(zmsg_t *m) {
    if (!m) {
        printf("NULL\n");
        return;
    }
    printf("MSG");
    for (zframe_t *f = zmsg_first(m); f; f = zmsg_next(m)) {
        printf(" ");
        print_hex(zframe_data(f), zframe_size(f));
    }
    printf("\n");
}

static zmsg_t *msg_from_args(int argc, char **argv) {
    zmsg_t *m = zmsg_new();
    for (int i = 0; i < argc; i++) {
        zframe_t *f = frame_from_hex(argv[i]);
        zmsg_append(m, &f);
    }
    return m;
}

int main(int argc, char **argv) {
    if (argc < 2)
        return 2;
    if (strcmp(argv[1], "encode") == 0) {
        zmsg_t *m = msg_from_args(argc - 2, argv + 2);
        zframe_t *enc = zmsg_encode(m);
        print_hex(zframe_data(enc), zframe_size(enc));
        printf("\n");
        zframe_destroy(&enc);
        zmsg_destroy(&m);
    } else if (strcmp(argv[1], "decode") == 0 && argc == 3) {
        zframe_t *f = frame_from_hex(argv[2]);
        zmsg_t *m = zmsg_decode(f);
        print_msg(m);
        zmsg_destroy(&m);
        zframe_destroy(&f);
    } else if (strcmp(argv[1], "save") == 0 && argc >= 3) {
        FILE *file = fopen(argv[2], "wb");
        zmsg_t *m = msg_from_args(argc - 3, argv + 3);
        int rc = zmsg_save(m, file);
        fclose(file);
        zmsg_destroy(&m);
        printf(rc == 0 ? "SAVED\n" : "ERROR\n");
    } else if (strcmp(argv[1], "load") == 0 && argc == 3) {
        FILE *file = fopen(argv[2], "rb");
        zmsg_t *m = zmsg_load(file);
        fclose(file);
        print_msg(m);
        zmsg_destroy(&m);
    } else
        return 2;
    return 0;
}
