/*
 * prune.c - deleting ended rows in batches, once or on serve's schedule
 * (prune.h).
 */
#include "core/prune.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/reset.h"
#include "server.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

static const char *const kind_names[STORE_PRUNE_KINDS] = {
    [STORE_PRUNE_TOKENS] = "tokens",
    [STORE_PRUNE_RESETS] = "password_resets",
    [STORE_PRUNE_INVITATIONS] = "invitations",
    [STORE_PRUNE_SESSIONS] = "sessions",
    [STORE_PRUNE_AUDIT] = "audit",
};

const char *prune_kind_name(enum store_prune_kind k)
{
    return (unsigned)k < STORE_PRUNE_KINDS ? kind_names[k] : "?";
}

/*
 * The cutoffs of kind k at now: tokens, invitations and used resets that
 * ended LATCHKEY_PRUNE_AFTER ago; resets that expired as long ago; sessions
 * as soon as they ended (as core/session.c prunes them); audit entries past
 * the retention. False when nothing of the kind is pruned (audit kept
 * forever).
 */
static bool cutoff(const struct config *cfg, enum store_prune_kind k, int64_t now,
                   struct store_prune_cutoff *c)
{
    int64_t ended = now - cfg->prune_after_s;
    *c = (struct store_prune_cutoff){.before = ended, .before2 = ended};
    switch (k) {
    case STORE_PRUNE_RESETS: c->before = ended - RESET_TTL_S; return true;
    case STORE_PRUNE_SESSIONS:
        c->before = now;
        c->before2 = now - cfg->session_idle_s;
        return true;
    case STORE_PRUNE_AUDIT:
        c->before = now - cfg->audit_retention_s;
        return cfg->audit_retention_s > 0;
    default: return true;
    }
}

static bool sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    return true;
}

/* Deletes kind k's rows batch by batch; *n counts them. */
static int prune_kind(struct store *s, enum store_prune_kind k, const struct store_prune_cutoff *c,
                      const struct prune_options *o, int64_t *n, bool *stopped)
{
    for (;;) {
        int64_t done = 0;
        int rc = store_prune_batch(s, k, c, o->batch, &done);
        if (rc != 0)
            return rc;
        *n += done;
        if (done < o->batch)
            return 0;
        bool go = o->pause != NULL ? o->pause(o->pause_ctx, o->pause_ms) : sleep_ms(o->pause_ms);
        if (!go) {
            *stopped = true;
            return 0;
        }
    }
}

/* Every kind, under the lock. */
static int run_kinds(struct server *srv, const struct prune_options *o, struct prune_report *out)
{
    for (int k = 0; k < STORE_PRUNE_KINDS && !out->stopped; k++) {
        struct store_prune_cutoff c;
        if (!cutoff(&srv->cfg, (enum store_prune_kind)k, o->now, &c))
            continue;
        int rc = o->dry_run ? store_prune_count(srv->store, k, &c, &out->count[k])
                            : prune_kind(srv->store, k, &c, o, &out->count[k], &out->stopped);
        if (rc != 0)
            return rc;
        if (!o->dry_run && out->count[k] > 0)
            log_info("event=pruned kind=%s count=%lld", kind_names[k], (long long)out->count[k]);
    }
    return 0;
}

int prune_run(struct server *srv, const struct prune_options *o, struct prune_report *out)
{
    *out = (struct prune_report){0};
    if (o->batch < 1 || o->batch > PRUNE_BATCH_MAX)
        return ERR_INVALID;
    bool got = false;
    int rc = store_prune_lock(srv->store, &got);
    if (rc != 0)
        return rc;
    if (!got) {
        out->skipped = true;
        log_info("event=prune_skipped reason=\"another instance is pruning\"");
        return 0;
    }
    rc = run_kinds(srv, o, out);
    store_prune_unlock(srv->store);
    return rc;
}

/* ---- serve's schedule ---- */

struct pruner {
    struct server *srv;
    pthread_t thread;
    pthread_mutex_t lock; /* guards stop */
    pthread_cond_t wake;
    bool stop;
};

/* Waits ms or until stopped; false when stopped. */
static bool pruner_wait(void *ctx, unsigned ms)
{
    struct pruner *p = ctx;
    struct timespec ts;
    time_realtime_after(ms, &ts);
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    while (!p->stop && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&p->wake, &p->lock, &ts);
    bool go = !p->stop;
    pthread_mutex_unlock(&p->lock);
    return go;
}

static void *pruner_main(void *arg)
{
    struct pruner *p = arg;
    int64_t interval = p->srv->cfg.prune_interval_s;
    unsigned wait_ms = interval > 86400 ? 86400000u : (unsigned)(interval * 1000);
    int64_t due = time_mono_ms() + interval * 1000;
    for (;;) {
        int64_t left = due - time_mono_ms();
        if (left > 0 && !pruner_wait(p, left < wait_ms ? (unsigned)left : wait_ms))
            break;
        if (left > 0)
            continue; /* an interval over a day is waited for a day at a time */
        struct prune_options o = {
            .now = server_now(p->srv),
            .batch = PRUNE_BATCH_DEFAULT,
            .pause_ms = PRUNE_PAUSE_MS,
            .pause = pruner_wait,
            .pause_ctx = p,
        };
        struct prune_report r;
        int rc = prune_run(p->srv, &o, &r);
        if (rc != 0)
            log_warnx("event=prune_failed err=\"%s\"", err_str(rc));
        if (r.stopped)
            break;
        due = time_mono_ms() + interval * 1000;
    }
    return NULL;
}

struct pruner *pruner_start(struct server *srv)
{
    if (srv->cfg.prune_interval_s <= 0)
        return NULL;
    struct pruner *p = xcalloc(1, sizeof(*p));
    p->srv = srv;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    if (pthread_create(&p->thread, NULL, pruner_main, p) != 0)
        fatal("event=thread_create_failed what=pruner");
    return p;
}

void pruner_free(struct pruner *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    free(p);
}
