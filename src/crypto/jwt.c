/*
 * jwt.c - RS256 sign and verify (see jwt.h); the RSA work is in jwt_rsa.c.
 *
 * Verification runs in three gates, cheapest first, and the token must
 * pass all of them:
 *   1. shape: at most JWT_MAX_LEN bytes of base64url in exactly three
 *      non-empty parts; the header decodes to a small JSON object whose
 *      "alg" is exactly "RS256", whose "kid" names a key we hold, whose
 *      "typ" (if any) is "JWT", and which has no "crit" and no header that
 *      names or carries a key (jwk, jku, x5u, x5c, x5t, x5t#S256);
 *   2. signature: RSASSA-PKCS1-v1_5 with SHA-256 over the signing input,
 *      with the public key the kid names in our key ring, nothing else;
 *   3. claims: iss, aud, exp, nbf, iat, sub and jti present with the right
 *      types (3a, the token alone) and values (3b, against the time and the
 *      configuration).
 * With a memo (jwt_memo.c), a token that passed gates 1, 2 and 3a before
 * goes straight to 3b with the facts remembered then, after its kid is
 * looked up again.
 */
#include "crypto/jwt.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/jwt_int.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/xalloc.h"

#define HEADER_MAX 1024 /* decoded header bytes */
#define B64URL     sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* Header parameters that name or carry a key (RFC 7515 section 4.1): a
 * token says which of our keys signed it by its kid, and nothing else. */
static const char *const key_headers[] = {"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"};

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

/* base64url of n bytes appended to b at *at (b has room). */
static void put_b64url(char *b, size_t *at, const unsigned char *raw, size_t n)
{
    size_t room = sodium_base64_encoded_len(n, B64URL);
    sodium_bin2base64(b + *at, room, raw, n, B64URL);
    *at += room - 1;
}

/* base64url(header) "." base64url(claims): the signing input (malloc'd),
 * with room after it for "." and a signature of JWT_SIG_MAX bytes. */
static char *signing_input(const char *kid, const struct jwt_claims *c, size_t *len)
{
    /* Header keys in the order DESIGN section 4 shows them. */
    json_t *h = json_pack("{s:s, s:s, s:s}", "typ", "JWT", "alg", "RS256", "kid", kid);
    json_t *cj = claims_json(c);
    char *ht = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *ct = json_dumps(cj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *out = NULL;
    if (ht != NULL && ct != NULL) {
        size_t hl = strlen(ht), cl = strlen(ct);
        size_t cap = sodium_base64_encoded_len(hl, B64URL) + sodium_base64_encoded_len(cl, B64URL) +
                     sodium_base64_encoded_len(JWT_SIG_MAX, B64URL) + 2;
        out = xmalloc(cap);
        *len = 0;
        put_b64url(out, len, (const unsigned char *)ht, hl);
        out[(*len)++] = '.';
        put_b64url(out, len, (const unsigned char *)ct, cl);
    }
    free(ht);
    free(ct);
    json_decref(h);
    json_decref(cj);
    return out;
}

int jwt_sign(const char *kid, const char *private_pem, const struct jwt_claims *c, char **out)
{
    *out = NULL;
    if (kid == NULL || private_pem == NULL || c->iss == NULL || c->sub == NULL || c->aud == NULL ||
        c->jti == NULL || strlen(kid) > JWT_KID_MAX)
        return ERR_INVALID;
    EVP_PKEY *k = jwt_rsa_private(private_pem);
    if (k == NULL)
        return ERR_INVALID;
    unsigned char sig[JWT_SIG_MAX];
    size_t siglen = sizeof(sig), len = 0;
    char *token = signing_input(kid, c, &len);
    int rc = token != NULL ? jwt_rsa_sign(k, token, len, sig, &siglen) : ERR_CRYPTO;
    EVP_PKEY_free(k);
    if (rc != 0) {
        free(token);
        return rc;
    }
    token[len++] = '.';
    put_b64url(token, &len, sig, siglen);
    *out = token;
    return 0;
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
    if (sodium_base642bin(raw, HEADER_MAX, t, hlen, NULL, &n, NULL, B64URL) != 0)
        return NULL;
    json_t *h = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
    const char *kid = NULL;
    if (!json_is_object(h))
        goto out;
    for (size_t i = 0; i < sizeof(key_headers) / sizeof(key_headers[0]); i++) {
        if (json_object_get(h, key_headers[i]) != NULL)
            goto out;
    }
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

/* The claims part of a token of the right shape, decoded: the object
 * (owned) or NULL. */
static json_t *payload_claims(const char *token, size_t len)
{
    /* The shape gate passed: exactly two dots, non-empty parts. */
    const char *p = (const char *)memchr(token, '.', len) + 1;
    const char *end = memchr(p, '.', len - (size_t)(p - token));
    size_t plen = (size_t)(end - p), n = 0;
    unsigned char *raw = xmalloc(plen + 1);
    json_t *c = NULL;
    if (sodium_base642bin(raw, plen, p, plen, NULL, &n, NULL, B64URL) == 0)
        c = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    if (!json_is_object(c)) {
        json_decref(c);
        c = NULL;
    }
    return c;
}

/* Gate 2: the signature, with the public key of kid only (never one the
 * token names). On success returns the claims object (owned). */
static json_t *check_signature(const char *token, size_t len, const char *jwk_text,
                               enum jwt_fail *why)
{
    EVP_PKEY *pub = jwt_rsa_public(jwk_text);
    json_t *claims = NULL;
    if (pub == NULL) {
        *why = JWT_FAIL_KID;
        return NULL;
    }
    /* The signing input is everything before the last dot. */
    const char *sig_text = (const char *)memrchr(token, '.', len) + 1;
    size_t input_len = (size_t)(sig_text - token) - 1, siglen = 0;
    unsigned char sig[JWT_SIG_MAX];
    *why = JWT_FAIL_SIGNATURE;
    if (sodium_base642bin(sig, sizeof(sig), sig_text, len - input_len - 1, NULL, &siglen, NULL,
                          B64URL) == 0 &&
        jwt_rsa_verify(pub, token, input_len, sig, siglen)) {
        claims = payload_claims(token, len);
        *why = claims != NULL ? JWT_FAIL_NONE : JWT_FAIL_CLAIMS;
    }
    EVP_PKEY_free(pub);
    return claims;
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
    size_t hlen;           /* length of the header part */
    struct jwt_memo *memo; /* may be NULL */
    enum memo_hit hit;     /* MEMO_MISS or MEMO_SIGNATURE here */
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
        jwt_memo_store(j->memo, j->token, j->len, why == JWT_FAIL_NONE ? f : NULL);
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
    if (j.len == 0 || j.len > JWT_MAX_LEN)
        return ERR_UNAUTHENTICATED;
    struct jwt_facts f = {0};
    /* The memo first: a token it holds passed every gate below that
     * depends on the token alone, shape_ok's scan of its bytes included. */
    if (j.memo != NULL)
        j.hit = jwt_memo_find(j.memo, token, j.len, a, &f);
    if (j.hit == MEMO_FACTS) {
        /* The kid must still name a key that verifies: a key dropped from
         * the ring stops its tokens at once. No key text is needed. */
        *why = lookup(ctx, NULL, f.kid) != NULL ? JWT_FAIL_NONE : JWT_FAIL_KID;
    } else if (!shape_ok(token, j.len, &j.hlen)) {
        return ERR_UNAUTHENTICATED;
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
