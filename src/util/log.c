/*
 * log.c - line logger. The level is set once at start-up (before threads)
 * and read without a lock afterwards.
 *
 * Each thread keeps the date and time of its last line (to the second) so
 * that a line formats its timestamp without gmtime_r and strftime: the
 * access log writes one line per request. No lock: every line is one
 * write(2).
 */
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
    min_level = level;
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

#define LINE_MAX_BYTES 2048
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

void log_text(enum log_level level, const char *text, size_t n)
{
    char line[LINE_MAX_BYTES];
    if (level < min_level)
        return;
    int saved = errno;
    size_t len = prefix(line, level);
    if (n > sizeof(line) - len - 1)
        n = sizeof(line) - len - 1;
    memcpy(line + len, text, n);
    len += n;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
    errno = saved;
}

static void emit(enum log_level level, bool with_errno, int saved, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void emit(enum log_level level, bool with_errno, int saved, const char *fmt, va_list ap)
{
    char line[LINE_MAX_BYTES];
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
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
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
    exit(1);
}

void fatalx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(LOG_ERROR, false, 0, fmt, ap);
    va_end(ap);
    exit(1);
}
