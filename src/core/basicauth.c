/*
 * basicauth.c - HTTP Basic with a bounded, keyed cache (see basicauth.h).
 */
#include "core/basicauth.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/acctlimit.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/slots.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* The longest header value read: "Basic " and base64 of an email (254)
 * and a password (PASSWORD_MAX_BYTES) with room to spare. */
#define BASIC_DECODED_MAX (256 + PASSWORD_MAX_BYTES + 2)

struct basic_cache {
    uint8_t secret[KEYED_HASH_KEY]; /* made at start; constant */
    bool off;                       /* n was 0 */
    struct slots table;             /* struct entry; striped locks inside */
};

struct entry {
    uint8_t key[KEYED_HASH_BYTES];
    int64_t user_id;
    uint8_t stamp[KEYED_HASH_BYTES]; /* keyed hash of the user's password hash */
    int64_t expires_ms;              /* monotonic; 0: forgotten */
};

struct basic_cache *basic_cache_new(size_t n)
{
    struct basic_cache *c = xcalloc(1, sizeof(*c));
    random_bytes(c->secret, sizeof(c->secret));
    c->off = n == 0;
    slots_init(&c->table, n > 0 ? n : 1);
    return c;
}

void basic_cache_free(struct basic_cache *c)
{
    if (c == NULL)
        return;
    slots_fini(&c->table);
    secure_wipe(c->secret, sizeof(c->secret));
    free(c);
}

static uint64_t key64(const uint8_t key[KEYED_HASH_BYTES])
{
    uint64_t k;
    memcpy(&k, key, sizeof(k));
    return k;
}

static bool same_key(const void *entry, const void *item)
{
    const struct entry *e = entry, *i = item;
    return memcmp(e->key, i->key, KEYED_HASH_BYTES) == 0 || e->expires_ms <= time_mono_ms();
}

static void put(struct basic_cache *c, const uint8_t key[KEYED_HASH_BYTES], int64_t user_id,
                const uint8_t stamp[KEYED_HASH_BYTES], int64_t expires_ms)
{
    struct entry *e = xmalloc(sizeof(*e));
    memcpy(e->key, key, KEYED_HASH_BYTES);
    e->user_id = user_id;
    memcpy(e->stamp, stamp, KEYED_HASH_BYTES);
    e->expires_ms = expires_ms;
    slots_put(&c->table, slots_set(&c->table, key64(key)), e, same_key);
}

/* True if key is remembered, unexpired, for user_id with stamp. */
static bool lookup(struct basic_cache *c, const uint8_t key[KEYED_HASH_BYTES], int64_t user_id,
                   const uint8_t stamp[KEYED_HASH_BYTES])
{
    size_t set = slots_set(&c->table, key64(key));
    void *const *ways = slots_read(&c->table, set);
    bool hit = false;
    int64_t now = time_mono_ms();
    for (size_t i = 0; i < SLOTS_WAYS && !hit; i++) {
        const struct entry *e = ways[i];
        hit = e != NULL && ct_equal(e->key, key, KEYED_HASH_BYTES) && e->expires_ms > now &&
              e->user_id == user_id && ct_equal(e->stamp, stamp, KEYED_HASH_BYTES);
    }
    slots_done(&c->table, set);
    return hit;
}

static void stamp_of(const struct basic_cache *c, const char *hash, uint8_t out[KEYED_HASH_BYTES])
{
    keyed_hash(c->secret, hash, strlen(hash), out);
}

