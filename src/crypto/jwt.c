/*
 * jwt.c - RS256 sign and verify, key generation (see jwt.h).
 *
 * Verification runs in three gates, cheapest first, and the token must
 * pass all of them:
 *   1. shape: at most JWT_MAX_LEN bytes of base64url in exactly three
 *      non-empty parts; the header decodes to a small JSON object whose
 *      "alg" is exactly "RS256", whose "kid" names a key we hold, whose
 *      "typ" (if any) is "JWT" and which has no "crit";
 *   2. signature: rhonabwy parses with R_PARSE_NONE (keys embedded in the
 *      header are never used) and verifies with our public key only;
 *      R_FLAG_IGNORE_REMOTE everywhere, so nothing is ever downloaded;
 *   3. claims: iss, aud, exp, nbf, iat, sub and jti present with the right
 *      types (3a, the token alone) and values (3b, against the time and the
 *      configuration).
 * With a memo (jwt_memo.c), a token that passed gates 1, 2 and 3a before
 * goes straight to 3b with the facts remembered then, after its kid is
 * looked up again.
 * rhonabwy's r_global_init is not called: it only installs allocators we
 * do not change and initialises curl, which we never let it use.
 */
#include "crypto/jwt.h"

#include <jansson.h>
#include <rhonabwy.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/jwt_int.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/xalloc.h"

#define HEADER_MAX   1024 /* decoded header bytes */
#define PEM_MAX      16384
#define MIN_RSA_BITS 2048

static const int remote = R_FLAG_IGNORE_REMOTE;

const char *jwt_fail_str(enum jwt_fail f)
{
    switch (f) {
    case JWT_FAIL_NONE: return "none";
    case JWT_FAIL_FORMAT: return "format";
    case JWT_FAIL_ALG: return "alg";
    case JWT_FAIL_KID: return "kid";
    case JWT_FAIL_SIGNATURE: return "signature";
    case JWT_FAIL_ISS: return "iss";
    case JWT_FAIL_AUD: return "aud";
    case JWT_FAIL_EXPIRED: return "expired";
    case JWT_FAIL_NOT_YET: return "not_yet_valid";
    case JWT_FAIL_CLAIMS: return "claims";
    }
    return "unknown";
}

/* ---- keys ---- */

void jwt_keypair_fini(struct jwt_keypair *kp)
{
    if (kp->private_pem != NULL) {
        secure_wipe(kp->private_pem, strlen(kp->private_pem));
        free(kp->private_pem);
    }
    free(kp->public_jwk);
    kp->private_pem = NULL;
    kp->public_jwk = NULL;
    kp->kid[0] = '\0';
}

/* The public half as a minimal JWK {"kty","n","e"} (malloc'd text). */
static char *public_jwk_text(jwk_t *pub)
{
    const char *n = r_jwk_get_property_str(pub, "n");
    const char *e = r_jwk_get_property_str(pub, "e");
    if (n == NULL || e == NULL)
        return NULL;
    json_t *j = json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", n, "e", e);
    char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return text;
}

static int export_pair(jwk_t *priv, jwk_t *pub, struct jwt_keypair *out)
{
    unsigned char pem[PEM_MAX];
    size_t len = sizeof(pem) - 1;
    char *kid = r_jwk_thumbprint(pub, R_JWK_THUMB_SHA256, remote);
    int rc = ERR_CRYPTO;
    if (kid == NULL || strlen(kid) > JWT_KID_MAX)
        goto out;
    if (r_jwk_export_to_pem_der(priv, R_FORMAT_PEM, pem, &len, remote) != RHN_OK)
        goto out;
    pem[len] = '\0';
    out->public_jwk = public_jwk_text(pub);
    if (out->public_jwk == NULL)
        goto out;
    out->private_pem = xstrndup((const char *)pem, len);
    memcpy(out->kid, kid, strlen(kid) + 1);
    rc = 0;
out:
    secure_wipe(pem, sizeof(pem));
    r_free(kid);
    return rc;
}

