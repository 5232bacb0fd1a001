/*
 * log.c - line logger. The level is set once at start-up (before threads)
 * and read without a lock afterwards.
 *
 * Each thread keeps the date and time of its last line (to the second) so
 * that a line formats its timestamp without gmtime_r and strftime: the
 * access log writes one line per request.
 *
 * Unbuffered (the default, and the CLI's mode): every line is one write(2),
 * no lock. Buffered (log_buffering_start, used by serve): a line is still
 * formatted on the caller's stack, then copied under lb.lock to the end of
 * lb.fill, so the buffer holds whole lines in the order they were logged.
 * A single writer at a time (the one that set lb.writing) swaps lb.fill
 * with the empty lb.out under the lock and writes it outside the lock;
 * the next writer waits for lb.done, so chunks reach stderr in order and
 * never interleave. The writer thread does the writes that are due by size
 * or age; a warn or error line is written by the thread that logs it,
 * together with the lines before it; log_flush() writes on the caller's
 * thread. Request threads therefore never wait for a slow stderr on info
 * lines: when lb.fill is full they drop the line and count it.
 *
 * The buffers and their lock are process-wide like stderr itself (the one
 * exception to "state lives in struct server": logging starts before the
 * server exists and ends after it is gone). lb.lock guards every field of
 * lb and the contents of both chunks; `buffering` is also read without the
 * lock on the fast path and only changed under it.
 */
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"

static enum log_level min_level = LOG_INFO;
static enum log_format format = LOG_FORMAT_TEXT;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
    min_level = level;
}

void log_set_format(enum log_format f)
{
    format = f;
}

bool log_enabled(enum log_level level)
{
    return level >= min_level;
}

bool log_level_parse(const char *s, enum log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return true;
        }
    }
    return false;
}

/* This thread's last second and its text ("2026-04-30T18:10:01"). */
static _Thread_local time_t stamp_sec = -1;
static _Thread_local char stamp_text[64];
static _Thread_local size_t stamp_len;

/* Writes "2026-04-30T18:10:01.123Z level=info " into line; returns its length. */
static size_t prefix(char *line, enum log_level level)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != stamp_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        int n = snprintf(stamp_text, sizeof(stamp_text), "%04d-%02d-%02dT%02d:%02d:%02d",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                         tm.tm_sec);
        stamp_len = n > 0 ? (size_t)n : 0;
        stamp_sec = ts.tv_sec;
    }
    size_t len = stamp_len;
    memcpy(line, stamp_text, len);
    long ms = ts.tv_nsec / 1000000;
    line[len++] = '.';
    line[len++] = (char)('0' + ms / 100);
    line[len++] = (char)('0' + ms / 10 % 10);
    line[len++] = (char)('0' + ms % 10);
    memcpy(line + len, "Z level=", 8);
    len += 8;
    size_t nl = strlen(level_names[level]);
    memcpy(line + len, level_names[level], nl);
    len += nl;
    line[len++] = ' ';
    return len;
}

static size_t to_json(const char *line, size_t len, char *out);

/* Room kept free after LOG_BUFFER_MAX for the drop report. */
#define REPORT_MAX 128
/* How long a write waits for a non-blocking stderr to take data. */
#define WRITE_WAIT_MS 1000

struct chunk {
    char data[LOG_BUFFER_MAX + REPORT_MAX];
    size_t len;
};

static struct chunk chunks[2];
static atomic_bool buffering;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* to the writer thread: a first line, a write due, or stop */
    pthread_cond_t done; /* lb.writing went false */
    struct chunk *fill;  /* the lines waiting, appended to */
    struct chunk *out;   /* empty, or being written by the thread that set writing */
    bool writing;
    bool due;  /* fill passed LOG_BUFFER_FLUSH_AT */
    bool idle; /* the writer thread waits for a first line */
    bool stop;
    bool started_once;
    unsigned flush_ms;
    unsigned long long dropped; /* lines lost and not yet reported */
    unsigned long long dropped_total;
    pthread_t thread;
    pid_t pid;
} lb = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
    .fill = &chunks[0],
    .out = &chunks[1],
};

/* Writes p[0..n) to stderr, continuing short writes; returns the bytes written. */
static size_t write_all(const char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(STDERR_FILENO, p + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        /* Someone sharing our stderr made it non-blocking: wait, boundedly. */
        struct pollfd pfd = {.fd = STDERR_FILENO, .events = POLLOUT};
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && poll(&pfd, 1, WRITE_WAIT_MS) > 0)
            continue;
        break;
    }
    return done;
}

static size_t count_lines(const char *p, size_t n)
{
    size_t k = 0;
    const char *end = p + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        k++;
        p++;
    }
    return k;
}

