/*
 * arena.h - a bump allocator for per-request and per-command data.
 *
 * Everything allocated from an arena lives until arena_free() (or
 * arena_reset()). Allocation never fails (it aborts on OOM like xmalloc).
 * An arena is not thread-safe: one owner at a time.
 */
#pragma once
#include <stdarg.h>
#include <stddef.h>

struct arena;

/* Returns a new arena, owned by the caller; free with arena_free(). */
struct arena *arena_new(void);
/* Frees the arena and everything in it. Accepts NULL. */
void arena_free(struct arena *a);
/* Drops every allocation but keeps the first block for reuse. */
void arena_reset(struct arena *a);
/* Returns n bytes aligned to 16, zeroed. */
void *arena_alloc(struct arena *a, size_t n) __attribute__((returns_nonnull));
/* Copies of strings; NULL in gives NULL out. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
