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
    char *sealed;      /* owned: the stored text it was opened from; NULL if stored clear */
    char *public_jwk;  /* owned */
    int64_t created_at;
    int64_t retired_at;
};

struct keyring {
    struct store *store;
    int64_t ttl_s;
    unsigned char kek[JWT_KEK_BYTES]; /* constant once set; wiped on free */
    bool have_kek;
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
        free(keys[i].sealed);
        free(keys[i].public_jwk);
    }
    free(keys);
}

void keyring_free(struct keyring *kr)
{
    if (kr == NULL)
        return;
    free_keys(kr->keys, kr->n);
    secure_wipe(kr->kek, sizeof(kr->kek));
    jwt_memo_free(kr->memo);
    pthread_mutex_destroy(&kr->mu);
    free(kr);
}

int64_t keyring_verifies_until(const struct keyring *kr, const struct signing_key *k)
{
    if (k->revoked_at != 0)
        return k->revoked_at;
    return k->retired_at == 0 ? 0 : k->retired_at + kr->ttl_s + KEYRING_GRACE_S;
}

static bool verifies(const struct keyring *kr, const struct ring_key *k, int64_t now)
{
    return k->retired_at == 0 || now < k->retired_at + kr->ttl_s + KEYRING_GRACE_S;
}

void keyring_set_kek(struct keyring *kr, const unsigned char kek[JWT_KEK_BYTES])
{
    memcpy(kr->kek, kek, JWT_KEK_BYTES);
    kr->have_kek = true;
}

/* The clear PEM of a stored private key text (sealed or, from before
 * encryption at rest, clear), malloc'd; NULL with *rc on failure. */
static char *open_private(const struct keyring *kr, const char *kid, const char *text, int *rc)
{
    char *pem = NULL;
    *rc = 0;
    if (!jwt_key_is_sealed(text))
        return xstrdup(text);
    if (!kr->have_kek) {
        *rc = ERR_CRYPTO;
        log_error("event=signing_key_unreadable kid=%s msg=\"sealed, and no key encryption key "
                  "(LATCHKEY_KEY_ENCRYPTION_KEY or LATCHKEY_KEY_ENCRYPTION_KEY_FILE)\"",
                  kid);
        return NULL;
    }
    *rc = jwt_key_open(kr->kek, text, &pem);
    if (*rc != 0)
        log_error("event=signing_key_unreadable kid=%s msg=\"cannot decrypt it with the key "
                  "encryption key: a different key (LATCHKEY_KEY_ENCRYPTION_KEY or its file) than "
                  "the one that sealed it, or an altered row\"",
                  kid);
    return pem;
}

/*
 * The clear PEM of row, malloc'd, as open_private; a key the ring already
 * holds opened from the same sealed text is copied rather than decrypted
 * again (a reload every KEYRING_REFRESH_MS used to spend ~50 us of a
 * request's thread on it). Only the loader calls this (kr->loading), and
 * only the loader replaces kr->keys, so reading them without mu is safe.
 */
static char *open_row(const struct keyring *kr, const struct signing_key *row, int *rc)
{
    *rc = 0;
    for (size_t i = 0; i < kr->n && jwt_key_is_sealed(row->private_pem); i++) {
        const struct ring_key *k = &kr->keys[i];
        if (k->sealed != NULL && strcmp(k->kid, row->kid) == 0 &&
            strcmp(k->sealed, row->private_pem) == 0)
            return xstrdup(k->private_pem);
    }
    return open_private(kr, row->kid, row->private_pem, rc);
}

/* Copies the usable rows into an owned array, private keys opened. Rows
 * with a kid too long (they cannot come from us) and revoked keys are
 * skipped. A key that cannot be opened fails the whole load. */
static int copy_rows(const struct keyring *kr, const struct signing_key *rows, size_t n,
                     struct ring_key **out, size_t *out_n)
{
    struct ring_key *keys = xcalloc(n > 0 ? n : 1, sizeof(*keys));
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t len = strlen(rows[i].kid);
        if (len == 0 || len > JWT_KID_MAX || rows[i].private_pem == NULL ||
            rows[i].public_jwk == NULL || rows[i].revoked_at != 0)
            continue;
        keys[m].private_pem = open_row(kr, &rows[i], &rc);
        if (rc != 0)
            break;
        if (jwt_key_is_sealed(rows[i].private_pem))
            keys[m].sealed = xstrdup(rows[i].private_pem);
        memcpy(keys[m].kid, rows[i].kid, len + 1);
        keys[m].public_jwk = xstrdup(rows[i].public_jwk);
        keys[m].created_at = rows[i].created_at;
        keys[m].retired_at = rows[i].retired_at;
        m++;
    }
    if (rc != 0) {
        free_keys(keys, m);
        keys = NULL;
        m = 0;
    }
    *out = keys;
    *out_n = m;
    return rc;
}

