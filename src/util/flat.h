/*
 * flat.h - deep copies into one block, for caches that keep a row set as a
 * single malloc'd entry and hand out copies in a request's arena.
 *
 * Copy twice: once with base NULL, which only counts the bytes (every
 * pointer it returns is NULL), then into a block of that size. The
 * callers' flatten functions follow every pointer of their structs.
 */
#pragma once
#include <stddef.h>

#include "util/strlist.h"

#define FLAT_ALIGN 16

struct flat {
    char *base; /* NULL: count only */
    size_t used;
};

/* n bytes from f (NULL when counting), aligned to FLAT_ALIGN. */
void *flat_take(struct flat *f, size_t n);
/* A copy of s in f (NULL for NULL, and when counting). */
const char *flat_str(struct flat *f, const char *s);
/* Replaces l's items with copies in f (items NULL when l is empty). */
void flat_list(struct flat *f, struct strlist *l);
/* n rounded up to FLAT_ALIGN: where the copied bytes start after a header. */
size_t flat_round(size_t n);
