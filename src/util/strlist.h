/*
 * strlist.h - a borrowed list of strings (permissions, abilities, products).
 *
 * The items and the array usually live in an arena; a strlist never owns
 * them.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct arena;

struct strlist {
    const char **items;
    size_t n;
};

/* True if s is exactly one of the items. */
bool strlist_contains(const struct strlist *l, const char *s);
/*
 * Splits a comma-separated list ("a, b,c") into trimmed, non-empty items
 * allocated in the arena. Returns false if there are more than max items.
 */
bool strlist_split(struct arena *a, const char *csv, size_t max, struct strlist *out);