/* Appends "event=log_dropped lines=N" to lb.fill, which has REPORT_MAX
 * bytes of room at least. Lock held. */
static void report_dropped_locked(void)
{
    char text[REPORT_MAX], json[LOG_LINE_MAX * 2];
    size_t len = prefix(text, LOG_WARN);
    int m = snprintf(text + len, REPORT_MAX - len, "event=log_dropped lines=%llu\n", lb.dropped);
    lb.dropped = 0;
    if (m <= 0 || (size_t)m >= REPORT_MAX - len)
        return;
    len += (size_t)m;
    const char *line = text;
    if (format == LOG_FORMAT_JSON) {
        len = to_json(text, len, json);
        line = json;
    }
    if (len <= REPORT_MAX) {
        memcpy(lb.fill->data + lb.fill->len, line, len);
        lb.fill->len += len;
    }
}

/* Appends a line to lb.fill, or counts it as dropped if lb.fill is full.
 * Returns true if the writer thread must be woken (its first line, or the
 * size is reached): the caller signals after unlocking, so that the woken
 * thread does not block on the lock at once. Lock held. */
static bool append_locked(const char *line, size_t len)
{
    struct chunk *c = lb.fill;
    if (lb.dropped > 0 && c->len + REPORT_MAX + len <= LOG_BUFFER_MAX)
        report_dropped_locked();
    if (c->len + len > LOG_BUFFER_MAX) {
        lb.dropped++;
        lb.dropped_total++;
        return false;
    }
    bool first = c->len == 0;
    memcpy(c->data + c->len, line, len);
    c->len += len;
    if (first && lb.idle)
        return true;
    if (c->len >= LOG_BUFFER_FLUSH_AT && !lb.due) {
        lb.due = true;
        return true;
    }
    return false;
}

/* Writes every line in lb.fill (and a pending drop report) after the write
 * in progress, if any. Called and returns with lb.lock held; releases it
 * during the write so that other threads keep appending. */
static void write_pending_locked(void)
{
    while (lb.writing)
        pthread_cond_wait(&lb.done, &lb.lock);
    if (lb.dropped > 0)
        report_dropped_locked();
    lb.due = false;
    struct chunk *c = lb.fill;
    if (c->len == 0)
        return;
    lb.fill = lb.out;
    lb.out = c;
    lb.writing = true;
    pthread_mutex_unlock(&lb.lock);
    size_t n = write_all(c->data, c->len);
    size_t lost = count_lines(c->data + n, c->len - n);
    pthread_mutex_lock(&lb.lock);
    lb.dropped += lost;
    lb.dropped_total += lost;
    c->len = 0;
    lb.writing = false;
    pthread_cond_broadcast(&lb.done);
}

/* The writer thread: sleeps while nothing is pending; once a line arrives,
 * writes after flush_ms, or sooner when the buffer passes its size. A drop
 * count with no line to follow waits for the next line (a broken stderr
 * would otherwise be retried forever). */
static void *writer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lb.lock);
    while (!lb.stop) {
        if (lb.fill->len == 0) {
            lb.idle = true;
            pthread_cond_wait(&lb.wake, &lb.lock);
            lb.idle = false;
            continue;
        }
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += lb.flush_ms / 1000;
        deadline.tv_nsec += (long)(lb.flush_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        while (!lb.stop && !lb.due) {
            if (pthread_cond_timedwait(&lb.wake, &lb.lock, &deadline) == ETIMEDOUT)
                break;
        }
        write_pending_locked();
    }
    pthread_mutex_unlock(&lb.lock);
    return NULL;
}

/* One complete line (newline included) to stderr, now or through the buffer. */
static void put_line(enum log_level level, const char *line, size_t len)
{
    if (atomic_load_explicit(&buffering, memory_order_acquire)) {
        pthread_mutex_lock(&lb.lock);
        if (atomic_load_explicit(&buffering, memory_order_relaxed)) {
            bool wake = append_locked(line, len);
            if (level >= LOG_WARN)
                write_pending_locked();
            pthread_mutex_unlock(&lb.lock);
            if (wake)
                pthread_cond_signal(&lb.wake);
            return;
        }
        pthread_mutex_unlock(&lb.lock);
    }
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

void log_flush(void)
{
    if (!atomic_load_explicit(&buffering, memory_order_acquire))
        return;
    int saved = errno;
    pthread_mutex_lock(&lb.lock);
    write_pending_locked();
    pthread_mutex_unlock(&lb.lock);
    errno = saved;
}

/* At exit (fatal, or a library's exit()): what is pending, by this process
 * only (a forked child has a copy of the buffer). */
static void flush_at_exit(void)
{
    if (getpid() == lb.pid)
        log_flush();
}

int log_buffering_start(unsigned flush_ms)
{
    if (flush_ms == 0 || atomic_load(&buffering))
        return 0;
    if (flush_ms > 60000)
        flush_ms = 60000;
    if (!lb.started_once) {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&lb.wake, &ca);
        pthread_condattr_destroy(&ca);
        lb.pid = getpid();
        atexit(flush_at_exit);
        lb.started_once = true;
    }
    lb.flush_ms = flush_ms;
    lb.stop = false;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&lb.thread, NULL, writer_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return ERR_NOMEM;
    pthread_mutex_lock(&lb.lock);
    atomic_store(&buffering, true);
    pthread_mutex_unlock(&lb.lock);
    return 0;
}

