/*
 * rows_int.h - the helpers every row file (rows.c, rows_commerce.c) runs
 * its statements through, private to src/store/: read one row, every row,
 * a count, the id of an insert, an update of one row; LIKE patterns and
 * page bounds of the searches. Inline so each row file keeps the calls
 * direct, as they were when there was one row file.
 */
#pragma once
#include <stdint.h>
#include <string.h>

#include "store/driver.h"
#include "util/arena.h"
#include "util/err.h"

/* Bumps the settings version (rows_wncms.c): every change that the
 * settings poller must see (settings, access rules) calls it in its
 * transaction. */
int store_settings_bump(struct store *s) __attribute__((warn_unused_result));

/* Reads the current row into *row (a struct tenant, user, ...). */
typedef int (*row_reader)(struct q *q, struct arena *a, void *row);

/* Runs a bound query expecting one row: 0, ERR_NOT_FOUND or an error. */
static inline int read_one(struct q *q, struct arena *a, row_reader read, void *row)
{
    int rc = q_row(q);
    if (rc == 0)
        rc = read(q, a, row);
    q_end(q);
    return rc;
}

/* Runs a bound query and reads every row into an arena array of size-byte
 * rows, grown by doubling (the abandoned copies stay in the arena). */
static inline int read_all(struct q *q, struct arena *a, row_reader read, size_t size, void **out,
                           size_t *n)
{
    unsigned char *rows = NULL;
    size_t count = 0, cap = 0;
    int rc;
    *out = NULL;
    *n = 0;
    for (;;) {
        rc = q_row(q);
        if (rc != 0)
            break;
        if (count == cap) {
            cap = cap > 0 ? cap * 2 : 8;
            unsigned char *bigger = arena_alloc(a, size * cap);
            if (count > 0)
                memcpy(bigger, rows, size * count);
            rows = bigger;
        }
        rc = read(q, a, rows + size * count);
        if (rc != 0)
            break;
        count++;
    }
    q_end(q);
    if (rc != ERR_NOT_FOUND)
        return rc;
    *out = rows;
    *n = count;
    return 0;
}

/* Runs a bound query that returns one integer (a COUNT). */
static inline int read_count(struct q *q, int64_t *n)
{
    int rc = q_row(q);
    if (rc == 0)
        *n = q_i64(q);
    q_end(q);
    return rc;
}

/* Runs a bound UPDATE of one row by id: ERR_NOT_FOUND if there is none. */
static inline int update_one(struct q *q)
{
    int rc = q_run(q);
    if (rc == 0 && q_changes(q) == 0)
        rc = ERR_NOT_FOUND;
    q_end(q);
    return rc;
}

/* Runs a bound INSERT ... RETURNING id and returns the new row's id in *id. */
static inline int insert(struct q *q, int64_t *id)
{
    int rc = q_row(q);
    if (rc == 0)
        *id = q_i64(q);
    else if (rc == ERR_NOT_FOUND)
        rc = ERR_STORE; /* RETURNING always gives the row */
    q_end(q);
    return rc;
}

/* "%search%" with LIKE's wildcards and the escape character escaped, or
 * NULL for no search. */
static inline const char *like_pattern(struct arena *a, const char *search, bool prefix_only)
{
    if (search == NULL || search[0] == '\0')
        return NULL;
    size_t n = strlen(search);
    char *p = arena_alloc(a, 2 * n + 3);
    size_t o = 0;
    if (!prefix_only)
        p[o++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (search[i] == '%' || search[i] == '_' || search[i] == '\\')
            p[o++] = '\\';
        p[o++] = search[i];
    }
    p[o++] = '%';
    p[o] = '\0';
    return p;
}

static inline int64_t page_value(size_t v)
{
    return v > (size_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}
