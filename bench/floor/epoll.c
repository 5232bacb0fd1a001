/*
 * epoll.c - floor (c): a minimal HTTP/1.1 server of our own, answering
 * every request with FLOOR_BODY.
 *
 * One epoll loop per thread, each with its own listening socket
 * (SO_REUSEPORT: the kernel spreads the connections). A connection has a
 * fixed 16 KiB buffer (latchkey's header limit): each readable event is
 * one recv, every complete head in the buffer is parsed (pipelining) and
 * answered from a response built once per second (its Date line), and the
 * answers go out in one send. The parser is written in picohttpparser's
 * manner: one pass over the bytes, no copy, the head's pieces as pointers
 * and lengths, strict about what it accepts (CRLF only, no obsolete line
 * folding, token characters in names).
 *
 * What issue 16's hardening needs is here too, to show its cost: a
 * whole-head deadline (slowloris: a head must be complete HEAD_S after it
 * began, however slowly its bytes come, swept once a second) and the
 * framing answers (Content-Length with Transfer-Encoding, two different
 * Content-Length values, a coding other than chunked: 400/501 and close).
 * Chunked bodies are not read (501): the floor's clients send none.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "floor.h"

#define CONN_BUF    ((size_t)16 * 1024)
#define OUT_BUF     ((size_t)16 * 1024)
#define MAX_HEADERS 64
#define MAX_EVENTS  256
#define HEAD_S      10 /* a head's deadline, latchkey's LATCHKEY_HEAD_TIMEOUT default */
#define IDLE_S      30 /* a keep-alive connection's idle time before its next head */
#define RESP_MAX    256

struct header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

struct head {
    const char *method;
    size_t method_len;
    const char *target;
    size_t target_len;
    int minor; /* HTTP/1.minor */
    size_t n_headers;
    struct header headers[MAX_HEADERS];
};

struct conn {
    struct conn *prev;
    struct conn *next;
    int fd;
    bool closing;       /* close once the output is sent */
    int64_t deadline_s; /* the current head must be complete by then */
    size_t len;         /* bytes in buf */
    size_t skip;        /* body bytes still to drop */
    size_t out_len;     /* bytes in out not sent yet */
    size_t out_off;
    char buf[CONN_BUF];
    char out[OUT_BUF];
};

struct worker {
    int ep;
    int lfd;
    int64_t now_s;
    time_t resp_time;
    size_t resp_len;
    char resp[RESP_MAX];
    struct conn *list;
};

static const char bad_request[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                  "Connection: close\r\n\r\n";
static const char not_implemented[] = "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n"
                                      "Connection: close\r\n\r\n";
static const char too_large[] = "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                "Content-Length: 0\r\nConnection: close\r\n\r\n";

/* RFC 9110 tchar. */
static bool is_tchar(unsigned char c)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           (c != '\0' && strchr(extra, c) != NULL);
}

