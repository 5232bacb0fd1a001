/*
 * log.c - line logger. The level is set once at start-up (before threads)
 * and read without a lock afterwards.
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
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum log_level)i;
            return true;
        }
    }
    return false;
}

static void emit(enum log_level level, bool with_errno, int saved, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void emit(enum log_level level, bool with_errno, int saved, const char *fmt, va_list ap)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, names[level]);
    if (n < 0)
        return;
    size_t len = (size_t)n;
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