int jwt_keygen(unsigned bits, struct jwt_keypair *out)
{
    memset(out, 0, sizeof(*out));
    if (bits < MIN_RSA_BITS)
        return ERR_INVALID;
    jwk_t *priv = NULL, *pub = NULL;
    int rc = ERR_CRYPTO;
    if (r_jwk_init(&priv) != RHN_OK || r_jwk_init(&pub) != RHN_OK)
        goto out;
    if (r_jwk_generate_key_pair(priv, pub, R_KEY_TYPE_RSA, bits, NULL) != RHN_OK)
        goto out;
    rc = export_pair(priv, pub, out);
out:
    r_jwk_free(priv);
    r_jwk_free(pub);
    if (rc != 0)
        jwt_keypair_fini(out);
    return rc;
}

/* ---- signing ---- */

static json_t *claims_json(const struct jwt_claims *c)
{
    json_t *scopes = json_array();
    for (size_t i = 0; i < c->scopes.n; i++)
        json_array_append_new(scopes, json_string(c->scopes.items[i]));
    json_t *j = json_object();
    json_object_set_new(j, "iss", json_string(c->iss));
    json_object_set_new(j, "sub", json_string(c->sub));
    json_object_set_new(j, "aud", json_string(c->aud));
    if (c->tid != NULL)
        json_object_set_new(j, "tid", json_string(c->tid));
    json_object_set_new(j, "jti", json_string(c->jti));
    json_object_set_new(j, "iat", json_integer(c->iat));
    json_object_set_new(j, "nbf", json_integer(c->nbf));
    json_object_set_new(j, "exp", json_integer(c->exp));
    json_object_set_new(j, "scopes", scopes);
    return j;
}

/* An RSA key of at least MIN_RSA_BITS with the wanted half (public or
 * private). */
static bool rsa_key_ok(jwk_t *k, int want)
{
    unsigned int bits = 0;
    int type = r_jwk_key_type(k, &bits, remote);
    return (type & R_KEY_TYPE_RSA) && (type & want) && bits >= MIN_RSA_BITS;
}

int jwt_sign(const char *kid, const char *private_pem, const struct jwt_claims *c, char **out)
{
    *out = NULL;
    if (kid == NULL || private_pem == NULL || c->iss == NULL || c->sub == NULL || c->aud == NULL ||
        c->jti == NULL)
        return ERR_INVALID;
    jwk_t *priv = NULL;
    jwt_t *jwt = NULL;
    json_t *claims = claims_json(c);
    char *token = NULL;
    int rc = ERR_CRYPTO;
    if (r_jwk_init(&priv) != RHN_OK || r_jwt_init(&jwt) != RHN_OK)
        goto out;
    if (r_jwk_import_from_pem_der(priv, R_X509_TYPE_PRIVKEY, R_FORMAT_PEM,
                                  (const unsigned char *)private_pem,
                                  strlen(private_pem)) != RHN_OK ||
        !rsa_key_ok(priv, R_KEY_TYPE_PRIVATE)) {
        rc = ERR_INVALID;
        goto out;
    }
    /* Header keys in the order DESIGN section 4 shows them. */
    if (r_jwt_set_header_str_value(jwt, "typ", "JWT") != RHN_OK ||
        r_jwt_set_header_str_value(jwt, "alg", "RS256") != RHN_OK ||
        r_jwt_set_header_str_value(jwt, "kid", kid) != RHN_OK ||
        r_jwt_set_sign_alg(jwt, R_JWA_ALG_RS256) != RHN_OK ||
        r_jwt_set_full_claims_json_t(jwt, claims) != RHN_OK)
        goto out;
    token = r_jwt_serialize_signed(jwt, priv, remote);
    if (token == NULL)
        goto out;
    *out = xstrdup(token);
    rc = 0;
out:
    r_free(token);
    json_decref(claims);
    r_jwt_free(jwt);
    r_jwk_free(priv);
    return rc;
}

/* ---- verification ---- */

/* The class of each byte in a compact token: 1 for the base64url alphabet
 * (A-Z a-z 0-9 - _), 2 for the '.' between parts, 0 for anything else. */
