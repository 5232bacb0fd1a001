/*
 * test_log.c - the line logger, unbuffered (the CLI) and buffered (serve).
 *
 * Each test points fd 2 at a temp file (or a pipe it drains itself) and
 * reads back what reached it: whole lines, per thread in order, written by
 * the interval, at once for warnings, all of them at log_flush(), lines cut
 * at LOG_LINE_MAX as before, and lines dropped and counted (never blocking
 * the logging thread) while stderr does not take data.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/log.h"

static int saved_stderr = -1;
static char capture_path[64];

static int capture_start(void **state)
{
    (void)state;
    snprintf(capture_path, sizeof(capture_path), "/tmp/latchkey-log-XXXXXX");
    int fd = mkstemp(capture_path);
    if (fd < 0)
        return -1;
    saved_stderr = dup(STDERR_FILENO);
    if (saved_stderr < 0 || dup2(fd, STDERR_FILENO) < 0)
        return -1;
    close(fd);
    log_set_level(LOG_INFO);
    return 0;
}

static int capture_stop(void **state)
{
    (void)state;
    log_buffering_stop();
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    unlink(capture_path);
    return 0;
}

/* Everything written to the capture file so far, NUL-terminated (owned). */
static char *captured(size_t *len)
{
    FILE *f = fopen(capture_path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t r;
    while ((r = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2) {
            cap *= 2;
            s = realloc(s, cap);
            assert_non_null(s);
        }
    }
    fclose(f);
    s[n] = '\0';
    if (len != NULL)
        *len = n;
    return s;
}

static bool captured_has(const char *needle)
{
    char *s = captured(NULL);
    bool has = strstr(s, needle) != NULL;
    free(s);
    return has;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Checks that s is made of whole lines, each "YYYY-MM-DDTHH:MM:SS.mmmZ
 * level=L ..."; returns how many. */
static size_t check_lines(const char *s, size_t len)
{
    size_t lines = 0;
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        assert_true(nl - p >= 31);
        assert_true(nl - p < LOG_LINE_MAX);
        assert_int_equal(p[10], 'T');
        assert_memory_equal(p + 23, "Z level=", 8);
        p = nl + 1;
        lines++;
    }
    return lines;
}

static void unbuffered_lines_are_written_at_once(void **state)
{
    (void)state;
    log_info("event=one n=%d", 1);
    assert_true(captured_has("Z level=info event=one n=1\n"));
    log_text(LOG_INFO, "req=r1 path=/x", 14);
    assert_true(captured_has("Z level=info req=r1 path=/x\n"));
    log_debug("event=hidden");
    errno = ENOENT;
    log_warn("event=open file=%s", "x");
    assert_int_equal(errno, ENOENT);
    char *s = captured(NULL);
    assert_null(strstr(s, "hidden"));
    assert_non_null(
        strstr(s, "level=warn event=open file=x error=\"No such file or directory\"\n"));
    assert_int_equal(check_lines(s, strlen(s)), 3);
    free(s);
}

/* Lines over LOG_LINE_MAX are cut as before, newline kept, in both modes:
 * printf forms to LOG_LINE_MAX - 63 bytes (room kept for the error text),
 * log_text to LOG_LINE_MAX. */
static void long_lines_are_cut(bool buffered)
{
    if (buffered)
        assert_int_equal(log_buffering_start(10000), 0);
    char *big = malloc(5000);
    assert_non_null(big);
    memset(big, 'a', 4999);
    big[4999] = '\0';
    log_info("event=long text=%s", big);
    log_text(LOG_INFO, big, 4999);
    errno = EACCES;
    log_warn("event=long text=%s", big);
    free(big);
    log_flush();
    size_t len;
    char *s = captured(&len);
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        size_t line = (size_t)(nl - p) + 1;
        if (i == 0)
            assert_int_equal(line, LOG_LINE_MAX - 63);
        else if (i == 1)
            assert_int_equal(line, LOG_LINE_MAX);
        else
            assert_true(line <= LOG_LINE_MAX);
        p = nl + 1;
    }
    assert_non_null(strstr(s, "aaa error=\"Permission denied\"\n"));
    assert_int_equal(check_lines(s, len), 3);
    free(s);
}

static void long_lines_are_cut_unbuffered(void **state)
{
    (void)state;
    long_lines_are_cut(false);
}

static void long_lines_are_cut_buffered(void **state)
{
    (void)state;
    long_lines_are_cut(true);
}

#define THREADS    4
#define PER_THREAD 1500

static void *log_many(void *arg)
{
    int t = (int)(intptr_t)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        if (i % 2 == 0)
            log_info("event=many t=%d i=%d pad=%0*d", t, i, i % 16, 0);
        else {
            char text[96];
            int n = snprintf(text, sizeof(text), "event=many t=%d i=%d", t, i);
            log_text(LOG_INFO, text, (size_t)n);
        }
    }
    return NULL;
}

/* Several threads at once: every line whole, each thread's in order, none
 * lost (THREADS * PER_THREAD lines, about 400 KB, fit in LOG_BUFFER_MAX even
 * if the writer thread never ran). */
