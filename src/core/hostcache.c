/*
 * hostcache.c - host -> tenant slug, cached (see hostcache.h).
 *
 * An entry is one malloc'd block: the struct, then the host and the slug
 * (empty: no tenant has that domain, which is cached too, since most
 * hosts, such as a shared API name, name none). A lookup copies the slug
 * out under its set's read lock; a miss reads the store without any lock
 * and installs a new entry (util/slots).
 */
#include "core/hostcache.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/slots.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

struct entry {
    bool stamped;       /* read under a change stamp (SQLite) */
    uint64_t stamp;     /* that stamp */
    int64_t expires_ms; /* time_mono_ms(): without a stamp, fresh until then */
    const char *slug;   /* "" for none; in the block, after the host */
    char host[];
};

struct hostcache {
    struct slots table; /* struct entry */
};

struct hostcache *hostcache_new(size_t entries)
{
    if (entries == 0)
        return NULL;
    struct hostcache *hc = xcalloc(1, sizeof(*hc));
    slots_init(&hc->table, entries);
    return hc;
}

void hostcache_free(struct hostcache *hc)
{
    if (hc == NULL)
        return;
    slots_fini(&hc->table);
    free(hc);
}

static bool fresh(const struct entry *e, bool stamped, uint64_t stamp, int64_t now_ms)
{
    return stamped ? e->stamped && e->stamp == stamp : !e->stamped && now_ms < e->expires_ms;
}

/* slots_put's choice: the same host. */
static bool same_host(const void *old, const void *item)
{
    return strcmp(((const struct entry *)old)->host, ((const struct entry *)item)->host) == 0;
}

/* The store's answer: the slug copied into a, or NULL for none. */
static int lookup(struct store *s, struct arena *a, const char *host, const char **slug)
{
    struct tenant t;
    int rc = store_tenant_by_domain(s, a, host, &t);
    *slug = rc == 0 ? t.slug : NULL;
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

int hostcache_tenant_slug(struct hostcache *hc, struct store *s, struct arena *a, const char *host,
                          const char **slug)
{
    *slug = NULL;
    if (hc == NULL)
        return lookup(s, a, host, slug);
    uint64_t stamp = 0;
    /* The stamp first: what the read below returns is never older. */
    bool stamped = store_change_stamp(s, &stamp);
    int64_t now_ms = time_mono_ms();
    size_t set = slots_set(&hc->table, slots_key_str(host));
    void *const *ways = slots_read(&hc->table, set);
    for (size_t w = 0; w < SLOTS_WAYS; w++) {
        const struct entry *e = ways[w];
        if (e != NULL && strcmp(e->host, host) == 0 && fresh(e, stamped, stamp, now_ms)) {
            *slug = e->slug[0] != '\0' ? arena_strdup(a, e->slug) : NULL;
            slots_done(&hc->table, set);
            return 0;
        }
    }
    slots_done(&hc->table, set);

    int rc = lookup(s, a, host, slug);
    if (rc != 0)
        return rc;
    size_t hl = strlen(host), sl = *slug != NULL ? strlen(*slug) : 0;
    struct entry *e = xmalloc(sizeof(*e) + hl + 1 + sl + 1);
    e->stamped = stamped;
    e->stamp = stamp;
    e->expires_ms = now_ms + HOSTCACHE_TTL_MS;
    memcpy(e->host, host, hl + 1);
    char *slug_copy = e->host + hl + 1;
    if (sl > 0)
        memcpy(slug_copy, *slug, sl);
    slug_copy[sl] = '\0';
    e->slug = slug_copy;
    slots_put(&hc->table, set, e, same_host);
    return 0;
}
