/*
 * prune.h - removing rows that ended (issue 18): expired or revoked tokens
 * (personal access, admin, JWT ids, API keys), used or expired password
 * resets, accepted, cancelled or expired invitations, ended dashboard
 * sessions, and audit entries older than LATCHKEY_AUDIT_RETENTION.
 *
 * Rows are deleted in batches, each one statement and so one short
 * transaction, with a pause between batches, so requests served meanwhile
 * wait at most one batch for the database. `latchkey prune` runs it once;
 * `serve` every LATCHKEY_PRUNE_INTERVAL (struct pruner). On PostgreSQL an
 * advisory lock lets one instance at a time prune; the others skip.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

struct server;
struct pruner;

#define PRUNE_BATCH_DEFAULT 1000
#define PRUNE_BATCH_MAX     100000
#define PRUNE_PAUSE_MS      10 /* between batches */

struct prune_options {
    int64_t now;   /* server_now() */
    int64_t batch; /* rows per statement, 1..PRUNE_BATCH_MAX */
    unsigned pause_ms;
    bool dry_run; /* count what would go, delete nothing */
    /* Waits ms between batches; false stops the run (NULL: sleeps). */
    bool (*pause)(void *ctx, unsigned ms);
    void *pause_ctx;
};

struct prune_report {
    int64_t count[STORE_PRUNE_KINDS]; /* deleted (or, dry run, to delete) */
    bool skipped;                     /* another instance holds the lock */
    bool stopped;                     /* pause() said stop */
};

/* The kind's name in output and logs: "tokens", "password_resets", ... */
const char *prune_kind_name(enum store_prune_kind k);
/* Runs every kind once with srv's retention settings. Returns 0 (the
 * report filled in, also when skipped) or the store's error. */
int prune_run(struct server *srv, const struct prune_options *o, struct prune_report *out)
    __attribute__((warn_unused_result));

/* serve's schedule: starts a thread that runs prune_run every
 * srv->cfg.prune_interval_s (the first run one interval after start).
 * NULL when the interval is 0. srv must outlive it. */
struct pruner *pruner_start(struct server *srv);
/* Stops the thread (a run in progress stops after its batch). Accepts NULL. */
void pruner_free(struct pruner *p);