static void threads_lines_whole_and_in_order(void **state)
{
    (void)state;
    assert_int_equal(log_buffering_start(20), 0);
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, log_many, (void *)(intptr_t)t), 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    log_buffering_stop();
    assert_int_equal(log_dropped_total(), 0);
    size_t len;
    char *s = captured(&len);
    assert_int_equal(check_lines(s, len), THREADS * PER_THREAD);
    int next[THREADS] = {0};
    for (char *line = strtok(s, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        int t = -1, i = -1;
        const char *ev = strstr(line, "event=many ");
        assert_non_null(ev);
        assert_int_equal(sscanf(ev, "event=many t=%d i=%d", &t, &i), 2);
        assert_true(t >= 0 && t < THREADS);
        assert_int_equal(i, next[t]);
        next[t]++;
    }
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(next[t], PER_THREAD);
    free(s);
}

/* An info line waits for the interval, then is written with no further
 * logging. */
static void written_within_the_interval(void **state)
{
    (void)state;
    const long interval = 300;
    assert_int_equal(log_buffering_start((unsigned)interval), 0);
    int64_t t0 = now_ms();
    log_info("event=later");
    bool early = captured_has("event=later");
    int64_t checked = now_ms() - t0;
    while (!captured_has("event=later") && now_ms() - t0 < interval + 2000)
        sleep_ms(5);
    int64_t took = now_ms() - t0;
    assert_true(captured_has("event=later"));
    /* Buffered: not there at once (unless this thread stalled that long). */
    if (checked < interval / 2)
        assert_false(early);
    assert_true(took >= interval / 2);
    assert_true(took < interval + 2000);
    /* The writer thread waits again for the next line: a second one too. */
    log_info("event=again");
    t0 = now_ms();
    while (!captured_has("event=again") && now_ms() - t0 < interval + 2000)
        sleep_ms(5);
    assert_true(captured_has("event=again"));
}

/* A warning is written at once, after the info lines logged before it. */
static void warn_writes_at_once_in_order(void **state)
{
    (void)state;
    assert_int_equal(log_buffering_start(10000), 0);
    log_info("event=first");
    log_text(LOG_INFO, "event=second", 12);
    assert_false(captured_has("event=first"));
    log_warnx("event=third");
    char *s = captured(NULL);
    const char *a = strstr(s, "level=info event=first\n");
    const char *b = strstr(s, "level=info event=second\n");
    const char *c = strstr(s, "level=warn event=third\n");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_true(a < b && b < c);
    free(s);
    log_error("event=fourth");
    assert_true(captured_has("level=error event=fourth\n"));
}

/* log_flush() writes everything logged before it; stop writes the rest and
 * goes back to one write per line. */
static void flush_writes_everything(void **state)
{
    (void)state;
    assert_int_equal(log_buffering_start(10000), 0);
    for (int i = 0; i < 500; i++)
        log_info("event=flush i=%d", i);
    assert_false(captured_has("event=flush i=0\n"));
    log_flush();
    size_t len;
    char *s = captured(&len);
    assert_int_equal(check_lines(s, len), 500);
    assert_non_null(strstr(s, "event=flush i=499\n"));
    free(s);
    log_info("event=pending");
    log_buffering_stop();
    assert_true(captured_has("event=pending\n"));
    log_info("event=direct");
    assert_true(captured_has("event=direct\n"));
    log_flush(); /* a no-op when not buffering */
}

/* Passing LOG_BUFFER_FLUSH_AT starts a write before the interval. */
static void size_triggers_a_write(void **state)
{
    (void)state;
    assert_int_equal(log_buffering_start(10000), 0);
    char pad[200];
    memset(pad, 'p', sizeof(pad) - 1);
    pad[sizeof(pad) - 1] = '\0';
    int n = LOG_BUFFER_FLUSH_AT / 200 + 10;
    for (int i = 0; i < n; i++)
        log_info("event=size i=%d pad=%s", i, pad);
    int64_t t0 = now_ms();
    while (!captured_has("event=size i=0 ") && now_ms() - t0 < 5000)
        sleep_ms(5);
    assert_true(captured_has("event=size i=0 "));
    assert_true(now_ms() - t0 < 5000);
}

struct drain {
    int fd;
    char *data;
    size_t len, cap;
};

static void *drain_pipe(void *arg)
{
    struct drain *d = arg;
    for (;;) {
        if (d->cap - d->len < 65536) {
            d->cap = d->cap * 2 + 65536;
            d->data = realloc(d->data, d->cap);
            if (d->data == NULL)
                return NULL;
        }
        ssize_t r = read(d->fd, d->data + d->len, d->cap - d->len - 1);
        if (r <= 0)
            break;
        d->len += (size_t)r;
    }
    d->data[d->len] = '\0';
    return NULL;
}

/* A stderr that takes no data: info lines never block, the buffer stops at
 * LOG_BUFFER_MAX and the rest is counted; once stderr drains, the count is
 * written as its own line before the next one, and no line is split. */
