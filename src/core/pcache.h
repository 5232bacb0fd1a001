/*
 * pcache.h - a read-through cache of store_principal_by_token, the one
 * read behind every authenticated request (DESIGN section 9), and of
 * store_org_list_by_user, the organisations AutoCom's /auth/me and
 * /auth/tenants list on every call.
 *
 * An entry is the rows that read returned, valid while the store's change
 * stamp (store_change_stamp) is the one it was read under: any commit makes
 * every entry stale, so a revocation, suspension or role change made by
 * this process applies to the next request exactly as without the cache,
 * and one made by another process (the CLI) within a millisecond. Nothing is cached when the
 * backend has no stamp (PostgreSQL: other instances write without telling this one) or a read
 * fails; misses (no such token) and lookups whose hash is not the token's (a wrong secret for a
 * real id) are never cached. The checks on the rows (revocation, expiry, hash comparison, status)
 * are the caller's and run on every request, cached or not.
 *
 * Thread-safe: tables of slots under striped locks, shared by every
 * thread. Memory is bounded by a byte budget (LATCHKEY_AUTH_CACHE_MB): an
 * entry counts its whole block (a principal about 1.3 KiB with the
 * bench's rows, an organisation about 400 bytes), and a table over its
 * budget replaces an entry rather than adding one.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct arena;
struct store;
struct principal_rows;
struct org_row;
struct pcache;

/* The smallest entry a table is sized for (bytes): a token, user, tenant and
 * role with short strings. A typical one is larger (see docs/decisions.md). */
#define PCACHE_ENTRY_MIN 512

/*
 * A cache whose entries hold at most `budget` bytes (three quarters for
 * principals, a quarter for organisations), in at most `entries` slots per
 * table (rounded up to a power of two); NULL when either is 0 (caching
 * off: every call reads the store). Entries are malloc'd as they are
 * read, so an idle cache holds only its zeroed slot arrays.
 */
struct pcache *pcache_new(size_t entries, size_t budget);
/* Frees every entry. Accepts NULL. No other thread may use pc by then. */
void pcache_free(struct pcache *pc);

/*
 * store_principal_by_token(s, a, token_id, hash_hex, out), served from pc
 * when it holds the same key under the current change stamp. The rows'
 * strings live in a either way. pc may be NULL.
 */
int pcache_principal_by_token(struct pcache *pc, struct store *s, struct arena *a, int64_t token_id,
                              const char *hash_hex, struct principal_rows *out)
    __attribute__((warn_unused_result));

/*
 * store_principal_in_tenant(s, a, token_id, tenant_slug, out) the same way,
 * keyed by the token id and the slug (a non-empty one; longer than a valid
 * slug: not cached). pc may be NULL.
 */
int pcache_principal_in_tenant(struct pcache *pc, struct store *s, struct arena *a,
                               int64_t token_id, const char *tenant_slug,
                               struct principal_rows *out) __attribute__((warn_unused_result));

/*
 * store_org_list_by_user(s, a, user_id, out, n), served from pc when it
 * holds that user's list under the current change stamp (an empty list
 * too). The rows and their strings live in a either way. pc may be NULL.
 */
int pcache_orgs_by_user(struct pcache *pc, struct store *s, struct arena *a, int64_t user_id,
                        struct org_row **out, size_t *n) __attribute__((warn_unused_result));

/* Counters since pcache_new (for tests and diagnostics). */
struct pcache_stats {
    uint64_t hits;
    uint64_t misses; /* read from the store: absent, stale or uncacheable */
    uint64_t org_hits;
    uint64_t org_misses;
    uint64_t bytes;     /* held by principal entries */
    uint64_t org_bytes; /* held by organisation entries */
};
void pcache_stats(struct pcache *pc, struct pcache_stats *out);
