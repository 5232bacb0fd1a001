/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Embedded (buf_init/buf_fini). data is NULL until the first append.
 */
#pragma once
#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
};

void buf_init(struct buf *b);
/* Frees the storage; the buf can be reused after buf_init. */
void buf_fini(struct buf *b);
void buf_reset(struct buf *b);
/* Makes room for n more bytes (and the NUL) without a later reallocation. */
void buf_reserve(struct buf *b, size_t n);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the owned contents (never NULL) and leaves b empty. */
char *buf_steal(struct buf *b);
