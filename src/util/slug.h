/*
 * slug.h - URL slugs made from names and titles (post slugs, tenants made
 * from imported teams).
 */
#pragma once
#include <stddef.h>

struct arena;

/*
 * The slug of text in the arena: ASCII letters and digits lower-cased,
 * every other run of bytes one dash, no dash at either end, at most max
 * bytes; fallback (copied) if nothing is left.
 */
char *slug_make(struct arena *a, const char *text, size_t max, const char *fallback);
