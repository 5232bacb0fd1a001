/*
 * hostcache.h - which tenant a request's host names (DESIGN section 5:
 * after X-Tenant, "a tenant whose domain is the request's Host"), with a
 * small cache in front of the indexed store lookup, since the question is
 * asked on every authenticated travel request that carries a host name.
 *
 * An entry (host -> slug, or -> none) is used while it is fresh: on
 * SQLite while the store's change stamp is the one it was read under (any
 * commit, such as a new tenant, makes it stale, as in core/pcache); on
 * PostgreSQL, where other instances write without telling this one, for
 * at most HOSTCACHE_TTL_MS. Thread-safe: util/slots' striped locks.
 */
#pragma once
#include <stddef.h>

struct arena;
struct hostcache;
struct store;

/* How long an entry answers without a change stamp (PostgreSQL). */
#define HOSTCACHE_TTL_MS 1000

/* A cache of about `entries` hosts; NULL when entries is 0 (no cache). */
struct hostcache *hostcache_new(size_t entries);
/* Frees every entry. Accepts NULL. No other thread may use hc by then. */
void hostcache_free(struct hostcache *hc);

/*
 * The slug of the tenant whose domain is host (already lower-cased,
 * without port: http_host) in *slug (arena copy), or NULL in *slug when
 * no tenant has it. hc may be NULL (every call asks the store). Returns 0
 * or a store error (ERR_STORE, ERR_UNAVAILABLE).
 */
int hostcache_tenant_slug(struct hostcache *hc, struct store *s, struct arena *a, const char *host,
                          const char **slug) __attribute__((warn_unused_result));
