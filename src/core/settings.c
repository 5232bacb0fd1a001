/*
 * settings.c - the settings cache and the checked writes (see settings.h).
 *
 * The snapshot is sorted by (tenant_id, key) in C, not by the database's
 * collation, so a lookup is a binary search on every backend. lock guards
 * snap; a reader holds it only to copy one value out.
 */
#include "core/settings.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"

struct snapshot {
    struct arena *arena; /* rows and their strings */
    struct setting *rows;
    size_t n;
    int64_t version;
};

struct listener {
    void (*fn)(void *arg, int64_t version);
    void *arg;
};

struct settings {
    struct store *store;
    unsigned poll_ms;
    pthread_rwlock_t lock; /* guards snap */
    struct snapshot *snap;
    pthread_mutex_t wait_lock; /* guards stop */
    pthread_cond_t wake;
    bool stop;
    bool started;
    pthread_t thread;
    /* Guarded by lock: written by settings_listen, read by a reload. */
    struct listener listeners[SETTINGS_LISTENERS];
    size_t n_listeners;
};

const struct setting_def *setting_def_find(const char *key)
{
    if (key == NULL)
        return NULL;
    for (size_t i = 0; i < n_setting_defs; i++) {
        for (const struct setting_def *d = setting_defs[i]; d->key != NULL; d++) {
            if (strcmp(d->key, key) == 0)
                return d;
        }
    }
    return NULL;
}

static bool is_one_of(const char *v, const char *const *words)
{
    for (; *words != NULL; words++) {
        if (strcmp(v, *words) == 0)
            return true;
    }
    return false;
}

static bool is_slug(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > SETTING_VALUE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

int setting_canonical(const struct setting_def *def, const char *value,
                      char out[SETTING_VALUE_MAX + 1])
{
    static const char *const yes[] = {"true", "1", "on", "yes", NULL};
    static const char *const no[] = {"false", "0", "off", "no", NULL};
    static const char *const modes[] = {"none", "simple", "basic", NULL};
    const char *v = NULL;
    if (value == NULL || strlen(value) > SETTING_VALUE_MAX)
        return ERR_INVALID;
    switch (def->type) {
    case SETTING_BOOL:
        v = is_one_of(value, yes) ? "true" : is_one_of(value, no) ? "false" : NULL;
        break;
    case SETTING_AUTH_MODE: v = is_one_of(value, modes) ? value : NULL; break;
    case SETTING_ROLE: v = value[0] == '\0' ? "none" : is_slug(value) ? value : NULL; break;
    }
    if (v == NULL)
        return ERR_INVALID;
    snprintf(out, SETTING_VALUE_MAX + 1, "%s", v);
    return 0;
}

static int cmp_setting(const void *x, const void *y)
{
    const struct setting *a = x, *b = y;
    if (a->tenant_id != b->tenant_id)
        return a->tenant_id < b->tenant_id ? -1 : 1;
    return strcmp(a->key, b->key);
}

static void snapshot_free(struct snapshot *s)
{
    if (s == NULL)
        return;
    arena_free(s->arena);
    free(s);
}

/* A new snapshot of every row at version; NULL on a store error. */
static struct snapshot *snapshot_load(struct store *store, int64_t version)
{
    struct snapshot *s = xcalloc(1, sizeof(*s));
    s->arena = arena_new();
    s->version = version;
    int rc = store_setting_list(store, s->arena, true, 0, &s->rows, &s->n);
    if (rc != 0) {
        log_warnx("event=settings_load_failed err=\"%s\"", err_str(rc));
        snapshot_free(s);
        return NULL;
    }
    if (s->n > 1)
        qsort(s->rows, s->n, sizeof(*s->rows), cmp_setting);
    return s;
}

int settings_refresh(struct settings *c)
{
    int64_t version;
    int rc = store_settings_version(c->store, &version);
    if (rc != 0)
        return rc;
    pthread_rwlock_rdlock(&c->lock);
    bool same = c->snap != NULL && c->snap->version == version;
    pthread_rwlock_unlock(&c->lock);
    if (same)
        return 0;
    struct snapshot *fresh = snapshot_load(c->store, version);
    if (fresh == NULL)
        return ERR_STORE;
    pthread_rwlock_wrlock(&c->lock);
    struct snapshot *old = c->snap;
    /* Two refreshes may race: keep the newer snapshot. */
    if (old != NULL && old->version > fresh->version) {
        old = fresh;
    } else {
        c->snap = fresh;
    }
    size_t n = c->n_listeners;
    struct listener calls[SETTINGS_LISTENERS];
    memcpy(calls, c->listeners, n * sizeof(calls[0]));
    pthread_rwlock_unlock(&c->lock);
    snapshot_free(old);
    for (size_t i = 0; i < n; i++)
        calls[i].fn(calls[i].arg, version);
    return 0;
}

void settings_listen(struct settings *c, void (*fn)(void *arg, int64_t version), void *arg)
{
    pthread_rwlock_wrlock(&c->lock);
    if (c->n_listeners == SETTINGS_LISTENERS)
        fatalx("too many settings listeners");
    c->listeners[c->n_listeners].fn = fn;
    c->listeners[c->n_listeners].arg = arg;
    c->n_listeners++;
    pthread_rwlock_unlock(&c->lock);
}

static void *poll_main(void *arg)
{
    struct settings *c = arg;
    pthread_mutex_lock(&c->wait_lock);
    while (!c->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)(c->poll_ms % 1000) * 1000000L;
        until.tv_sec += c->poll_ms / 1000 + until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        int w = pthread_cond_timedwait(&c->wake, &c->wait_lock, &until);
        if (c->stop)
            break;
        if (w != ETIMEDOUT && w != 0)
            continue;
        pthread_mutex_unlock(&c->wait_lock);
        /* A failure keeps the last snapshot; the next turn tries again. */
        if (settings_refresh(c) != 0)
            log_debug("event=settings_poll_failed");
        pthread_mutex_lock(&c->wait_lock);
    }
    pthread_mutex_unlock(&c->wait_lock);
    return NULL;
}

