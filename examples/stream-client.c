/*
 * stream-client.c - read SMTP replies from a socket-like stream, a few bytes at a time.
 *
 *   stream-client data/transcript.txt [BYTES_PER_READ]
 *
 * An SMTP client reads replies from a TCP socket, and recv() may hand over any
 * number of bytes: half a line, or the end of one reply and the start of the next.
 * smtp_reply_parse_stream says SMTP_REPLY_E_INCOMPLETE until a reply's final line
 * (and its line break) has arrived, and then tells in reply.consumed how many bytes
 * the reply used, so the rest stays in the buffer.  Its state (smtp_reply_stream)
 * remembers how far it has looked, so each call examines only the bytes that are
 * new: a server that drips a long reply one byte at a time costs linear time.
 *
 * To stay self-contained, this program takes the server's side of a recorded
 * session ("S: " lines of the transcript, each sent with CRLF) and feeds it to the
 * receive buffer BYTES_PER_READ bytes at a time (default 7), as a slow network would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smtpreply.h>

static char wire[1 << 16]; /* the bytes the server sent */
static size_t wire_len;

static int load_transcript(const char *path)
{
    char line[2048];
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "S: ", 3) != 0)
            continue; /* client lines and comments */
        size_t n = strcspn(line + 3, "\r\n");
        if (wire_len + n + 2 > sizeof wire)
            break;
        memcpy(wire + wire_len, line + 3, n);
        memcpy(wire + wire_len + n, "\r\n", 2);
        wire_len += n + 2;
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s TRANSCRIPT [BYTES_PER_READ]\n", argv[0]);
        return 2;
    }
    size_t chunk = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 7;
    if (chunk == 0 || load_transcript(argv[1]) < 0)
        return 2;

    char rbuf[8192];       /* the client's receive buffer */
    size_t have = 0;       /* bytes in rbuf */
    size_t sent = 0;       /* bytes of wire[] delivered so far */
    unsigned reads = 0, replies = 0, waits = 0;
    smtp_reply_stream st;  /* how far the parser has looked into rbuf */
    smtp_reply_stream_init(&st);

    while (sent < wire_len) {
        /* "recv()": up to chunk bytes arrive */
        size_t n = wire_len - sent;
        if (n > chunk)
            n = chunk;
        if (n > sizeof rbuf - have) {
            fprintf(stderr, "reply longer than the receive buffer\n");
            return 1;
        }
        memcpy(rbuf + have, wire + sent, n);
        have += n;
        sent += n;
        reads++;

        /* take every complete reply out of the buffer */
        while (have > 0) {
            smtp_reply reply;
            int err = smtp_reply_parse_stream(&st, rbuf, have, &reply);
            if (err == SMTP_REPLY_E_INCOMPLETE) {
                waits++; /* not all there yet: read more */
                break;
            }
            if (err != SMTP_REPLY_OK) {
                printf("protocol error: %s\n", smtp_reply_error_name(err));
                return 1;
            }
            smtp_reply_result result;
            if (smtp_reply_classify(rbuf, have, &reply, &result) != SMTP_REPLY_OK)
                return 1;
            replies++;
            printf("reply %u after read %u: %d", replies, reads, (int)reply.code);
            if (reply.enhanced[0])
                printf(" %u.%u.%u", reply.enhanced[0], reply.enhanced[1], reply.enhanced[2]);
            printf(" %s, %u line%s, %zu bytes\n", smtp_reply_category_name(result.category),
                   (unsigned)reply.nlines, reply.nlines == 1 ? "" : "s", reply.consumed);

            /* drop the reply; what follows it stays for the next round (the
             * state was reset for the reply that starts there) */
            memmove(rbuf, rbuf + reply.consumed, have - reply.consumed);
            have -= reply.consumed;
        }
    }
    printf("%u replies from %zu bytes in %u reads of %zu bytes (%u times incomplete, %llu bytes examined)\n",
           replies, wire_len, reads, chunk, waits, (unsigned long long)st.examined);
    if (have) {
        printf("connection closed inside a reply (%zu bytes left)\n", have);
        return 1;
    }
    return 0;
}
