/*
 * sqlite_columns.h - the SQLite driver's column readers (driver.h), inline:
 * the request hot path reads ~50 columns a request, and each then costs a
 * branch and one call into SQLite, no more than when the row code was
 * SQLite's own. Included by driver.h only.
 */
#pragma once
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

static inline int64_t sq_i64(struct q *q)
{
    return sqlite3_column_int64(q->u.st, q->col++);
}

static inline bool sq_bool(struct q *q)
{
    return sq_i64(q) != 0;
}

static inline const char *sq_peek(struct q *q, size_t *len)
{
    int col = q->col++;
    const char *s = (const char *)sqlite3_column_text(q->u.st, col);
    if (len != NULL)
        *len = s != NULL ? (size_t)sqlite3_column_bytes(q->u.st, col) : 0;
    return s;
}

static inline const char *sq_text(struct q *q, struct arena *a)
{
    int col = q->col++;
    const char *s = (const char *)sqlite3_column_text(q->u.st, col);
    if (s == NULL)
        return NULL;
    return arena_strndup(a, s, (size_t)sqlite3_column_bytes(q->u.st, col));
}

static inline bool sq_null(const struct q *q)
{
    return sqlite3_column_type(q->u.st, q->col) == SQLITE_NULL;
}