struct settings *settings_new(struct store *store, unsigned poll_ms)
{
    struct settings *c = xcalloc(1, sizeof(*c));
    c->store = store;
    c->poll_ms = poll_ms;
    pthread_rwlock_init(&c->lock, NULL);
    pthread_mutex_init(&c->wait_lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    if (settings_refresh(c) != 0) {
        settings_free(c);
        return NULL;
    }
    if (poll_ms > 0) {
        if (pthread_create(&c->thread, NULL, poll_main, c) != 0)
            fatalx("cannot start the settings thread");
        c->started = true;
    }
    return c;
}

void settings_free(struct settings *c)
{
    if (c == NULL)
        return;
    if (c->started) {
        pthread_mutex_lock(&c->wait_lock);
        c->stop = true;
        pthread_cond_signal(&c->wake);
        pthread_mutex_unlock(&c->wait_lock);
        pthread_join(c->thread, NULL);
    }
    snapshot_free(c->snap);
    pthread_rwlock_destroy(&c->lock);
    pthread_mutex_destroy(&c->wait_lock);
    pthread_cond_destroy(&c->wake);
    free(c);
}

/* The row (tenant_id, key) of s, or NULL. */
static const struct setting *find_row(const struct snapshot *s, int64_t tenant_id, const char *key)
{
    if (s == NULL || s->n == 0)
        return NULL; /* bsearch's array must not be NULL, even when empty */
    struct setting probe = {.tenant_id = tenant_id, .key = key};
    return bsearch(&probe, s->rows, s->n, sizeof(*s->rows), cmp_setting);
}

void settings_get(struct settings *c, int64_t tenant_id, const char *key,
                  char out[SETTING_VALUE_MAX + 1], enum setting_source *source)
{
    enum setting_source src = SOURCE_DEFAULT;
    const struct setting *row = NULL;
    out[0] = '\0';
    pthread_rwlock_rdlock(&c->lock);
    if (tenant_id != 0)
        row = find_row(c->snap, tenant_id, key);
    if (row != NULL)
        src = SOURCE_TENANT;
    else if ((row = find_row(c->snap, 0, key)) != NULL)
        src = SOURCE_PLATFORM;
    if (row != NULL)
        snprintf(out, SETTING_VALUE_MAX + 1, "%s", row->value);
    pthread_rwlock_unlock(&c->lock);
    if (row == NULL) {
        const struct setting_def *def = setting_def_find(key);
        if (def != NULL)
            snprintf(out, SETTING_VALUE_MAX + 1, "%s", def->fallback);
    }
    if (source != NULL)
        *source = src;
}

bool settings_on(struct settings *c, int64_t tenant_id, const char *key)
{
    char v[SETTING_VALUE_MAX + 1];
    settings_get(c, tenant_id, key, v, NULL);
    return strcmp(v, "true") == 0;
}

const char *setting_source_str(enum setting_source s)
{
    switch (s) {
    case SOURCE_TENANT: return "tenant";
    case SOURCE_PLATFORM: return "platform";
    default: return "default";
    }
}

int settings_set(struct server *srv, int64_t tenant_id, const char *key, const char *value,
                 int64_t actor_user_id, const char *ip)
{
    const struct setting_def *def = setting_def_find(key);
    if (def == NULL)
        return ERR_NOT_FOUND;
    char canon[SETTING_VALUE_MAX + 1];
    if (value != NULL && setting_canonical(def, value, canon) != 0)
        return ERR_INVALID;
    int rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    rc = store_tx_end(srv->store,
                      store_setting_set(srv->store, tenant_id, key, value != NULL ? canon : NULL));
    if (rc != 0)
        return rc;
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_str(&d, "key", key);
    audit_detail_str(&d, "value", value != NULL ? canon : NULL);
    audit_record(srv, tenant_id, actor_user_id, "setting.update", ip, &d);
    if (srv->settings != NULL && settings_refresh(srv->settings) != 0)
        log_warnx("event=settings_refresh_failed key=%s", key);
    return 0;
}

size_t settings_view(struct settings *c, struct arena *a, int64_t tenant_id,
                     struct setting_view **out)
{
    size_t n = 0;
    for (size_t i = 0; i < n_setting_defs; i++) {
        for (const struct setting_def *d = setting_defs[i]; d->key != NULL; d++)
            n++;
    }
    struct setting_view *v = arena_alloc(a, (n > 0 ? n : 1) * sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; i < n_setting_defs; i++) {
        for (const struct setting_def *d = setting_defs[i]; d->key != NULL; d++, k++) {
            v[k].def = d;
            settings_get(c, tenant_id, d->key, v[k].value, &v[k].source);
        }
    }
    *out = v;
    return n;
}
