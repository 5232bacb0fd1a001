/*
 * password.c - argon2id hashing (libsodium) and bcrypt verification (libcrypt).
 *
 * New hashes are argon2id in PHP's PASSWORD_ARGON2ID encoding, so hashes
 * move between latchkey and Laravel apps in both directions. bcrypt is only
 * verified, for imported users, who are rehashed at their next login.
 * password_check() makes a login cost today's argon2id at least, whatever
 * the stored hash, so timing does not tell known emails from unknown ones.
 *
 * Every function is thread-safe except the first call of
 * password_dummy_hash(), which fills a static buffer; call it once at
 * start-up. Nothing here logs: inputs are passwords and hashes.
 */
#include "crypto/password.h"

#include <crypt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/random.h"
#include "util/err.h"
#include "util/xalloc.h"

_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "argon2id strings must fit");

#define ARGON2ID_PREFIX    "$argon2id$"
#define BCRYPT_LEN         60
#define DUMMY_PASSWORD_LEN 32

/* Returns the length of s if it is at most max bytes, else max + 1. */
static size_t bounded_len(const char *s, size_t max)
{
    return strnlen(s, max + 1);
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_bcrypt(const char *hash)
{
    return has_prefix(hash, "$2y$") || has_prefix(hash, "$2b$") || has_prefix(hash, "$2a$");
}

/*
 * Copies an argon2id string into a full crypto_pwhash_STRBYTES buffer, as
 * libsodium's prototypes ask for. False if it does not fit.
 */
static bool copy_argon2id(const char *hash, char buf[crypto_pwhash_STRBYTES])
{
    size_t n = bounded_len(hash, crypto_pwhash_STRBYTES - 1);

    if (n >= crypto_pwhash_STRBYTES)
        return false;
    memset(buf, 0, crypto_pwhash_STRBYTES);
    memcpy(buf, hash, n);
    return true;
}

struct password_params password_default_params(void)
{
    struct password_params p = {
        .opslimit = 4,
        .memlimit = (size_t)64 * 1024 * 1024,
    };
    return p;
}

int password_hash(const struct password_params *p, const char *password,
                  char out[PASSWORD_HASH_MAX])
{
    size_t n;

    if (p == NULL || password == NULL)
        return ERR_INVALID;
    n = bounded_len(password, PASSWORD_MAX_BYTES);
    if (n > PASSWORD_MAX_BYTES)
        return ERR_LIMIT;
    if (crypto_pwhash_str_alg(out, password, n, p->opslimit, p->memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return ERR_CRYPTO;
    return 0;
}

static bool verify_argon2id(const char *password, size_t n, const char *hash)
{
    char buf[crypto_pwhash_STRBYTES];

    if (!copy_argon2id(hash, buf))
        return false;
    return crypto_pwhash_str_verify(buf, password, n) == 0;
}

/*
 * struct crypt_data is about 32 KiB, too big for small thread stacks, and
 * holds key-derived state, so it lives on the heap and is wiped.
 */
static bool verify_bcrypt(const char *password, const char *hash)
{
    struct crypt_data *cd = NULL;
    const char *res;
    bool ok = false;

    if (bounded_len(hash, BCRYPT_LEN) != BCRYPT_LEN)
        goto out;
    cd = xcalloc(1, sizeof(*cd));
    res = crypt_r(password, hash, cd);
    /* libxcrypt reports failure as NULL or as a string starting with '*'. */
    if (res == NULL || res[0] == '*')
        goto out;
    ok = ct_streq(res, hash);
out:
    if (cd != NULL) {
        secure_wipe(cd, sizeof(*cd));
        free(cd);
    }
    return ok;
}

bool password_verify(const char *password, const char *hash)
{
    size_t n;

    if (password == NULL || hash == NULL)
        return false;
    n = bounded_len(password, PASSWORD_MAX_BYTES);
    if (n > PASSWORD_MAX_BYTES)
        return false;
    if (has_prefix(hash, ARGON2ID_PREFIX))
        return verify_argon2id(password, n, hash);
    if (is_bcrypt(hash))
        return verify_bcrypt(password, hash);
    return false;
}

bool password_needs_rehash(const struct password_params *p, const char *hash)
{
    char buf[crypto_pwhash_STRBYTES];

    if (p == NULL || hash == NULL || !has_prefix(hash, ARGON2ID_PREFIX))
        return true;
    if (!copy_argon2id(hash, buf))
        return true;
    /* 0 means same algorithm and parameters; 1 differs; -1 malformed. */
    return crypto_pwhash_str_needs_rehash(buf, p->opslimit, p->memlimit) != 0;
}

bool password_check(const struct password_params *p, const char *password, const char *hash,
                    char new_hash[PASSWORD_HASH_MAX], bool *rehashed)
{
    bool ok = password_verify(password, hash);
    bool hashed = false;

    /*
     * A hash at other parameters (an older cost, an imported bcrypt one,
     * none at all) costs what it costs to verify, not what the dummy hash
     * of an unknown email costs: pay today's cost once more, whatever the
     * outcome, so that such an account is never faster than an unknown
     * email. On success the work is the rehash the login wanted anyway.
     */
    if (password_needs_rehash(p, hash) && password != NULL)
        hashed = password_hash(p, password, new_hash) == 0;
    if (rehashed != NULL)
        *rehashed = ok && hashed;
    return ok;
}

/*
 * Used only if hashing fails (e.g. parameters rejected): a valid argon2id
 * (t=4, m=64 MiB) string of a random password that was thrown away.
 */
static const char fallback_dummy[] = "$argon2id$v=19$m=65536,t=4,p=1$w7mKMPu99O2ZS5HFGCKU4A$"
                                     "DL1s5LwDFa+TlOGcAXwxnyLwPn4F59PHeDDWx1cquFc";

const char *password_dummy_hash(const struct password_params *p)
{
    static char dummy[PASSWORD_HASH_MAX];
    static bool ready;
    char pw[DUMMY_PASSWORD_LEN + 1];
    int rc;

    if (ready)
        return dummy;
    if (p == NULL)
        return fallback_dummy;
    random_alnum(pw, DUMMY_PASSWORD_LEN);
    rc = password_hash(p, pw, dummy);
    secure_wipe(pw, sizeof(pw));
    if (rc != 0)
        return fallback_dummy;
    ready = true;
    return dummy;
}
