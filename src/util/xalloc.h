/*
 * xalloc.h - allocation wrappers that abort on out-of-memory.
 *
 * Every x*alloc either returns usable memory or terminates the process, so
 * callers never test for NULL. Memory is released with free().
 */
#pragma once
#include <stddef.h>

void *xmalloc(size_t n) __attribute__((malloc, returns_nonnull));
void *xcalloc(size_t count, size_t size) __attribute__((malloc, returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
/* Returns an owned copy of s; s must not be NULL. */
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
/* Returns an owned copy of the first n bytes of s, NUL-terminated. */
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));
/* Wipes n bytes at p in a way the compiler cannot elide. */
void secure_wipe(void *p, size_t n);
