/*
 * log.h - one line per event on stderr, as key=value pairs.
 *
 * The warn forms append strerror(errno); the x forms do not. fatal* exit(1).
 * Never log passwords, tokens, keys, cookies or request bodies.
 *
 * Thread-safe. By default every line is written with its own write(2). A
 * long-running process (serve) calls log_buffering_start(): lines then go
 * to one buffer, in the order they were logged, and a background thread
 * writes it with one write(2) when it passes LOG_BUFFER_FLUSH_AT bytes or
 * when its oldest line has waited flush_ms. Warn and error lines are written
 * at once, with the lines logged before them. A line is never split or
 * interleaved with another. If the buffer reaches LOG_BUFFER_MAX because
 * stderr does not take the data (a stalled pipe), further lines are dropped
 * and counted; the count is logged as "event=log_dropped lines=N" once
 * there is room again.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

/* Which requests get an access-log line (LATCHKEY_ACCESS_LOG). */
enum log_access {
    LOG_ACCESS_ALL = 0,
    LOG_ACCESS_ERRORS, /* status >= 400, and requests that got no reply */
    LOG_ACCESS_OFF,
};

/* How lines look (LATCHKEY_LOG_FORMAT). */
enum log_format {
    LOG_FORMAT_TEXT = 0, /* time level=... key=value ... */
    LOG_FORMAT_JSON,     /* one JSON object per line, the same fields */
};

/* The longest line, newline included; longer ones are cut. */
#define LOG_LINE_MAX 2048
/* Buffered mode: a write is due when the pending lines pass this size... */
#define LOG_BUFFER_FLUSH_AT (32 * 1024)
/* ...and lines are dropped while this many bytes are waiting. */
#define LOG_BUFFER_MAX (512 * 1024)

void log_set_level(enum log_level level);
/* Text by default; set once at start-up, before threads. */
void log_set_format(enum log_format f);
/*
 * Sends stderr, and so every line, to the file at path (appended, created
 * 0640), e.g. LATCHKEY_LOG_FILE. Returns 0 or ERR_IO (stderr unchanged).
 */
int log_open_file(const char *path) __attribute__((warn_unused_result));
/* Writes the pending lines, then opens the log_open_file path again
 * (logrotate renamed it: SIGHUP). A no-op without a file. Returns 0 or
 * ERR_IO (the old file stays in use). */
int log_reopen(void) __attribute__((warn_unused_result));
/* Parses "debug", "info", "warn", "error"; returns false if unknown. */
bool log_level_parse(const char *s, enum log_level *out);
bool log_enabled(enum log_level level);

/* One line at level whose text (after "level=...") is text[0..n), already
 * formatted: the access log's way to skip printf. */
void log_text(enum log_level level, const char *text, size_t n);
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log at error level, write every pending line, exit(1). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Starts buffered mode with a background writer that writes pending lines
 * about flush_ms (at most 60000) after the first of them was logged; 0
 * keeps every line written at once. Call from the main thread; the writer
 * thread blocks every signal. Also registers an atexit handler that writes
 * what is pending. Returns 0, or ERR_NOMEM if the thread could not be
 * created (lines stay unbuffered).
 */
int log_buffering_start(unsigned flush_ms) __attribute__((warn_unused_result));
/* Writes every pending line, stops the writer and goes back to one write
 * per line. Safe to call when buffering never started. */
void log_buffering_stop(void);
/* Writes every line logged before the call (waits for a write in progress).
 * A no-op when not buffering. */
void log_flush(void);
/* Lines dropped since buffering started (for tests and metrics). */
unsigned long long log_dropped_total(void);
