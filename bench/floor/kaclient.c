/*
 * kaclient.c - a keep-alive client for instruction counts (issue 19):
 * sends N requests one after the other on one connection and reads each
 * answer, so a server run under callgrind sees exactly N requests.
 *
 *     kaclient PORT PATH N [BEARER_TOKEN]
 *
 * Exits 0 if every answer was a 200, 1 otherwise (the first bad status
 * line on stderr).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE 65536

/* Reads one answer (head and a Content-Length body) into buf; its length
 * or -1. Assumes no pipelining, so the buffer holds one answer. */
static long read_answer(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    for (;;) {
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end == NULL)
            continue;
        size_t body = 0;
        for (char *p = buf; p < end; p++) {
            if ((p == buf || p[-1] == '\n') && strncasecmp(p, "Content-Length:", 15) == 0)
                body = strtoul(p + 15, NULL, 10);
        }
        size_t want = (size_t)(end + 4 - buf) + body;
        if (want >= cap)
            return -1;
        if (len >= want)
            return (long)len;
    }
}

int main(int argc, char **argv)
{
    static char req[8192], buf[BUF_SIZE];
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: %s PORT PATH N [BEARER_TOKEN]\n", argv[0]);
        return 2;
    }
    long n = strtol(argv[3], NULL, 10);
    int len = snprintf(req, sizeof(req),
                       "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nAccept: application/json\r\n"
                       "%s%s%s\r\n",
                       argv[2], argv[1], argc == 5 ? "Authorization: Bearer " : "",
                       argc == 5 ? argv[4] : "", argc == 5 ? "\r\n" : "");
    if (len <= 0 || (size_t)len >= sizeof(req))
        return 2;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        perror("kaclient: connect");
        return 1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    for (long i = 0; i < n; i++) {
        if (send(fd, req, (size_t)len, MSG_NOSIGNAL) != len ||
            read_answer(fd, buf, sizeof(buf)) < 0) {
            fprintf(stderr, "kaclient: request %ld failed\n", i);
            return 1;
        }
        if (strncmp(buf, "HTTP/1.1 200 ", 13) != 0) {
            fprintf(stderr, "kaclient: %.*s\n", (int)strcspn(buf, "\r"), buf);
            return 1;
        }
    }
    close(fd);
    return 0;
}