/* Wipes the private key texts of rows read from the store. */
static void wipe_rows(struct signing_key *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (rows[i].private_pem != NULL)
            secure_wipe((char *)(uintptr_t)rows[i].private_pem, strlen(rows[i].private_pem));
    }
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
        rc = copy_rows(kr, rows, n_rows, &keys, &n);
    wipe_rows(rows, n_rows);
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

/* *n = the stored keys not retired (revoked ones too): those a rotation's
 * retire_others must retire. */
static int count_unretired(struct keyring *kr, int64_t *n)
{
    struct arena *a = arena_new();
    struct signing_key *rows = NULL;
    size_t len = 0;
    int rc = store_signing_key_list(kr->store, a, &rows, &len);
    *n = 0;
    for (size_t i = 0; rc == 0 && i < len; i++)
        *n += rows[i].retired_at == 0;
    wipe_rows(rows, len);
    arena_free(a);
    return rc;
}

/* Generates a key and inserts it sealed (retiring the others when
 * rotate), inside the caller's transaction. A rotation retires exactly
 * the keys it counted first: when fewer change, a concurrent rotation
 * retired them and won (PostgreSQL's row locks make the loser's update
 * skip them), and this one answers ERR_BUSY and is rolled back, so one
 * key signs afterwards, never two. */
static int insert_key(struct keyring *kr, bool rotate, char kid[JWT_KID_MAX + 1])
{
    if (!kr->have_kek)
        return ERR_CRYPTO;
    int64_t unretired = 0;
    int rc = rotate ? count_unretired(kr, &unretired) : 0;
    if (rc != 0)
        return rc;
    struct jwt_keypair kp;
    rc = jwt_keygen(KEYRING_RSA_BITS, &kp);
    if (rc != 0)
        return rc;
    char *sealed = jwt_key_seal(kr->kek, kp.private_pem);
    struct signing_key k = {
        .kid = kp.kid,
        .alg = "RS256",
        .private_pem = sealed,
        .public_jwk = kp.public_jwk,
    };
    rc = store_signing_key_insert(kr->store, &k);
    int64_t retired = 0;
    if (rc == 0 && rotate)
        rc = store_signing_key_retire_others(kr->store, kp.kid, k.created_at, &retired);
    if (rc == 0 && rotate && retired != unretired)
        rc = ERR_BUSY;
    if (rc == 0)
        memcpy(kid, kp.kid, strlen(kp.kid) + 1);
    free(sealed);
    jwt_keypair_fini(&kp);
    return rc;
}

/* Runs fn in one transaction, then reloads the cache (after switching to
 * new_kek, if not NULL, once the transaction committed). */
static int in_tx(struct keyring *kr, int (*fn)(struct keyring *kr, void *ctx), void *ctx,
                 const unsigned char *new_kek)
{
    int rc = store_tx_begin(kr->store);
    if (rc != 0)
        return rc;
    rc = fn(kr, ctx);
    if (rc == 0)
        rc = store_tx_commit(kr->store);
    else
        store_tx_rollback(kr->store);
    if (rc == 0 && new_kek != NULL)
        keyring_set_kek(kr, new_kek);
    if (rc == 0)
        rc = refresh(kr, true);
    return rc;
}

struct add_ctx {
    bool rotate;
    char *kid;
};

static int add_fn(struct keyring *kr, void *ctx)
{
    struct add_ctx *c = ctx;
    return insert_key(kr, c->rotate, c->kid);
}

static int add_key(struct keyring *kr, bool rotate, char kid[JWT_KID_MAX + 1])
{
    struct add_ctx c = {.rotate = rotate, .kid = kid};
    return in_tx(kr, add_fn, &c, NULL);
}

/* Seals under kek every key still stored in clear (keys made before
 * encryption at rest), each with an update conditional on the text read,
 * so instances starting together write each key once. */