static void full_buffer_drops_and_counts(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_true(fcntl(p[1], F_SETPIPE_SZ, 4096) > 0);
    assert_true(dup2(p[1], STDERR_FILENO) >= 0);
    close(p[1]);
    unsigned long long before = log_dropped_total();
    assert_int_equal(log_buffering_start(10), 0);
    char pad[1800];
    memset(pad, 'd', sizeof(pad) - 1);
    pad[sizeof(pad) - 1] = '\0';
    const int n = 2 * LOG_BUFFER_MAX / 1800;
    int64_t t0 = now_ms();
    for (int i = 0; i < n; i++)
        log_info("event=fill i=%d pad=%s", i, pad);
    assert_true(now_ms() - t0 < 5000); /* nothing blocked */
    unsigned long long dropped = log_dropped_total() - before;
    assert_true(dropped > 0);
    assert_true(dropped < (unsigned long long)n);

    struct drain d = {.fd = p[0]};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, drain_pipe, &d), 0);
    /* The flush writes what the buffer held, then the count. */
    log_flush();
    log_info("event=after");
    log_buffering_stop();
    /* Closing our last write end ends the reader. */
    assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
    pthread_join(th, NULL);
    close(p[0]);
    assert_non_null(d.data);
    assert_int_equal(log_dropped_total() - before, dropped);
    size_t lines = check_lines(d.data, d.len);
    char want[64];
    snprintf(want, sizeof(want), "level=warn event=log_dropped lines=%llu\n", dropped);
    const char *report = strstr(d.data, want);
    const char *after = strstr(d.data, "level=info event=after\n");
    assert_non_null(report);
    assert_non_null(after);
    assert_true(report < after);
    /* Every line logged is either there or counted. */
    assert_int_equal(lines, (size_t)n - dropped + 2);
    free(d.data);
}

/* JSON lines: the fields of the text line, escaped; control characters,
 * quotes, backslashes and invalid UTF-8 never break the object. */
static void json_lines_escape_every_value(void **state)
{
    (void)state;
    log_set_format(LOG_FORMAT_JSON);
    log_info("store event=open n=42 ms=0.25 neg=-3 zero=0 lead=007 msg=\"a = b\" "
             "ctl=%s bad=%s utf=%s empty=",
             "x\001y\ttab", "\xff\xfe", "caf\xc3\xa9");
    log_warnx("msg=\"%s\"", "back\\slash");
    log_set_format(LOG_FORMAT_TEXT);
    char *s = captured(NULL);
    assert_non_null(strstr(s,
                           "\"level\":\"info\",\"component\":\"store\",\"event\":\"open\","
                           "\"n\":42,\"ms\":0.25,\"neg\":-3,\"zero\":0,\"lead\":\"007\","
                           "\"msg\":\"a = b\",\"ctl\":\"x\\u0001y\\u0009tab\","
                           "\"bad\":\"\\ufffd\\ufffd\",\"utf\":\"caf\xc3\xa9\",\"empty\":\"\"}\n"));
    assert_non_null(strstr(s, "\"level\":\"warn\",\"msg\":\"back\\\\slash\"}\n"));
    assert_int_equal(strncmp(s, "{\"time\":\"", 9), 0);
    free(s);
}

/* A line too long for the JSON buffer loses fields, never its end. */
static void json_long_lines_stay_objects(void **state)
{
    (void)state;
    char big[LOG_LINE_MAX];
    memset(big, 1, sizeof(big) - 1); /* each becomes \u0001: six times longer */
    big[sizeof(big) - 1] = '\0';
    log_set_format(LOG_FORMAT_JSON);
    log_info("a=1 b=%s", big);
    log_set_format(LOG_FORMAT_TEXT);
    char *s = captured(NULL);
    assert_non_null(strstr(s, "\"a\":1}\n"));
    free(s);
}

/* log_reopen: after a rename, lines go to a new file at the path. */
static void reopen_follows_a_rename(void **state)
{
    (void)state;
    char path[64], moved[80];
    snprintf(path, sizeof(path), "/tmp/latchkey-logfile-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(log_open_file(path), 0);
    log_info("event=before");
    snprintf(moved, sizeof(moved), "%s.1", path);
    assert_int_equal(rename(path, moved), 0);
    log_info("event=renamed");
    assert_int_equal(log_reopen(), 0);
    log_info("event=after");
    char buf[4096];
    FILE *f = fopen(moved, "r");
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "event=before"));
    assert_non_null(strstr(buf, "event=renamed"));
    assert_null(strstr(buf, "event=after"));
    f = fopen(path, "r");
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "event=after"));
    unlink(path);
    unlink(moved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(unbuffered_lines_are_written_at_once, capture_start,
                                        capture_stop),
        cmocka_unit_test_setup_teardown(long_lines_are_cut_unbuffered, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(long_lines_are_cut_buffered, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(threads_lines_whole_and_in_order, capture_start,
                                        capture_stop),
        cmocka_unit_test_setup_teardown(written_within_the_interval, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(warn_writes_at_once_in_order, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(flush_writes_everything, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(size_triggers_a_write, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(full_buffer_drops_and_counts, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(json_lines_escape_every_value, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(json_long_lines_stay_objects, capture_start, capture_stop),
        cmocka_unit_test_setup_teardown(reopen_follows_a_rename, capture_start, capture_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