void log_buffering_stop(void)
{
    if (!atomic_load(&buffering))
        return;
    int saved = errno;
    pthread_mutex_lock(&lb.lock);
    lb.stop = true;
    pthread_cond_signal(&lb.wake);
    pthread_mutex_unlock(&lb.lock);
    pthread_join(lb.thread, NULL);
    pthread_mutex_lock(&lb.lock);
    /* Lines logged during the last write are written too; then the switch
     * happens under the lock, so no line is left behind in the buffer. */
    do
        write_pending_locked();
    while (lb.fill->len > 0);
    atomic_store(&buffering, false);
    pthread_mutex_unlock(&lb.lock);
    errno = saved;
}

unsigned long long log_dropped_total(void)
{
    pthread_mutex_lock(&lb.lock);
    unsigned long long n = lb.dropped_total;
    pthread_mutex_unlock(&lb.lock);
    return n;
}

/* JSON output: a bounded writer that never splits an escape. */
struct jout {
    char *p;
    char *end; /* room for the closing "}\n" is kept past it */
};

static bool jput(struct jout *o, const char *s, size_t n)
{
    if (n > (size_t)(o->end - o->p))
        return false;
    memcpy(o->p, s, n);
    o->p += n;
    return true;
}

/* The length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t k = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (s[0] >= 0xf8 || k == 0 || k > n)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    }
    return k;
}

/* Writes s[0..n) as the inside of a JSON string: quotes, backslashes and
 * control characters escaped, invalid UTF-8 replaced by U+FFFD. */
