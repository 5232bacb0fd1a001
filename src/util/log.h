/*
 * log.h - one line per event on stderr, as key=value pairs.
 *
 * The warn forms append strerror(errno); the x forms do not. fatal* exit(1).
 * Never log passwords, tokens, keys, cookies or request bodies.
 * Thread-safe: each line is written with a single write(2).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

void log_set_level(enum log_level level);
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
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
