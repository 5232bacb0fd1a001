/*
 * rows_ops.c - the row functions of the operations commands (issue 18):
 * prune's batches and counts and its lock, doctor's journal mode and
 * database clock. Written once over the driver contract, like rows.c.
 */
#include "store/driver.h"
#include "store/rows_int.h"

/* Each kind's DELETE (at most limit rows) and its COUNT twin, and whether
 * they take the second cutoff. */
static const struct {
    enum stmt del;
    enum stmt count;
    bool two_cutoffs;
} prune_stmts[STORE_PRUNE_KINDS] = {
    [STORE_PRUNE_TOKENS] = {ST_PRUNE_TOKENS, ST_PRUNE_TOKENS_COUNT, false},
    [STORE_PRUNE_RESETS] = {ST_PRUNE_RESETS, ST_PRUNE_RESETS_COUNT, true},
    [STORE_PRUNE_INVITATIONS] = {ST_PRUNE_INVITATIONS, ST_PRUNE_INVITATIONS_COUNT, false},
    [STORE_PRUNE_SESSIONS] = {ST_SESSION_PRUNE, ST_PRUNE_SESSIONS_COUNT, true},
    [STORE_PRUNE_AUDIT] = {ST_PRUNE_AUDIT, ST_PRUNE_AUDIT_COUNT, false},
};

/* Starts kind's statement (the COUNT when count) with its cutoffs bound. */
static int prune_start(struct store *s, enum store_prune_kind k, bool count,
                       const struct store_prune_cutoff *c, struct q *q)
{
    if ((unsigned)k >= STORE_PRUNE_KINDS)
        return ERR_INVALID;
    int rc = q_start(s, count ? prune_stmts[k].count : prune_stmts[k].del, q);
    if (rc != 0)
        return rc;
    q_bind_i64(q, c->before);
    if (prune_stmts[k].two_cutoffs)
        q_bind_i64(q, c->before2);
    return 0;
}

int store_prune_batch(struct store *s, enum store_prune_kind k, const struct store_prune_cutoff *c,
                      int64_t limit, int64_t *n)
{
    struct q q;
    *n = 0;
    int rc = prune_start(s, k, false, c, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, limit);
    rc = q_run(&q);
    if (rc == 0)
        *n = q_changes(&q);
    q_end(&q);
    return rc;
}

int store_prune_count(struct store *s, enum store_prune_kind k, const struct store_prune_cutoff *c,
                      int64_t *n)
{
    struct q q;
    *n = 0;
    int rc = prune_start(s, k, true, c, &q);
    if (rc != 0)
        return rc;
    return read_count(&q, n);
}

static int read_bool(struct q *q, struct arena *a, void *row)
{
    (void)a;
    *(bool *)row = q_bool(q);
    return 0;
}

static int read_text(struct q *q, struct arena *a, void *row)
{
    *(const char **)row = q_text(q, a);
    return 0;
}

/* Runs the lock or unlock statement; *got = its boolean answer. */
static int lock_stmt(struct store *s, enum stmt id, bool *got)
{
    struct q q;
    *got = false;
    int rc = q_start(s, id, &q);
    if (rc != 0)
        return rc;
    return read_one(&q, NULL, read_bool, got);
}

int store_prune_lock(struct store *s, bool *got)
{
    return lock_stmt(s, ST_PRUNE_LOCK, got);
}

void store_prune_unlock(struct store *s)
{
    bool released;
    /* A failure means the connection is gone, and the lock with it. */
    (void)lock_stmt(s, ST_PRUNE_UNLOCK, &released);
}

int store_journal_mode(struct store *s, struct arena *a, const char **mode)
{
    struct q q;
    *mode = NULL;
    int rc = q_start(s, ST_OPS_JOURNAL_MODE, &q);
    if (rc != 0)
        return rc;
    return read_one(&q, a, read_text, mode);
}

int store_db_clock(struct store *s, int64_t *unix_s)
{
    struct q q;
    *unix_s = 0;
    int rc = q_start(s, ST_OPS_DB_CLOCK, &q);
    if (rc != 0)
        return rc;
    return read_count(&q, unix_s);
}
