/*
 * keyring.c - cached signing keys, rotation and first-start generation
 * (see keyring.h).
 *
 * The cache is an array of owned copies of the signing_keys rows, swapped
 * whole on reload: a reload reads the store without the lock and takes it
 * only to swap, so readers never wait on the database. Only one thread
 * reloads at a time (loading); the others keep using the old set.
 */
#include "core/keyring.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

struct ring_key {
    char kid[JWT_KID_MAX + 1];
    char *private_pem; /* owned, wiped */
    char *public_jwk;  /* owned */
    int64_t created_at;
    int64_t retired_at;
};

struct keyring {
    struct store *store;
    int64_t ttl_s;
    pthread_mutex_t mu; /* guards keys, n, loaded_ms, loading */
    struct ring_key *keys;
    size_t n;
    int64_t loaded_ms; /* monotonic time of the last load; 0: never */
    bool loading;
    struct jwt_memo *memo; /* constant; its own locks */
};

struct jwt_memo *keyring_memo(struct keyring *kr)
{
    return kr->memo;
}

struct keyring *keyring_new(struct store *store, int64_t ttl_s)
{
    struct keyring *kr = xcalloc(1, sizeof(*kr));
    kr->store = store;
    kr->ttl_s = ttl_s;
    pthread_mutex_init(&kr->mu, NULL);
    kr->memo = jwt_memo_new(KEYRING_MEMO_SLOTS);
    return kr;
}

static void free_keys(struct ring_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        secure_wipe(keys[i].private_pem, strlen(keys[i].private_pem));
        free(keys[i].private_pem);
        free(keys[i].public_jwk);
    }
    free(keys);
}

void keyring_free(struct keyring *kr)
{
    if (kr == NULL)
        return;
    free_keys(kr->keys, kr->n);
    jwt_memo_free(kr->memo);
    pthread_mutex_destroy(&kr->mu);
    free(kr);
}

int64_t keyring_verifies_until(const struct keyring *kr, const struct signing_key *k)
{
    return k->retired_at == 0 ? 0 : k->retired_at + kr->ttl_s + KEYRING_GRACE_S;
}

static bool verifies(const struct keyring *kr, const struct ring_key *k, int64_t now)
{
    return k->retired_at == 0 || now < k->retired_at + kr->ttl_s + KEYRING_GRACE_S;
}

/* Copies the rows into an owned array; rows with a kid too long are
 * skipped (they cannot come from us). */
static struct ring_key *copy_rows(const struct signing_key *rows, size_t n, size_t *out_n)
{
    struct ring_key *keys = xcalloc(n > 0 ? n : 1, sizeof(*keys));
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(rows[i].kid);
        if (len == 0 || len > JWT_KID_MAX || rows[i].private_pem == NULL ||
            rows[i].public_jwk == NULL)
            continue;
        memcpy(keys[m].kid, rows[i].kid, len + 1);
        keys[m].private_pem = xstrdup(rows[i].private_pem);
        keys[m].public_jwk = xstrdup(rows[i].public_jwk);
        keys[m].created_at = rows[i].created_at;
        keys[m].retired_at = rows[i].retired_at;
        m++;
    }
    *out_n = m;
    return keys;
}

/* Reloads the cache if it is older than KEYRING_REFRESH_MS (or always,
 * with force). On a store error the old set stays. */
static int refresh(struct keyring *kr, bool force)
{
    int64_t now = time_mono_ms();
    pthread_mutex_lock(&kr->mu);
    bool stale = force || kr->loaded_ms == 0 || now - kr->loaded_ms >= KEYRING_REFRESH_MS;
    if (!stale || kr->loading) {
        pthread_mutex_unlock(&kr->mu);
        return 0;
    }
    kr->loading = true;
    pthread_mutex_unlock(&kr->mu);

    struct arena *a = arena_new();
    struct signing_key *rows = NULL;
    size_t n_rows = 0, n = 0;
    struct ring_key *keys = NULL;
    int rc = store_signing_key_list(kr->store, a, &rows, &n_rows);
    if (rc == 0)
        keys = copy_rows(rows, n_rows, &n);
    for (size_t i = 0; i < n_rows; i++)
        secure_wipe((char *)(uintptr_t)rows[i].private_pem, strlen(rows[i].private_pem));
    arena_free(a);

    pthread_mutex_lock(&kr->mu);
    struct ring_key *old = kr->keys;
    size_t old_n = kr->n;
    if (rc == 0) {
        kr->keys = keys;
        kr->n = n;
    }
    kr->loaded_ms = now;
    kr->loading = false;
    pthread_mutex_unlock(&kr->mu);
    if (rc == 0)
        free_keys(old, old_n);
    else
        log_error("event=keyring_load_failed err=\"%s\"", err_str(rc));
    return rc;
}

/* The newest active key, or NULL. Call with mu held. */
static const struct ring_key *active(const struct keyring *kr)
{
    const struct ring_key *best = NULL;
    for (size_t i = 0; i < kr->n; i++) {
        const struct ring_key *k = &kr->keys[i];
        if (k->retired_at != 0)
            continue;
        if (best == NULL || k->created_at > best->created_at ||
            (k->created_at == best->created_at && strcmp(k->kid, best->kid) > 0))
            best = k;
    }
    return best;
}