/* Splits "Basic <base64 of email:password>" into arena copies. */
static bool parse(struct arena *a, const char *header, char **email, char **password)
{
    if (header == NULL || strncasecmp(header, "Basic ", 6) != 0)
        return false;
    const char *b64 = header + 6;
    while (*b64 == ' ')
        b64++;
    size_t n = strlen(b64);
    if (n == 0 || n > ((size_t)BASIC_DECODED_MAX / 3 + 1) * 4)
        return false;
    char *plain = arena_alloc(a, BASIC_DECODED_MAX + 1);
    size_t len;
    if (!base64_decode(b64, n, plain, BASIC_DECODED_MAX, &len) || memchr(plain, '\0', len))
        return false;
    plain[len] = '\0';
    char *colon = strchr(plain, ':');
    if (colon == NULL || colon == plain)
        return false;
    *colon = '\0';
    *email = plain;
    *password = colon + 1;
    return true;
}

int basic_begin(struct server *srv, struct arena *a, struct basic_login *b, const char *header,
                const char *ip)
{
    *b = (struct basic_login){.srv = srv, .cache = srv->basic, .ip = ip};
    char *email, *password;
    if (!parse(a, header, &email, &password) || strlen(password) > PASSWORD_MAX_BYTES)
        return ERR_UNAUTHENTICATED;
    for (char *c = email; *c; c++) {
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    }
    b->password = xstrdup(password);
    secure_wipe(password, strlen(password));
    if (b->cache != NULL) {
        /* email, a NUL, password: no two credentials share a message. */
        size_t el = strlen(email), pl = strlen(b->password);
        char *msg = arena_alloc(a, el + pl + 1);
        memcpy(msg, email, el + 1);
        memcpy(msg + el + 1, b->password, pl);
        keyed_hash(b->cache->secret, msg, el + 1 + pl, b->key);
        secure_wipe(msg, el + 1 + pl);
    }
    int rc = store_user_by_email(srv->store, a, email, &b->user);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    b->found = rc == 0 && b->user.password_hash != NULL;
    b->hash = b->found ? b->user.password_hash : password_dummy_hash(&srv->pw);
    if (b->found && b->cache != NULL && !b->cache->off) {
        uint8_t stamp[KEYED_HASH_BYTES];
        stamp_of(b->cache, b->hash, stamp);
        b->hit = lookup(b->cache, b->key, b->user.id, stamp);
        b->verified = b->hit;
    }
    /* A remembered credential was proven; any other is a guess to count
     * (core/acctlimit.h), checked only now so the hot path stays cheap. */
    b->email = email;
    if (!b->hit && acctlimit_locked(srv, email, b->ip, &b->retry_after))
        return ERR_LIMIT;
    return 0;
}

void basic_verify(void *arg)
{
    struct basic_login *b = arg;
    /* password_check: a stale hash costs today's hash too (issue 16); Basic
     * does not store the rehash, a login on another route does. */
    char unused[PASSWORD_HASH_MAX];
    b->verified = password_check(&b->srv->pw, b->password, b->hash, unused, NULL) && b->found;
    secure_wipe(unused, sizeof(unused));
}

int basic_finish(struct basic_login *b, struct principal *p)
{
    memset(p, 0, sizeof(*p));
    if (!b->hit)
        acctlimit_record(b->srv, b->email, b->ip, b->verified);
    if (!b->verified)
        return ERR_UNAUTHENTICATED;
    bool remember = b->cache != NULL && !b->cache->off;
    uint8_t stamp[KEYED_HASH_BYTES];
    if (remember)
        stamp_of(b->cache, b->hash, stamp);
    p->user = b->user;
    p->via = VIA_PASSWORD;
    int rc = principal_check_user(p);
    if (remember) {
        /* An inactive user's entry is forgotten (expires now). */
        int64_t until = rc == 0 ? time_mono_ms() + (int64_t)BASIC_WINDOW_S * 1000 : 0;
        if (!b->hit || rc != 0)
            put(b->cache, b->key, b->user.id, stamp, until);
    }
    return rc;
}

void basic_fini(struct basic_login *b)
{
    if (b->password != NULL) {
        secure_wipe(b->password, strlen(b->password));
        free(b->password);
    }
    b->password = NULL;
    secure_wipe(b->key, sizeof(b->key));
}