/* A field value's bytes: visible, space, tab, obs-text. */
static bool is_vchar(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/*
 * Parses the head at buf[0..len): its length (through the empty line)
 * when complete, 0 when more bytes are needed, -1 when malformed. The
 * head's pieces point into buf.
 */
static long parse_head(const char *buf, size_t len, struct head *h)
{
    const unsigned char *p = (const unsigned char *)buf, *end = p + len;
    const unsigned char *s = p;
#define NEED(n)                                                                                    \
    do {                                                                                           \
        if (end - p < (n))                                                                         \
            return 0;                                                                              \
    } while (0)
    while (p < end && is_tchar(*p))
        p++;
    NEED(1);
    if (*p != ' ' || p == s)
        return -1;
    h->method = (const char *)s, h->method_len = (size_t)(p - s);
    s = ++p;
    while (p<end && * p> ' ' && *p != 0x7f)
        p++;
    NEED(1);
    if (*p != ' ' || p == s)
        return -1;
    h->target = (const char *)s, h->target_len = (size_t)(p - s);
    p++;
    NEED(10);
    if (memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != '\r' ||
        p[9] != '\n')
        return -1;
    h->minor = p[7] - '0';
    p += 10;
    for (h->n_headers = 0;; h->n_headers++) {
        NEED(2);
        if (p[0] == '\r')
            return p[1] == '\n' ? (long)(p + 2 - (const unsigned char *)buf) : -1;
        if (h->n_headers == MAX_HEADERS)
            return -1;
        struct header *f = &h->headers[h->n_headers];
        for (s = p; p < end && is_tchar(*p); p++)
            ;
        NEED(1);
        if (*p != ':' || p == s) /* also refuses obsolete line folding */
            return -1;
        f->name = (const char *)s, f->name_len = (size_t)(p - s);
        for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
            ;
        for (s = p; p < end && is_vchar(*p); p++)
            ;
        NEED(2);
        if (p[0] != '\r' || p[1] != '\n')
            return -1;
        const unsigned char *e = p;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        f->value = (const char *)s, f->value_len = (size_t)(e - s);
        p += 2;
    }
#undef NEED
}

static bool name_is(const struct header *f, const char *name)
{
    return f->name_len == strlen(name) && strncasecmp(f->name, name, f->name_len) == 0;
}

/*
 * The framing of h (RFC 9112 section 6.3) as latchkey's httpd.c judges it:
 * 0 with *body set, or the status that refuses it. *keep_alive says
 * whether the connection stays open after the answer.
 */
static unsigned framing(const struct head *h, size_t *body, bool *keep_alive)
{
    const struct header *length = NULL;
    unsigned n_coding = 0, n_host = 0;
    *body = 0;
    *keep_alive = h->minor == 1;
    for (size_t i = 0; i < h->n_headers; i++) {
        const struct header *f = &h->headers[i];
        if (name_is(f, "Content-Length")) {
            if (length != NULL && (length->value_len != f->value_len ||
                                   memcmp(length->value, f->value, f->value_len) != 0))
                return 400;
            length = f;
        } else if (name_is(f, "Transfer-Encoding")) {
            n_coding++;
        } else if (name_is(f, "Host")) {
            n_host++;
        } else if (name_is(f, "Connection")) {
            if (f->value_len == 5 && strncasecmp(f->value, "close", 5) == 0)
                *keep_alive = false;
            else if (f->value_len == 10 && strncasecmp(f->value, "keep-alive", 10) == 0)
                *keep_alive = true;
        }
    }
    if ((n_coding > 0 && length != NULL) || n_host > 1 || (n_host == 0 && h->minor == 1))
        return 400;
    if (n_coding > 0)
        return 501; /* chunked bodies are not the floor's business */
    if (length != NULL) {
        size_t n = 0;
        for (size_t i = 0; i < length->value_len; i++) {
            char c = length->value[i];
            if (c < '0' || c > '9' || n > SIZE_MAX / 10 - 1)
                return 400;
            n = n * 10 + (size_t)(c - '0');
        }
        if (length->value_len == 0)
            return 400;
        *body = n;
    }
    return 0;
}

/* The 200 answer, its Date line rebuilt when the second changes. */
static void refresh_response(struct worker *w)
{
    time_t t = time(NULL);
    if (t == w->resp_time)
        return;
    struct tm tm;
    char date[64];
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    int n = snprintf(w->resp, sizeof(w->resp),
                     "HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     date, FLOOR_BODY_LEN, FLOOR_BODY);
    w->resp_len = (size_t)n;
    w->resp_time = t;
}

static void queue_out(struct conn *c, const char *data, size_t len)
{
    if (c->out_len + len > OUT_BUF) {
        c->closing = true; /* a client that pipelines more than we buffer */
        return;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
}

static void refuse(struct conn *c, const char *answer, size_t len)
{
    queue_out(c, answer, len);
    c->closing = true;
    c->len = 0;
}

/* Answers every complete head in c's buffer; keeps the partial rest. */
static void serve_buffer(struct worker *w, struct conn *c)
{
    size_t off = 0;
    while (!c->closing && off < c->len) {
        if (c->skip > 0) {
            size_t n = c->len - off < c->skip ? c->len - off : c->skip;
            off += n, c->skip -= n;
            continue;
        }
        struct head h;
        long n = parse_head(c->buf + off, c->len - off, &h);
        if (n == 0)
            break;
        if (n < 0) {
            refuse(c, bad_request, sizeof(bad_request) - 1);
            return;
        }
        bool keep_alive;
        unsigned status = framing(&h, &c->skip, &keep_alive);
        if (status != 0) {
            refuse(c, status == 501 ? not_implemented : bad_request,
                   status == 501 ? sizeof(not_implemented) - 1 : sizeof(bad_request) - 1);
            return;
        }
        off += (size_t)n;
        refresh_response(w);
        queue_out(c, w->resp, w->resp_len);
        c->closing = c->closing || !keep_alive;
        c->deadline_s = w->now_s + IDLE_S + HEAD_S;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
    if (c->len == CONN_BUF)
        refuse(c, too_large, sizeof(too_large) - 1);
}

static void conn_close(struct worker *w, struct conn *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        w->list = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    close(c->fd); /* also leaves the epoll set */
    free(c);
}

/* Sends what c has queued; false if c was closed. */
static bool flush_out(struct worker *w, struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
            epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev);
            return true; /* reading waits until the answers are out */
        }
        if (n <= 0) {
            conn_close(w, c);
            return false;
        }
        c->out_off += (size_t)n;
    }
    c->out_off = c->out_len = 0;
    if (c->closing) {
        conn_close(w, c);
        return false;
    }
    return true;
}

static void on_readable(struct worker *w, struct conn *c)
{
    ssize_t n = recv(c->fd, c->buf + c->len, CONN_BUF - c->len, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        conn_close(w, c);
        return;
    }
    c->len += (size_t)n;
    serve_buffer(w, c);
    flush_out(w, c);
}

static void on_writable(struct worker *w, struct conn *c)
{
    if (!flush_out(w, c) || c->out_len > 0)
        return;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev);
    serve_buffer(w, c); /* heads that came while the answers waited */
    flush_out(w, c);
}