static const unsigned char token_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Gate 1a: three non-empty base64url parts; *hlen = header part length.
 * Runs over every byte of every token: one table look-up per byte. */
static bool shape_ok(const char *t, size_t len, size_t *hlen)
{
    size_t dots = 0, part = 0;
    *hlen = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = token_class[(unsigned char)t[i]];
        if (c == 1) {
            part++;
        } else if (c == 2) {
            if (part == 0)
                return false;
            if (dots++ == 0)
                *hlen = i;
            part = 0;
        } else {
            return false;
        }
    }
    return dots == 2 && part > 0;
}

/* Gate 1b: the header; returns its kid (arena copy) or NULL with *why. */
static const char *check_header(const char *t, size_t hlen, struct arena *a, enum jwt_fail *why)
{
    unsigned char raw[HEADER_MAX + 1];
    size_t n = 0;
    *why = JWT_FAIL_FORMAT;
    if (sodium_base642bin(raw, HEADER_MAX, t, hlen, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return NULL;
    json_t *h = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
    const char *kid = NULL;
    if (!json_is_object(h))
        goto out;
    json_t *typ = json_object_get(h, "typ");
    if (json_object_get(h, "crit") != NULL ||
        (typ != NULL && (!json_is_string(typ) || strcasecmp(json_string_value(typ), "JWT") != 0)))
        goto out;
    json_t *alg = json_object_get(h, "alg");
    if (!json_is_string(alg) || strcmp(json_string_value(alg), "RS256") != 0) {
        *why = JWT_FAIL_ALG;
        goto out;
    }
    json_t *k = json_object_get(h, "kid");
    if (!json_is_string(k) || json_string_length(k) == 0 || json_string_length(k) > JWT_KID_MAX ||
        strlen(json_string_value(k)) != json_string_length(k)) {
        *why = JWT_FAIL_KID;
        goto out;
    }
    kid = arena_strdup(a, json_string_value(k));
    *why = JWT_FAIL_NONE;
out:
    json_decref(h);
    return kid;
}

/* Gate 2: the signature, with the public key of kid only. On success
 * returns the claims object (owned). */
static json_t *check_signature(const char *token, size_t len, const char *jwk_text,
                               enum jwt_fail *why)
{
    jwt_t *jwt = NULL;
    jwk_t *pub = NULL;
    json_t *claims = NULL;
    *why = JWT_FAIL_SIGNATURE;
    if (r_jwt_init(&jwt) != RHN_OK || r_jwk_init(&pub) != RHN_OK)
        goto out;
    if (r_jwk_import_from_json_str(pub, jwk_text) != RHN_OK ||
        !rsa_key_ok(pub, R_KEY_TYPE_PUBLIC)) {
        *why = JWT_FAIL_KID;
        goto out;
    }
    if (r_jwt_advanced_parsen(jwt, token, len, R_PARSE_NONE, remote) != RHN_OK ||
        r_jwt_get_type(jwt) != R_JWT_TYPE_SIGN) {
        *why = JWT_FAIL_FORMAT;
        goto out;
    }
    if (r_jwt_get_sign_alg(jwt) != R_JWA_ALG_RS256) {
        *why = JWT_FAIL_ALG;
        goto out;
    }
    if (r_jwt_verify_signature(jwt, pub, remote) != RHN_OK)
        goto out;
    claims = r_jwt_get_full_claims_json_t(jwt);
    *why = json_is_object(claims) ? JWT_FAIL_NONE : JWT_FAIL_CLAIMS;
out:
    if (*why != JWT_FAIL_NONE) {
        json_decref(claims);
        claims = NULL;
    }
    r_jwk_free(pub);
    r_jwt_free(jwt);
    return claims;
}

/* The claims of a token whose signature verified before but whose facts
 * the memo could not keep: the payload decoded directly. Returns the
 * object (owned) or NULL. */
static json_t *payload_claims(const char *token, size_t len)
{
    /* The shape gate passed: exactly two dots, non-empty parts. */
    const char *p = (const char *)memchr(token, '.', len) + 1;
    const char *end = memchr(p, '.', len - (size_t)(p - token));
    size_t plen = (size_t)(end - p), n = 0;
    unsigned char *raw = malloc(plen + 1);
    json_t *c = NULL;
    if (raw != NULL && sodium_base642bin(raw, plen, p, plen, NULL, &n, NULL,
                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0)
        c = json_loadb((const char *)raw, n, 0, NULL);
    free(raw);
    if (!json_is_object(c)) {
        json_decref(c);
        c = NULL;
    }
    return c;
}

/* A string claim (non-empty, no NUL, at most max bytes) or NULL. */
static const char *str_claim(json_t *c, const char *name, size_t max, struct arena *a)
{
    json_t *v = json_object_get(c, name);
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return arena_strdup(a, json_string_value(v));
}

static bool int_claim(json_t *c, const char *name, int64_t *out)
{
    json_t *v = json_object_get(c, name);
    if (!json_is_integer(v))
        return false;
    *out = json_integer_value(v);
    return true;
}

/* The audiences a token names: "aud" itself if it is a string, the
 * strings of its array if it is one, none otherwise. Compared with strcmp
 * later, so each is copied up to its first NUL. */
static void aud_values(json_t *aud, struct arena *a, struct strlist *out)
{
    *out = (struct strlist){0};
    if (json_is_string(aud)) {
        out->items = arena_alloc(a, sizeof(*out->items));
        out->items[out->n++] = arena_strdup(a, json_string_value(aud));
        return;
    }
    if (!json_is_array(aud))
        return;
    out->items = arena_alloc(a, sizeof(*out->items) * (json_array_size(aud) + 1));
    size_t i;
    json_t *v;
    json_array_foreach(aud, i, v)
    {
        if (json_is_string(v))
            out->items[out->n++] = arena_strdup(a, json_string_value(v));
    }
}

static bool scopes_claim(json_t *c, struct arena *a, struct strlist *out)
{
    json_t *v = json_object_get(c, "scopes");
    *out = (struct strlist){0};
    if (v == NULL)
        return true;
    if (!json_is_array(v) || json_array_size(v) > JWT_MAX_SCOPES)
        return false;
    out->items = arena_alloc(a, sizeof(*out->items) * (json_array_size(v) + 1));
    size_t i;
    json_t *s;
    json_array_foreach(v, i, s)
    {
        if (!json_is_string(s))
            return false;
        out->items[out->n++] = arena_strdup(a, json_string_value(s));
    }
    return true;
}

/* Gate 3a: the claims a token must carry, with their types and lengths
 * (depends on the token alone). */
static enum jwt_fail claim_facts(json_t *c, struct arena *a, struct jwt_facts *f)
{
    f->iss = str_claim(c, "iss", 1024, a);
    f->sub = str_claim(c, "sub", 64, a);
    f->jti = str_claim(c, "jti", 64, a);
    f->tid = NULL;
    json_t *tid = json_object_get(c, "tid");
    if (tid != NULL && (f->tid = str_claim(c, "tid", 255, a)) == NULL)
        return JWT_FAIL_CLAIMS;
    if (f->iss == NULL || f->sub == NULL || f->jti == NULL || !int_claim(c, "exp", &f->exp) ||
        !int_claim(c, "nbf", &f->nbf) || !int_claim(c, "iat", &f->iat) ||
        !scopes_claim(c, a, &f->scopes))
        return JWT_FAIL_CLAIMS;
    aud_values(json_object_get(c, "aud"), a, &f->aud);
    return JWT_FAIL_NONE;
}

/* Gate 3b: what depends on the configuration and the time, checked on
 * every call, remembered token or not. Fills *out on success. */
static enum jwt_fail judge(const struct jwt_facts *f, const struct jwt_expect *ex, struct arena *a,
                           struct jwt_claims *out)
{
    if (strcmp(f->iss, ex->iss) != 0)
        return JWT_FAIL_ISS;
    if (!strlist_contains(&f->aud, ex->aud))
        return JWT_FAIL_AUD;
    if (ex->now >= f->exp)
        return JWT_FAIL_EXPIRED;
    if (f->nbf > ex->now + ex->leeway || f->iat > ex->now + ex->leeway)
        return JWT_FAIL_NOT_YET;
    *out = (struct jwt_claims){
        .iss = f->iss,
        .sub = f->sub,
        .aud = arena_strdup(a, ex->aud),
        .tid = f->tid,
        .jti = f->jti,
        .iat = f->iat,
        .nbf = f->nbf,
        .exp = f->exp,
        .scopes = f->scopes,
    };
    return JWT_FAIL_NONE;
}

/* A token being verified. */
struct job {
    const char *token;
    size_t len;
    size_t hlen;                       /* length of the header part */
    struct jwt_memo *memo;             /* may be NULL */
    enum memo_hit hit;                 /* MEMO_MISS or MEMO_SIGNATURE here */
    unsigned char hash[JWT_MEMO_HASH]; /* set when memo is not NULL */
};

/* Gates 1b to 3a for a token the memo holds no facts of: the header, the
 * signature (unless the memo vouches for it) and the claims. A token whose
 * signature verified is remembered, with its facts when they are good. */
static enum jwt_fail full_facts(const struct job *j, jwt_key_lookup lookup, void *ctx,
                                struct arena *a, struct jwt_facts *f)
{
    enum jwt_fail why = JWT_FAIL_FORMAT;
    const char *kid = check_header(j->token, j->hlen, a, &why);
    if (kid == NULL)
        return why;
    const char *jwk_text = lookup(ctx, a, kid);
    if (jwk_text == NULL)
        return JWT_FAIL_KID;
    json_t *claims = NULL;
    if (j->hit == MEMO_SIGNATURE) {
        claims = payload_claims(j->token, j->len);
        why = claims != NULL ? JWT_FAIL_NONE : JWT_FAIL_CLAIMS;
    } else {
        claims = check_signature(j->token, j->len, jwk_text, &why);
    }
    if (claims == NULL)
        return why;
    why = claim_facts(claims, a, f);
    f->kid = kid;
    json_decref(claims);
    if (j->memo != NULL && j->hit == MEMO_MISS)
        jwt_memo_store(j->memo, j->hash, why == JWT_FAIL_NONE ? f : NULL);
    return why;
}

int jwt_verify(const char *token, jwt_key_lookup lookup, void *ctx, const struct jwt_expect *ex,
               struct arena *a, struct jwt_claims *out, enum jwt_fail *why)
{
    enum jwt_fail dummy;
    if (why == NULL)
        why = &dummy;
    memset(out, 0, sizeof(*out));
    *why = JWT_FAIL_FORMAT;
    struct job j = {.token = token, .memo = ex->memo, .hit = MEMO_MISS};
    j.len = token != NULL ? strnlen(token, JWT_MAX_LEN + 1) : 0;
    if (j.len == 0 || j.len > JWT_MAX_LEN || !shape_ok(token, j.len, &j.hlen))
        return ERR_UNAUTHENTICATED;
    struct jwt_facts f = {0};
    if (j.memo != NULL) {
        /* BLAKE2b: collision resistant like SHA-256, and ~8x cheaper in
         * libsodium, which has no SHA-256 instructions. */
        crypto_generichash(j.hash, sizeof(j.hash), (const unsigned char *)token, j.len, NULL, 0);
        j.hit = jwt_memo_find(j.memo, j.hash, a, &f);
    }
    if (j.hit == MEMO_FACTS) {
        /* The kid must still name a key that verifies: a key dropped from
         * the ring stops its tokens at once. */
        *why = lookup(ctx, a, f.kid) != NULL ? JWT_FAIL_NONE : JWT_FAIL_KID;
    } else {
        *why = full_facts(&j, lookup, ctx, a, &f);
    }
    if (*why == JWT_FAIL_NONE)
        *why = judge(&f, ex, a, out);
    if (*why != JWT_FAIL_NONE) {
        memset(out, 0, sizeof(*out));
        return ERR_UNAUTHENTICATED;
    }
    return 0;
}