static bool jstr(struct jout *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        bool ok;
        if (c == '"' || c == '\\')
            ok = jput(o, (char[]){'\\', (char)c}, 2);
        else if (c < 0x20 || c == 0x7f)
            ok = jput(o, e, 6);
        else if (c < 0x80)
            ok = jput(o, (const char *)&c, 1);
        else {
            size_t k = utf8_len((const unsigned char *)s + i, n - i);
            ok = k > 0 ? jput(o, s + i, k) : jput(o, "\\ufffd", 6);
            i += k > 0 ? k - 1 : 0;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* True if s[0..n) is a JSON number as the text lines print them: an
 * integer without leading zeros, optionally with decimals. */
static bool is_number(const char *s, size_t n)
{
    size_t i = s[0] == '-' ? 1 : 0;
    size_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (digits == 0 || digits > 18 || (digits > 1 && s[i - digits] == '0'))
        return false;
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    return i == n;
}

/* Writes one "key=value" or "key=\"quoted value\"" field of text at *pos as
 * ,"key":value; a word without '=' is a "component" ("store", "mail").
 * Advances *pos past it. A quoted value ends at the next quote: the text
 * lines never put a quote inside one (callers replace them), and a
 * backslash in it is a backslash. */
static bool json_field(struct jout *o, const char *t, size_t n, size_t *pos)
{
    size_t i = *pos, k = i;
    while (k < n && t[k] != '=' && t[k] != ' ')
        k++;
    if (k == n || t[k] == ' ') {
        *pos = k;
        return jput(o, ",\"component\":\"", 14) && jstr(o, t + i, k - i) && jput(o, "\"", 1);
    }
    if (!jput(o, ",\"", 2) || !jstr(o, t + i, k - i) || !jput(o, "\":", 2))
        return false;
    size_t v = ++k;
    bool quoted = v < n && t[v] == '"';
    if (quoted) {
        v++;
        k = v;
        while (k < n && t[k] != '"')
            k++;
    } else {
        while (k < n && t[k] != ' ')
            k++;
    }
    *pos = k + (quoted && k < n);
    if (!quoted && k > v && is_number(t + v, k - v))
        return jput(o, t + v, k - v);
    return jput(o, "\"", 1) && jstr(o, t + v, k - v) && jput(o, "\"", 1);
}

/* Converts a text line (prefix(), then key=value fields, then '\n') into
 * a JSON object with the same fields in out[LOG_LINE_MAX * 2]; returns its
 * length. A line too long for out loses its last fields, never its end. */
static size_t to_json(const char *line, size_t len, char *out)
{
    struct jout o = {.p = out, .end = out + LOG_LINE_MAX * 2 - 2};
    const char *sp = memchr(line, ' ', len);
    size_t ts = sp != NULL ? (size_t)(sp - line) : 0;
    jput(&o, "{\"time\":\"", 9);
    jstr(&o, line, ts);
    jput(&o, "\",\"level\":\"", 11);
    const char *lv = line + ts + 7; /* past " level=" */
    const char *lend = memchr(lv, ' ', len - (size_t)(lv - line));
    size_t body = lend != NULL ? (size_t)(lend - line) + 1 : len;
    jstr(&o, lv, body - 1 - (size_t)(lv - line));
    jput(&o, "\"", 1);
    size_t n = len > 0 && line[len - 1] == '\n' ? len - 1 : len;
    for (size_t pos = body; pos < n;) {
        if (line[pos] == ' ') {
            pos++;
            continue;
        }
        char *mark = o.p;
        if (!json_field(&o, line, n, &pos)) {
            o.p = mark;
            break;
        }
    }
    *o.p++ = '}';
    *o.p++ = '\n';
    return (size_t)(o.p - out);
}

/* Writes a finished text line in the configured format. */
static void output(enum log_level level, const char *line, size_t len)
{
    if (format == LOG_FORMAT_JSON) {
        char json[LOG_LINE_MAX * 2];
        put_line(level, json, to_json(line, len, json));
        return;
    }
    put_line(level, line, len);
}

/* LATCHKEY_LOG_FILE, kept to reopen it. */
static char *log_path;

static int open_onto_stderr(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return ERR_IO;
    /* dup2 swaps the file under stderr atomically: a write goes wholly to
     * the old file or to the new one. */
    int rc = dup2(fd, STDERR_FILENO) < 0 ? ERR_IO : 0;
    close(fd);
    return rc;
}

int log_open_file(const char *path)
{
    int rc = open_onto_stderr(path);
    if (rc != 0)
        return rc;
    free(log_path);
    log_path = strdup(path);
    return log_path != NULL ? 0 : ERR_NOMEM;
}

int log_reopen(void)
{
    if (log_path == NULL)
        return 0;
    /* Lines logged before the rotation go to the file they were logged
     * in: write them out first. */
    log_flush();
    return open_onto_stderr(log_path);
}

void log_text(enum log_level level, const char *text, size_t n)
{
    char line[LOG_LINE_MAX];
    if (level < min_level)
        return;
    int saved = errno;
    size_t len = prefix(line, level);
    if (n > sizeof(line) - len - 1)
        n = sizeof(line) - len - 1;
    memcpy(line + len, text, n);
    len += n;
    line[len++] = '\n';
    output(level, line, len);
    errno = saved;
}

static void emit(enum log_level level, bool with_errno, int saved, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void emit(enum log_level level, bool with_errno, int saved, const char *fmt, va_list ap)
{
    char line[LOG_LINE_MAX];
    size_t len = prefix(line, level);
    int m = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
    if (m > 0)
        len += (size_t)m;
    if (len > sizeof(line) - 64)
        len = sizeof(line) - 64;
    if (with_errno) {
        m = snprintf(line + len, sizeof(line) - len, " error=\"%s\"", strerror(saved));
        if (m > 0)
            len += (size_t)m;
    }
    line[len++] = '\n';
    output(level, line, len);
}

#define DEFINE_LOG(fn, level, with_errno)                                                          \
    void fn(const char *fmt, ...)                                                                  \
    {                                                                                              \
        int saved = errno;                                                                         \
        if (level < min_level)                                                                     \
            return;                                                                                \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        emit(level, with_errno, saved, fmt, ap);                                                   \
        va_end(ap);                                                                                \
        errno = saved;                                                                             \
    }

DEFINE_LOG(log_debug, LOG_DEBUG, false)
DEFINE_LOG(log_info, LOG_INFO, false)
DEFINE_LOG(log_warn, LOG_WARN, true)
DEFINE_LOG(log_warnx, LOG_WARN, false)
DEFINE_LOG(log_error, LOG_ERROR, false)

void fatal(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    emit(LOG_ERROR, true, saved, fmt, ap);
    va_end(ap);
    log_flush();
    exit(1);
}

void fatalx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(LOG_ERROR, false, 0, fmt, ap);
    va_end(ap);
    log_flush();
    exit(1);
}