static void on_accept(struct worker *w)
{
    for (;;) {
        int fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN, or out of descriptors: the next event retries */
        struct conn *c = malloc(sizeof(*c));
        if (c == NULL) {
            close(fd);
            return;
        }
        *c = (struct conn){.fd = fd, .deadline_s = w->now_s + HEAD_S, .next = w->list};
        if (w->list != NULL)
            w->list->prev = c;
        w->list = c;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
            conn_close(w, c);
    }
}

/* Closes every connection whose head is late (slowloris). */
static void sweep(struct worker *w)
{
    struct conn *next;
    for (struct conn *c = w->list; c != NULL; c = next) {
        next = c->next;
        if (c->out_len == 0 && w->now_s >= c->deadline_s)
            conn_close(w, c);
    }
}

static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return ts.tv_sec;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    struct epoll_event events[MAX_EVENTS];
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    if (w->ep < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, w->lfd, &lev) != 0) {
        perror("floor-epoll: epoll");
        exit(1);
    }
    int64_t swept = w->now_s = mono_s();
    for (;;) {
        int n = epoll_wait(w->ep, events, MAX_EVENTS, 1000);
        w->now_s = mono_s();
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c == NULL)
                on_accept(w);
            else if (events[i].events & EPOLLOUT)
                on_writable(w, c);
            else
                on_readable(w, c);
        }
        if (w->now_s != swept) {
            sweep(w);
            swept = w->now_s;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static struct worker workers[FLOOR_THREADS];
    pthread_t threads[FLOOR_THREADS];
    uint16_t port = floor_port(argc, argv);

    floor_block_signals();
    for (int i = 0; i < FLOOR_THREADS; i++) {
        workers[i].lfd = floor_listen(port);
        if (pthread_create(&threads[i], NULL, run, &workers[i]) != 0) {
            perror("floor-epoll: pthread_create");
            return 1;
        }
    }
    floor_wait_signal();
    return 0;
}