/* Generates a key and stores it (retiring the others when rotate). */
static int add_key(struct keyring *kr, bool rotate, char kid[JWT_KID_MAX + 1])
{
    struct jwt_keypair kp;
    int rc = jwt_keygen(KEYRING_RSA_BITS, &kp);
    if (rc != 0)
        return rc;
    struct signing_key k = {
        .kid = kp.kid,
        .alg = "RS256",
        .private_pem = kp.private_pem,
        .public_jwk = kp.public_jwk,
    };
    rc = store_tx_begin(kr->store);
    if (rc == 0) {
        rc = store_signing_key_insert(kr->store, &k);
        if (rc == 0 && rotate)
            rc = store_signing_key_retire_others(kr->store, kp.kid, k.created_at, NULL);
        if (rc == 0)
            rc = store_tx_commit(kr->store);
        else
            store_tx_rollback(kr->store);
    }
    if (rc == 0 && kid != NULL)
        memcpy(kid, kp.kid, strlen(kp.kid) + 1);
    jwt_keypair_fini(&kp);
    if (rc == 0)
        rc = refresh(kr, true);
    return rc;
}

int keyring_ensure(struct keyring *kr, bool *created)
{
    if (created != NULL)
        *created = false;
    int rc = refresh(kr, true);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&kr->mu);
    bool have = active(kr) != NULL;
    pthread_mutex_unlock(&kr->mu);
    if (have)
        return 0;
    char kid[JWT_KID_MAX + 1];
    rc = add_key(kr, false, kid);
    if (rc == 0) {
        log_info("event=signing_key_created kid=%s", kid);
        if (created != NULL)
            *created = true;
    }
    return rc;
}

int keyring_rotate(struct keyring *kr, char kid[JWT_KID_MAX + 1])
{
    int rc = add_key(kr, true, kid);
    if (rc == 0)
        log_info("event=signing_key_rotated kid=%s", kid);
    return rc;
}

int keyring_sign(struct keyring *kr, const struct jwt_claims *c, char **token,
                 char kid[JWT_KID_MAX + 1])
{
    *token = NULL;
    (void)refresh(kr, false);
    char use_kid[JWT_KID_MAX + 1];
    char *pem = NULL;
    pthread_mutex_lock(&kr->mu);
    const struct ring_key *k = active(kr);
    if (k != NULL) {
        memcpy(use_kid, k->kid, sizeof(use_kid));
        pem = xstrdup(k->private_pem);
    }
    pthread_mutex_unlock(&kr->mu);
    if (pem == NULL)
        return ERR_UNAVAILABLE;
    int rc = jwt_sign(use_kid, pem, c, token);
    secure_wipe(pem, strlen(pem));
    free(pem);
    if (rc == 0 && kid != NULL)
        memcpy(kid, use_kid, sizeof(use_kid));
    return rc;
}

const char *keyring_lookup(void *ctx, struct arena *a, const char *kid)
{
    struct keyring *kr = ctx;
    (void)refresh(kr, false);
    int64_t now = time_now();
    const char *out = NULL;
    pthread_mutex_lock(&kr->mu);
    for (size_t i = 0; i < kr->n; i++) {
        if (strcmp(kr->keys[i].kid, kid) == 0 && verifies(kr, &kr->keys[i], now)) {
            out = arena_strdup(a, kr->keys[i].public_jwk);
            break;
        }
    }
    pthread_mutex_unlock(&kr->mu);
    return out;
}

int keyring_verifying(struct keyring *kr, struct arena *a, int64_t now, struct signing_key **out,
                      size_t *n)
{
    *out = NULL;
    *n = 0;
    int rc = refresh(kr, false);
    pthread_mutex_lock(&kr->mu);
    struct signing_key *rows = arena_alloc(a, sizeof(*rows) * (kr->n + 1));
    size_t m = 0;
    for (size_t i = 0; i < kr->n; i++) {
        const struct ring_key *k = &kr->keys[i];
        if (!verifies(kr, k, now))
            continue;
        rows[m++] = (struct signing_key){
            .kid = arena_strdup(a, k->kid),
            .alg = "RS256",
            .public_jwk = arena_strdup(a, k->public_jwk),
            .created_at = k->created_at,
            .retired_at = k->retired_at,
        };
    }
    bool loaded = kr->loaded_ms != 0 && (kr->n > 0 || rc == 0);
    pthread_mutex_unlock(&kr->mu);
    *out = rows;
    *n = m;
    return loaded ? 0 : rc;
}

int keyring_list(struct keyring *kr, struct arena *a, struct signing_key **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct signing_key *rows = NULL;
    size_t n_rows = 0;
    int rc = store_signing_key_list(kr->store, a, &rows, &n_rows);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n_rows; i++) {
        if (rows[i].private_pem != NULL)
            secure_wipe((char *)(uintptr_t)rows[i].private_pem, strlen(rows[i].private_pem));
        rows[i].private_pem = NULL;
    }
    *out = rows;
    *n = n_rows;
    return 0;
}