static int seal_clear_keys(struct keyring *kr)
{
    struct arena *a = arena_new();
    struct signing_key *rows = NULL;
    size_t n = 0;
    int rc = store_signing_key_list(kr->store, a, &rows, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (rows[i].revoked_at != 0 || jwt_key_is_sealed(rows[i].private_pem))
            continue;
        if (!kr->have_kek) {
            rc = ERR_CRYPTO;
            break;
        }
        char *sealed = jwt_key_seal(kr->kek, rows[i].private_pem);
        rc = store_signing_key_set_private(kr->store, rows[i].kid, rows[i].private_pem, sealed);
        free(sealed);
        if (rc == 0)
            log_info("event=signing_key_sealed kid=%s", rows[i].kid);
        else if (rc == ERR_CONFLICT)
            rc = 0; /* another instance sealed it first */
    }
    wipe_rows(rows, n);
    arena_free(a);
    return rc;
}

int keyring_ensure(struct keyring *kr, bool *created)
{
    if (created != NULL)
        *created = false;
    int rc = refresh(kr, true);
    if (rc == 0)
        rc = seal_clear_keys(kr);
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

struct revoke_ctx {
    const char *kid;
    bool rotate;
    char *new_kid;
};

/* The revocation's checks and writes, in its transaction: the key exists
 * and is not revoked; it is not the only active key unless a new one
 * is rotated in first. */
static int revoke_fn(struct keyring *kr, void *ctx)
{
    struct revoke_ctx *c = ctx;
    struct arena *a = arena_new();
    struct signing_key *rows = NULL;
    size_t n = 0;
    int rc = store_signing_key_list(kr->store, a, &rows, &n);
    bool found = false, target_active = false;
    size_t others_active = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (rows[i].revoked_at != 0)
            continue;
        bool is_target = strcmp(rows[i].kid, c->kid) == 0;
        found = found || is_target;
        if (rows[i].retired_at == 0) {
            if (is_target)
                target_active = true;
            else
                others_active++;
        }
    }
    wipe_rows(rows, n);
    arena_free(a);
    if (rc == 0 && !found)
        rc = ERR_NOT_FOUND;
    if (rc == 0 && target_active && others_active == 0 && !c->rotate)
        rc = ERR_CONFLICT;
    if (rc == 0 && c->rotate)
        rc = insert_key(kr, true, c->new_kid);
    if (rc == 0)
        rc = store_signing_key_revoke(kr->store, c->kid, time_now());
    return rc;
}

int keyring_revoke(struct keyring *kr, const char *kid, bool rotate, char new_kid[JWT_KID_MAX + 1])
{
    struct revoke_ctx c = {.kid = kid, .rotate = rotate, .new_kid = new_kid};
    int rc = in_tx(kr, revoke_fn, &c, NULL);
    if (rc == 0) {
        /* The memo's entries of this key's tokens are refused by the kid
         * look-up from now on; nothing else to drop. */
        log_warnx("event=signing_key_revoked kid=%s", kid);
        if (rotate)
            log_info("event=signing_key_rotated kid=%s", new_kid);
    }
    return rc;
}

struct rewrap_ctx {
    const unsigned char *new_kek;
    size_t n;
};

/* Opens every unrevoked key with the current KEK (or reads it clear) and
 * seals it under the new one, in the caller's transaction. */
static int rewrap_fn(struct keyring *kr, void *ctx)
{
    struct rewrap_ctx *c = ctx;
    struct arena *a = arena_new();
    struct signing_key *rows = NULL;
    size_t n = 0;
    int rc = store_signing_key_list(kr->store, a, &rows, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (rows[i].revoked_at != 0)
            continue;
        char *pem = open_private(kr, rows[i].kid, rows[i].private_pem, &rc);
        if (rc != 0)
            break;
        char *sealed = jwt_key_seal(c->new_kek, pem);
        secure_wipe(pem, strlen(pem));
        free(pem);
        rc = store_signing_key_set_private(kr->store, rows[i].kid, rows[i].private_pem, sealed);
        free(sealed);
        if (rc == 0)
            c->n++;
    }
    wipe_rows(rows, n);
    arena_free(a);
    return rc;
}

int keyring_rewrap(struct keyring *kr, const unsigned char new_kek[JWT_KEK_BYTES], size_t *n)
{
    struct rewrap_ctx c = {.new_kek = new_kek, .n = 0};
    int rc = in_tx(kr, rewrap_fn, &c, new_kek);
    *n = rc == 0 ? c.n : 0;
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
            /* Without an arena the caller asks only whether kid verifies:
             * a non-NULL answer it will not read. */
            out = a != NULL ? arena_strdup(a, kr->keys[i].public_jwk) : "";
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
