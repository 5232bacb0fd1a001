/*
 * test_jwt.c - RS256 sign/verify, claim validation, and hostile tokens:
 * alg none, HS256 keyed with the public key, wrong aud/iss, expired,
 * nbf/iat in the future, unknown kid, a foreign key under a known kid, an
 * embedded jwk header, tampered, truncated and huge tokens.
 *
 * Hostile tokens are made with libcrypto directly (or by hand), the way an
 * attacker would, and must all be refused by jwt_verify. Interoperability
 * with other JOSE libraries (PyJWT, Node's jose) is in
 * tests/e2e/autocom/jwt_interop.test.mjs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/jwt.h"
#include "util/slots.h"
#include "util/arena.h"
#include "util/err.h"

#define NOW 1800000000LL
#define ISS "https://auth.example.com"
#define AUD "latchkey"

static struct jwt_keypair kp1, kp2;
static const char *scope_items[] = {"orders.view", "team.invite"};

/* The verifier's keys: kp1 under its kid, and optionally an extra one. */
struct ring {
    const char *kid[3];
    const char *jwk[3];
};

static const char *lookup(void *ctx, struct arena *a, const char *kid)
{
    struct ring *r = ctx;
    for (int i = 0; i < 3 && r->kid[i] != NULL; i++) {
        if (strcmp(r->kid[i], kid) == 0)
            return a != NULL ? arena_strdup(a, r->jwk[i]) : r->jwk[i];
    }
    return NULL;
}

static int group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    if (jwt_keygen(2048, &kp1) != 0 || jwt_keygen(2048, &kp2) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    jwt_keypair_fini(&kp1);
    jwt_keypair_fini(&kp2);
    return 0;
}

static struct jwt_claims good_claims(void)
{
    return (struct jwt_claims){
        .iss = ISS,
        .sub = "42",
        .aud = AUD,
        .tid = "my-store",
        .jti = "7",
        .iat = NOW - 10,
        .nbf = NOW - 10,
        .exp = NOW + 3600,
        .scopes = {.items = scope_items, .n = 2},
    };
}

static const struct jwt_expect expect = {.iss = ISS, .aud = AUD, .now = NOW, .leeway = 30};

/* Verifies with kp1 known; returns the failure reason (NONE on success). */
static enum jwt_fail check(const char *token)
{
    struct ring r = {{kp1.kid, NULL}, {kp1.public_jwk, NULL}};
    struct arena *a = arena_new();
    struct jwt_claims out;
    enum jwt_fail why = JWT_FAIL_NONE;
    int rc = jwt_verify(token, lookup, &r, &expect, a, &out, &why);
    assert_int_equal(rc == 0, why == JWT_FAIL_NONE);
    if (rc != 0)
        assert_int_equal(rc, ERR_UNAUTHENTICATED);
    arena_free(a);
    return why;
}

/* noinline: gcc 12 otherwise mistakes the returned token for a pointer to
 * the local that received it (-Wdangling-pointer). */
static __attribute__((noinline)) char *sign_good(struct jwt_claims c)
{
    char *t = NULL;
    assert_int_equal(jwt_sign(kp1.kid, kp1.private_pem, &c, &t), 0);
    return t;
}

static char *b64url(const char *s)
{
    size_t len = sodium_base64_encoded_len(strlen(s), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(len);
    sodium_bin2base64(out, len, (const unsigned char *)s, strlen(s),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* header.payload.sig from plain texts. */
static char *by_hand(const char *header, const char *claims, const char *sig)
{
    char *h = b64url(header), *p = b64url(claims);
    size_t n = strlen(h) + strlen(p) + strlen(sig) + 3;
    char *t = malloc(n);
    snprintf(t, n, "%s.%s.%s", h, p, sig);
    free(h);
    free(p);
    return t;
}

/* Signs header + claims (JSON texts) with a PEM private key, RS256, as
 * libcrypto does for anyone: the attacker's tool. */
static char *forge(const char *header, const char *claims, const char *pem)
{
    char *hp = by_hand(header, claims, "");
    size_t len = strlen(hp) - 1; /* without the last '.' */
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    assert_non_null(key);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char sig[1024];
    size_t siglen = sizeof(sig);
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestSign(md, sig, &siglen, (const unsigned char *)hp, len), 1);
    char text[2048];
    sodium_bin2base64(text, sizeof(text), sig, siglen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t n = len + strlen(text) + 2;
    char *t = malloc(n);
    snprintf(t, n, "%.*s.%s", (int)len, hp, text);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    BIO_free(bio);
    free(hp);
    return t;
}

/* header.payload signed with HMAC-SHA256 under secret (any length). */
static char *forge_hs256(const char *header, const char *claims, const char *secret)
{
    char *hp = by_hand(header, claims, "");
    size_t len = strlen(hp) - 1; /* without the last '.' */
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)hp, len);
    crypto_auth_hmacsha256_final(&st, mac);
    char sig[64];
    sodium_bin2base64(sig, sizeof(sig), mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t n = len + strlen(sig) + 2;
    char *t = malloc(n);
    snprintf(t, n, "%.*s.%s", (int)len, hp, sig);
    free(hp);
    return t;
}

static char *header_with_kid(const char *alg, const char *kid)
{
    static char buf[256];
    snprintf(buf, sizeof(buf), "{\"typ\":\"JWT\",\"alg\":\"%s\",\"kid\":\"%s\"}", alg, kid);
    return buf;
}

static const char *claims_text(int64_t iat, int64_t nbf, int64_t exp)
{
    static char buf[512];
    snprintf(buf, sizeof(buf),
             "{\"iss\":\"" ISS "\",\"sub\":\"42\",\"aud\":\"" AUD "\",\"tid\":\"my-store\","
             "\"jti\":\"7\",\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld,\"scopes\":[]}",
             (long long)iat, (long long)nbf, (long long)exp);
    return buf;
}

/* ---- the good path ---- */

static void keygen_makes_rsa_2048_with_thumbprint_kid(void **state)
{
    (void)state;
    assert_int_equal(strlen(kp1.kid), 43); /* base64url SHA-256 */
    assert_string_not_equal(kp1.kid, kp2.kid);
    assert_non_null(strstr(kp1.private_pem, "PRIVATE KEY"));
    json_t *j = json_loads(kp1.public_jwk, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "kty")), "RSA");
    assert_string_equal(json_string_value(json_object_get(j, "e")), "AQAB");
    assert_true(json_string_length(json_object_get(j, "n")) >= 342); /* 2048 bits */
    assert_null(json_object_get(j, "d"));                            /* public only */
    json_decref(j);
    struct jwt_keypair small;
    assert_int_equal(jwt_keygen(1024, &small), ERR_INVALID);
}

static void sign_then_verify(void **state)
{
    (void)state;
    char *t = sign_good(good_claims());
    /* The header is exactly {"typ":"JWT","alg":"RS256","kid":...}. */
    char want[160];
    snprintf(want, sizeof(want), "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"%s\"}", kp1.kid);
    char *h = b64url(want);
    assert_int_equal(strncmp(t, h, strlen(h)), 0);
    assert_int_equal(t[strlen(h)], '.');
    free(h);

    struct ring r = {{kp1.kid, NULL}, {kp1.public_jwk, NULL}};
    struct arena *a = arena_new();
    struct jwt_claims c;
    enum jwt_fail why;
    assert_int_equal(jwt_verify(t, lookup, &r, &expect, a, &c, &why), 0);
    assert_int_equal(why, JWT_FAIL_NONE);
    assert_string_equal(c.iss, ISS);
    assert_string_equal(c.sub, "42");
    assert_string_equal(c.aud, AUD);
    assert_string_equal(c.tid, "my-store");
    assert_string_equal(c.jti, "7");
    assert_int_equal(c.iat, NOW - 10);
    assert_int_equal(c.nbf, NOW - 10);
    assert_int_equal(c.exp, NOW + 3600);
    assert_int_equal(c.scopes.n, 2);
    assert_string_equal(c.scopes.items[1], "team.invite");
    arena_free(a);
    free(t);
}

static void aud_may_be_an_array(void **state)
{
    (void)state;
    char claims[512];
    snprintf(claims, sizeof(claims),
             "{\"iss\":\"" ISS "\",\"sub\":\"1\",\"aud\":[\"other\",\"" AUD "\"],\"jti\":\"1\","
             "\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld}",
             NOW, NOW, NOW + 60);
    char *t = forge(header_with_kid("RS256", kp1.kid), claims, kp1.private_pem);
    assert_int_equal(check(t), JWT_FAIL_NONE);
    free(t);
    snprintf(claims, sizeof(claims),
             "{\"iss\":\"" ISS "\",\"sub\":\"1\",\"aud\":[\"other\"],\"jti\":\"1\","
             "\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld}",
             NOW, NOW, NOW + 60);
    t = forge(header_with_kid("RS256", kp1.kid), claims, kp1.private_pem);
    assert_int_equal(check(t), JWT_FAIL_AUD);
    free(t);
}

/* ---- claims ---- */

static void wrong_iss_and_aud(void **state)
{
    (void)state;
    struct jwt_claims c = good_claims();
    c.iss = "https://evil.example.com";
    char *t = sign_good(c);
    assert_int_equal(check(t), JWT_FAIL_ISS);
    free(t);
    c = good_claims();
    c.aud = "another-service";
    t = sign_good(c);
    assert_int_equal(check(t), JWT_FAIL_AUD);
    free(t);
}

static void expired(void **state)
{
    (void)state;
    struct jwt_claims c = good_claims();
    c.exp = NOW - 1;
    char *t = sign_good(c);
    assert_int_equal(check(t), JWT_FAIL_EXPIRED);
    free(t);
    c.exp = NOW; /* exp is the first second it no longer works */
    t = sign_good(c);
    assert_int_equal(check(t), JWT_FAIL_EXPIRED);
    free(t);
}

static void not_yet_valid(void **state)
{
    (void)state;
    struct jwt_claims c = good_claims();
    c.nbf = NOW + 3600;
    char *t = sign_good(c);
    assert_int_equal(check(t), JWT_FAIL_NOT_YET);
    free(t);
    c.nbf = NOW + 31; /* just past the 30 s leeway */
    t = sign_good(c);
    assert_int_equal(check(t), JWT_FAIL_NOT_YET);
    free(t);
    c.nbf = NOW + 20; /* clock skew within the leeway */
    t = sign_good(c);
    assert_int_equal(check(t), JWT_FAIL_NONE);
    free(t);
    c = good_claims();
    c.iat = NOW + 3600;
    t = sign_good(c);
    assert_int_equal(check(t), JWT_FAIL_NOT_YET);
    free(t);
}

static void missing_or_mistyped_claims(void **state)
{
    (void)state;
    static const char *const bad[] = {
        /* no exp */
        "{\"iss\":\"" ISS "\",\"sub\":\"1\",\"aud\":\"" AUD "\",\"jti\":\"1\",\"iat\":1,\"nbf\":1}",
        /* sub a number */
        "{\"iss\":\"" ISS "\",\"sub\":1,\"aud\":\"" AUD
        "\",\"jti\":\"1\",\"iat\":1,\"nbf\":1,\"exp\":9999999999}",
        /* exp a string */
        "{\"iss\":\"" ISS "\",\"sub\":\"1\",\"aud\":\"" AUD
        "\",\"jti\":\"1\",\"iat\":1,\"nbf\":1,\"exp\":\"9999999999\"}",
        /* no jti */
        "{\"iss\":\"" ISS "\",\"sub\":\"1\",\"aud\":\"" AUD
        "\",\"iat\":1,\"nbf\":1,\"exp\":9999999999}",
        /* scopes not strings */
        "{\"iss\":\"" ISS "\",\"sub\":\"1\",\"aud\":\"" AUD
        "\",\"jti\":\"1\",\"iat\":1,\"nbf\":1,\"exp\":9999999999,\"scopes\":[1]}",
        /* tid not a string */
        "{\"iss\":\"" ISS "\",\"sub\":\"1\",\"aud\":\"" AUD
        "\",\"tid\":7,\"jti\":\"1\",\"iat\":1,\"nbf\":1,\"exp\":9999999999}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *t = forge(header_with_kid("RS256", kp1.kid), bad[i], kp1.private_pem);
        assert_int_equal(check(t), JWT_FAIL_CLAIMS);
        free(t);
    }
}

/* ---- algorithm attacks ---- */

static void alg_none(void **state)
{
    (void)state;
    const char *claims = claims_text(NOW, NOW, NOW + 600);
    static const char *const algs[] = {"none", "None", "NONE", "nOnE"};
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        char *t = by_hand(header_with_kid(algs[i], kp1.kid), claims, "");
        assert_int_not_equal(check(t), JWT_FAIL_NONE);
        free(t);
        t = by_hand(header_with_kid(algs[i], kp1.kid), claims, "c2lnbmF0dXJl");
        assert_int_equal(check(t), JWT_FAIL_ALG);
        free(t);
    }
    /* The same token without a kid: refused too. */
    char *t = by_hand("{\"alg\":\"none\"}", claims, "");
    assert_int_not_equal(check(t), JWT_FAIL_NONE);
    free(t);
}

/* The classic confusion: HS256 whose secret is the server's public key,
 * as PEM and as the JWK text the JWKS publishes. */
static void hs256_keyed_with_the_public_key(void **state)
{
    (void)state;
    BIO *in = BIO_new_mem_buf(kp1.private_pem, -1), *out = BIO_new(BIO_s_mem());
    EVP_PKEY *k = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
    assert_non_null(k);
    assert_int_equal(PEM_write_bio_PUBKEY(out, k), 1);
    char pem[4096] = {0};
    assert_true(BIO_read(out, pem, sizeof(pem) - 1) > 0);
    EVP_PKEY_free(k);
    BIO_free(in);
    BIO_free(out);
    const char *secrets[] = {(const char *)pem, kp1.public_jwk};
    const char *claims = claims_text(NOW, NOW, NOW + 600);
    for (size_t i = 0; i < 2; i++) {
        char *t = forge_hs256(header_with_kid("HS256", kp1.kid), claims, secrets[i]);
        assert_int_equal(check(t), JWT_FAIL_ALG);
        /* Lying in the header (alg RS256) over an HMAC signature fails too. */
        char *dot = strchr(t, '.');
        char *h = b64url(header_with_kid("RS256", kp1.kid));
        size_t n = strlen(h) + strlen(dot) + 1;
        char *lie = malloc(n);
        snprintf(lie, n, "%s%s", h, dot);
        assert_int_equal(check(lie), JWT_FAIL_SIGNATURE);
        free(lie);
        free(h);
        free(t);
    }
    static const char *const other_algs[] = {"HS384", "HS512", "RS384", "PS256", "ES256", "EdDSA"};
    for (size_t i = 0; i < sizeof(other_algs) / sizeof(other_algs[0]); i++) {
        char *t = by_hand(header_with_kid(other_algs[i], kp1.kid), claims, "c2lnbmF0dXJl");
        assert_int_equal(check(t), JWT_FAIL_ALG);
        free(t);
    }
}

/* ---- keys ---- */

static void unknown_or_missing_kid(void **state)
{
    (void)state;
    char *t = NULL;
    struct jwt_claims c = good_claims();
    assert_int_equal(jwt_sign("retired-long-ago", kp1.private_pem, &c, &t), 0);
    assert_int_equal(check(t), JWT_FAIL_KID);
    free(t);
    const char *claims = claims_text(NOW, NOW, NOW + 600);
    t = forge("{\"typ\":\"JWT\",\"alg\":\"RS256\"}", claims, kp1.private_pem);
    assert_int_equal(check(t), JWT_FAIL_KID);
    free(t);
    t = forge("{\"alg\":\"RS256\",\"kid\":7}", claims, kp1.private_pem);
    assert_int_equal(check(t), JWT_FAIL_KID);
    free(t);
}

static void foreign_key_under_a_known_kid(void **state)
{
    (void)state;
    char *t = NULL;
    struct jwt_claims c = good_claims();
    assert_int_equal(jwt_sign(kp1.kid, kp2.private_pem, &c, &t), 0);
    assert_int_equal(check(t), JWT_FAIL_SIGNATURE);
    free(t);
}

/* A header naming or carrying a key (jwk, jku, x5u, x5c, x5t) is refused,
 * even over a good signature by our own key: only our kid chooses the key. */
static void embedded_key_headers_are_refused(void **state)
{
    (void)state;
    const char *claims = claims_text(NOW, NOW, NOW + 600);
    char header[2048];
    snprintf(header, sizeof(header),
             "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"%s\",\"jwk\":%s,"
             "\"jku\":\"http://127.0.0.1:1/jwks.json\",\"x5u\":\"http://127.0.0.1:1/x\"}",
             kp1.kid, kp2.public_jwk);
    char *t = forge(header, claims, kp2.private_pem);
    assert_int_equal(check(t), JWT_FAIL_FORMAT);
    free(t);
    snprintf(header, sizeof(header),
             "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"%s\",\"jwk\":%s}", kp2.kid,
             kp2.public_jwk);
    t = forge(header, claims, kp2.private_pem);
    assert_int_equal(check(t), JWT_FAIL_FORMAT);
    free(t);
    static const char *const extra[] = {
        "\"jwk\":{}", "\"jku\":\"https://x/\"", "\"x5u\":\"https://x/\"",
        "\"x5c\":[]", "\"x5t\":\"AAAA\"",       "\"x5t#S256\":\"AAAA\""};
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
        snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"%s\",%s}", kp1.kid,
                 extra[i]);
        t = forge(header, claims, kp1.private_pem);
        assert_int_equal(check(t), JWT_FAIL_FORMAT);
        free(t);
    }
    /* The same token without the extra header verifies. */
    snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"%s\"}", kp1.kid);
    t = forge(header, claims, kp1.private_pem);
    assert_int_equal(check(t), JWT_FAIL_NONE);
    free(t);
}

static void rotation_both_keys_verify(void **state)
{
    (void)state;
    struct ring r = {{kp1.kid, kp2.kid, NULL}, {kp1.public_jwk, kp2.public_jwk, NULL}};
    struct jwt_claims c = good_claims();
    char *t1 = NULL, *t2 = NULL;
    assert_int_equal(jwt_sign(kp1.kid, kp1.private_pem, &c, &t1), 0);
    assert_int_equal(jwt_sign(kp2.kid, kp2.private_pem, &c, &t2), 0);
    struct arena *a = arena_new();
    struct jwt_claims out;
    assert_int_equal(jwt_verify(t1, lookup, &r, &expect, a, &out, NULL), 0);
    assert_int_equal(jwt_verify(t2, lookup, &r, &expect, a, &out, NULL), 0);
    arena_free(a);
    free(t1);
    free(t2);
}

/* The JWK text {"kty":"RSA","n","e"} of an RSA key (malloc'd). */
static char *jwk_of(const EVP_PKEY *k)
{
    const char *names[] = {"n", "e"};
    char b64[2][1200];
    for (int i = 0; i < 2; i++) {
        BIGNUM *bn = NULL;
        assert_int_equal(EVP_PKEY_get_bn_param(k, names[i], &bn), 1);
        unsigned char raw[800];
        int len = BN_bn2bin(bn, raw);
        sodium_bin2base64(b64[i], sizeof(b64[i]), raw, (size_t)len,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        BN_free(bn);
    }
    char *out = malloc(2600);
    snprintf(out, 2600, "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"}", b64[0], b64[1]);
    return out;
}

static void small_rsa_key_is_refused(void **state)
{
    (void)state;
    EVP_PKEY *k = EVP_RSA_gen(1024);
    assert_non_null(k);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL), 1);
    char pem[4096] = {0};
    assert_true(BIO_read(bio, pem, sizeof(pem) - 1) > 0);
    BIO_free(bio);
    char *pub_text = jwk_of(k);
    struct jwt_claims c = good_claims();
    char *t = NULL;
    assert_int_equal(jwt_sign("small", pem, &c, &t), ERR_INVALID);
    t = forge(header_with_kid("RS256", "small"), claims_text(NOW, NOW, NOW + 60), pem);
    struct ring r = {{"small", NULL}, {pub_text, NULL}};
    struct arena *a = arena_new();
    struct jwt_claims out;
    enum jwt_fail why;
    assert_int_equal(jwt_verify(t, lookup, &r, &expect, a, &out, &why), ERR_UNAUTHENTICATED);
    assert_int_equal(why, JWT_FAIL_KID);
    arena_free(a);
    free(t);
    free(pub_text);
    EVP_PKEY_free(k);
}

/* The JWK the key pair publishes is the key itself: libcrypto's own
 * export of the private key's public half gives the same n and e. */
static void public_jwk_matches_the_private_key(void **state)
{
    (void)state;
    BIO *bio = BIO_new_mem_buf(kp1.private_pem, -1);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    assert_non_null(k);
    assert_int_equal(EVP_PKEY_get_bits(k), 2048);
    char *text = jwk_of(k);
    assert_string_equal(text, kp1.public_jwk);
    /* PKCS#1, the form the keys stored before libcrypto have. */
    assert_non_null(strstr(kp1.private_pem, "BEGIN RSA PRIVATE KEY"));
    free(text);
    EVP_PKEY_free(k);
    BIO_free(bio);
}

/* ---- the memo ---- */

static void memo_counts(struct jwt_memo *m, uint64_t hits, uint64_t sigs, uint64_t misses)
{
    struct jwt_memo_stats st;
    jwt_memo_stats(m, &st);
    assert_int_equal(st.hits, hits);
    assert_int_equal(st.sigs, sigs);
    assert_int_equal(st.misses, misses);
}

static void same_opt_str(const char *x, const char *y)
{
    if (x == NULL || y == NULL)
        assert_ptr_equal(x, y);
    else
        assert_string_equal(x, y);
}

/* Two verifications answered the same: code, reason and every claim. */
static void same_answer(int rc1, enum jwt_fail w1, const struct jwt_claims *c1, int rc2,
                        enum jwt_fail w2, const struct jwt_claims *c2)
{
    assert_int_equal(rc1, rc2);
    assert_int_equal(w1, w2);
    same_opt_str(c1->iss, c2->iss);
    same_opt_str(c1->sub, c2->sub);
    same_opt_str(c1->aud, c2->aud);
    same_opt_str(c1->tid, c2->tid);
    same_opt_str(c1->jti, c2->jti);
    assert_int_equal(c1->iat, c2->iat);
    assert_int_equal(c1->nbf, c2->nbf);
    assert_int_equal(c1->exp, c2->exp);
    assert_int_equal(c1->scopes.n, c2->scopes.n);
    for (size_t i = 0; i < c1->scopes.n; i++)
        assert_string_equal(c1->scopes.items[i], c2->scopes.items[i]);
}

/* Signs claims (JSON text) with kp1 under its kid. */
static char *signed_text(const char *claims)
{
    return forge(header_with_kid("RS256", kp1.kid), claims, kp1.private_pem);
}

/* A token with n scopes of 20 bytes (facts too big for the memo when n is
 * large). */
static char *many_scopes(int n)
{
    size_t cap = (size_t)n * 24 + 512;
    char *claims = malloc(cap);
    int k = snprintf(claims, cap,
                     "{\"iss\":\"" ISS "\",\"sub\":\"9\",\"aud\":\"" AUD "\",\"jti\":\"9\","
                     "\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld,\"scopes\":[",
                     NOW, NOW, NOW + 60);
    for (int i = 0; i < n; i++)
        k += snprintf(claims + k, cap - (size_t)k, "%s\"scope.number.%06d\"", i ? "," : "", i);
    snprintf(claims + k, cap - (size_t)k, "]}");
    char *t = signed_text(claims);
    free(claims);
    return t;
}

/*
 * The memo answers exactly what a full verification answers: for tokens of
 * every shape (tid or not, scopes or not, aud a string or an array, a claim
 * missing, facts too big to keep) and every configuration and time (good,
 * expired, not yet valid, other iss, other aud, kid gone, more leeway), a
 * remembered token gets the code, reason and claims of a fresh check.
 */
static void memo_hit_answers_like_a_full_verify(void **state)
{
    (void)state;
    char claims[4][512];
    snprintf(claims[0], 512,
             "{\"iss\":\"" ISS "\",\"sub\":\"1\",\"aud\":[\"other\",\"" AUD "\",3],\"jti\":\"1\","
             "\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld}",
             NOW, NOW + 20, NOW + 60);
    snprintf(claims[1], 512,
             "{\"iss\":\"" ISS "\",\"sub\":\"1\",\"aud\":[\"other\"],\"jti\":\"1\","
             "\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld,\"scopes\":[]}",
             NOW, NOW, NOW + 60);
    snprintf(claims[2], 512,
             "{\"iss\":\"" ISS "\",\"sub\":\"1\",\"aud\":\"" AUD "\","
             "\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld}",
             NOW, NOW, NOW + 60); /* no jti */
    snprintf(claims[3], 512,
             "{\"iss\":\"" ISS "\",\"sub\":\"1\",\"aud\":\"" AUD "x\",\"jti\":\"1\",\"tid\":\"t\","
             "\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld,\"scopes\":[\"a\",\"\"]}",
             NOW - 100, NOW - 100, NOW + 5);
    struct jwt_claims no_tid = good_claims();
    no_tid.tid = NULL;
    no_tid.scopes.n = 0;
    char *tokens[] = {sign_good(good_claims()), sign_good(no_tid),      signed_text(claims[0]),
                      signed_text(claims[1]),   signed_text(claims[2]), signed_text(claims[3]),
                      many_scopes(60),          many_scopes(200)};
    struct jwt_expect ex[8];
    for (int i = 0; i < 8; i++)
        ex[i] = expect;
    ex[1].now = NOW + 5;    /* claims[3] expired */
    ex[2].now = NOW + 3600; /* all expired */
    ex[3].now = NOW - 100;  /* not yet valid */
    ex[4].iss = "https://other.example.com";
    ex[5].aud = "other";
    ex[6].aud = AUD "x";
    ex[7].now = NOW - 15;
    ex[7].leeway = 60;
    struct ring r = {{kp1.kid, NULL}, {kp1.public_jwk, NULL}};
    struct ring none = {{NULL}, {NULL}};
    for (size_t t = 0; t < sizeof(tokens) / sizeof(tokens[0]); t++) {
        struct jwt_memo *m = jwt_memo_new(16);
        struct arena *a = arena_new();
        struct jwt_claims c1, c2;
        enum jwt_fail w1, w2;
        struct jwt_expect primed = expect;
        primed.memo = m;
        /* Prime the memo (a miss), whatever the answer. */
        int primed_rc = jwt_verify(tokens[t], lookup, &r, &primed, a, &c1, &w1);
        assert_int_equal(primed_rc == 0, w1 == JWT_FAIL_NONE);
        for (int i = 0; i < 8; i++) {
            for (int k = 0; k < 2; k++) {
                struct ring *keys = k == 0 ? &r : &none;
                int rc1 = jwt_verify(tokens[t], lookup, keys, &ex[i], a, &c1, &w1);
                struct jwt_expect memo_ex = ex[i];
                memo_ex.memo = m;
                int rc2 = jwt_verify(tokens[t], lookup, keys, &memo_ex, a, &c2, &w2);
                same_answer(rc1, w1, &c1, rc2, w2, &c2);
            }
        }
        /* Every call after the first was answered from the memo, but for a
         * token longer than the memo keeps (7: ~7 KB), always verified in full. */
        struct jwt_memo_stats st;
        jwt_memo_stats(m, &st);
        bool too_long = strlen(tokens[t]) > JWT_MEMO_TOKEN_MAX;
        assert_int_equal(too_long, t == 7);
        assert_int_equal(st.misses, too_long ? 17 : 1);
        assert_int_equal(st.hits + st.sigs, too_long ? 0 : 16);
        /* Facts kept, unless a claim was missing or they were too big (6: 60
         * scopes, ~1.4 KB of facts in a 2.6 KB token). */
        assert_int_equal(st.sigs, t == 4 || t == 6 ? 16 : 0);
        arena_free(a);
        jwt_memo_free(m);
    }
    for (size_t t = 0; t < sizeof(tokens) / sizeof(tokens[0]); t++)
        free(tokens[t]);
}

/* A memo hit skips the decoding and the RSA check only: the kid, the time,
 * iss and aud are checked again; another token, even one that shares all
 * but its last bytes with a remembered one, is verified in full. */
static void memo_refusals(void **state)
{
    (void)state;
    struct jwt_memo *m = jwt_memo_new(64);
    struct jwt_expect ex = expect;
    ex.memo = m;
    struct ring r = {{kp1.kid, NULL}, {kp1.public_jwk, NULL}};
    struct ring other = {{kp2.kid, NULL}, {kp2.public_jwk, NULL}};
    struct arena *a = arena_new();
    struct jwt_claims out;
    enum jwt_fail why;
    char *t = sign_good(good_claims());
    assert_int_equal(jwt_verify(t, lookup, &r, &ex, a, &out, &why), 0);
    memo_counts(m, 0, 0, 1);
    assert_int_equal(jwt_verify(t, lookup, &r, &ex, a, &out, &why), 0);
    memo_counts(m, 1, 0, 1);
    assert_string_equal(out.sub, "42");
    assert_string_equal(out.tid, "my-store");
    assert_int_equal(out.scopes.n, 2);
    /* Its kid gone from the ring (another key only): refused at once. */
    assert_int_equal(jwt_verify(t, lookup, &other, &ex, a, &out, &why), ERR_UNAUTHENTICATED);
    assert_int_equal(why, JWT_FAIL_KID);
    assert_null(out.sub);
    /* Expired, not yet valid, other iss, other aud. */
    struct jwt_expect e2 = ex;
    e2.now = NOW + 3600;
    assert_int_equal(jwt_verify(t, lookup, &r, &e2, a, &out, &why), ERR_UNAUTHENTICATED);
    assert_int_equal(why, JWT_FAIL_EXPIRED);
    e2 = ex;
    e2.now = NOW - 100;
    assert_int_equal(jwt_verify(t, lookup, &r, &e2, a, &out, &why), ERR_UNAUTHENTICATED);
    assert_int_equal(why, JWT_FAIL_NOT_YET);
    e2 = ex;
    e2.iss = "https://evil.example.com";
    assert_int_equal(jwt_verify(t, lookup, &r, &e2, a, &out, &why), ERR_UNAUTHENTICATED);
    assert_int_equal(why, JWT_FAIL_ISS);
    e2 = ex;
    e2.aud = "other";
    assert_int_equal(jwt_verify(t, lookup, &r, &e2, a, &out, &why), ERR_UNAUTHENTICATED);
    assert_int_equal(why, JWT_FAIL_AUD);
    memo_counts(m, 6, 0, 1);
    /* Same bytes but one flipped near the end, or one fewer, or one more:
     * other tokens, verified in full, refused and never remembered. */
    size_t len = strlen(t);
    char *bad = malloc(len + 2);
    memcpy(bad, t, len + 1);
    bad[len - 5] = bad[len - 5] == 'A' ? 'B' : 'A';
    assert_int_equal(jwt_verify(bad, lookup, &r, &ex, a, &out, &why), ERR_UNAUTHENTICATED);
    assert_int_equal(why, JWT_FAIL_SIGNATURE);
    memcpy(bad, t, len + 1);
    bad[len - 1] = '\0';
    assert_int_equal(jwt_verify(bad, lookup, &r, &ex, a, &out, &why), ERR_UNAUTHENTICATED);
    memcpy(bad, t, len + 1);
    bad[len] = 'A';
    bad[len + 1] = '\0';
    assert_int_equal(jwt_verify(bad, lookup, &r, &ex, a, &out, &why), ERR_UNAUTHENTICATED);
    memo_counts(m, 6, 0, 4);
    assert_int_equal(jwt_verify(bad, lookup, &r, &ex, a, &out, &why), ERR_UNAUTHENTICATED);
    memo_counts(m, 6, 0, 5);
    /* A remembered signature does not vouch for another payload. */
    struct jwt_claims c = good_claims();
    c.sub = "1";
    char *t1 = sign_good(c);
    char *p1 = strchr(t, '.'), *s1 = strrchr(t, '.');
    char *p2 = strchr(t1, '.'), *s2 = strrchr(t1, '.');
    size_t n = strlen(t) + strlen(t1) + 1;
    char *mix = malloc(n);
    snprintf(mix, n, "%.*s%.*s%s", (int)(p1 - t), t, (int)(s2 - p2), p2, s1);
    assert_int_equal(jwt_verify(mix, lookup, &r, &ex, a, &out, &why), ERR_UNAUTHENTICATED);
    assert_int_equal(why, JWT_FAIL_SIGNATURE);
    /* The original still verifies from the memo. */
    assert_int_equal(jwt_verify(t, lookup, &r, &ex, a, &out, &why), 0);
    memo_counts(m, 7, 0, 6);
    free(mix);
    free(t1);
    free(bad);
    free(t);
    arena_free(a);
    jwt_memo_free(m);
}

/* A full table: tokens replace each other and still verify right. */
/* More tokens than one set holds (a 1-entry memo is one set of
 * SLOTS_WAYS ways): used in turn, each evicts another, and every one still
 * verifies to its own claims; as many as the ways all stay. */
static void memo_collisions(void **state)
{
    (void)state;
    enum { N = SLOTS_WAYS + 1 };
    struct jwt_memo *m = jwt_memo_new(1);
    struct jwt_expect ex = expect;
    ex.memo = m;
    struct ring r = {{kp1.kid, NULL}, {kp1.public_jwk, NULL}};
    struct arena *a = arena_new();
    struct jwt_claims out;
    enum jwt_fail why;
    char *t[N];
    char subs[N][4];
    for (int k = 0; k < N; k++) {
        struct jwt_claims c = good_claims();
        snprintf(subs[k], sizeof(subs[k]), "%d", k + 1);
        c.sub = subs[k];
        t[k] = sign_good(c);
    }
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < N; k++) {
            assert_int_equal(jwt_verify(t[k], lookup, &r, &ex, a, &out, &why), 0);
            assert_string_equal(out.sub, subs[k]);
        }
    }
    memo_counts(m, 0, 0, 3 * N);
    /* The last SLOTS_WAYS tokens used are all kept. */
    for (int k = 1; k < N; k++) {
        assert_int_equal(jwt_verify(t[k], lookup, &r, &ex, a, &out, &why), 0);
        assert_string_equal(out.sub, subs[k]);
    }
    memo_counts(m, N - 1, 0, 3 * N);
    for (int k = 0; k < N; k++)
        free(t[k]);
    arena_free(a);
    jwt_memo_free(m);
}

/* ---- malformed ---- */

static void tampered(void **state)
{
    (void)state;
    char *t = sign_good(good_claims());
    /* Payload re-encoded with sub 1 instead of 42, signature kept. */
    struct jwt_claims c = good_claims();
    c.sub = "1";
    char *other = sign_good(c);
    char *p1 = strchr(t, '.'), *s1 = strrchr(t, '.');
    char *p2 = strchr(other, '.'), *s2 = strrchr(other, '.');
    size_t n = strlen(t) + strlen(other) + 1;
    char *mix = malloc(n);
    snprintf(mix, n, "%.*s%.*s%s", (int)(p1 - t), t, (int)(s2 - p2), p2, s1);
    assert_int_equal(check(mix), JWT_FAIL_SIGNATURE);
    /* One flipped character in the signature. */
    snprintf(mix, n, "%s", t);
    char *last = mix + strlen(mix) - 5;
    *last = *last == 'A' ? 'B' : 'A';
    assert_int_equal(check(mix), JWT_FAIL_SIGNATURE);
    free(mix);
    free(other);
    free(t);
}

static void truncated(void **state)
{
    (void)state;
    char *t = sign_good(good_claims());
    size_t len = strlen(t);
    char *cut = strdup(t);
    cut[len - 1] = '\0'; /* one character short */
    assert_int_not_equal(check(cut), JWT_FAIL_NONE);
    *strrchr(cut, '.') = '\0'; /* header.payload */
    assert_int_equal(check(cut), JWT_FAIL_FORMAT);
    strcat(cut, "."); /* header.payload. (empty signature) */
    assert_int_equal(check(cut), JWT_FAIL_FORMAT);
    *strchr(cut, '.') = '\0'; /* header only */
    assert_int_equal(check(cut), JWT_FAIL_FORMAT);
    assert_int_equal(check(""), JWT_FAIL_FORMAT);
    assert_int_equal(check(NULL), JWT_FAIL_FORMAT);
    assert_int_equal(check(".."), JWT_FAIL_FORMAT);
    assert_int_equal(check("a.b.c.d"), JWT_FAIL_FORMAT);
    assert_int_equal(check("1|abcdefghijklmnopqrstuvwxyz"), JWT_FAIL_FORMAT); /* a PAT */
    free(cut);
    /* Characters outside base64url, and padding. */
    char *bad = strdup(t);
    bad[3] = '+';
    assert_int_equal(check(bad), JWT_FAIL_FORMAT);
    bad[3] = '=';
    assert_int_equal(check(bad), JWT_FAIL_FORMAT);
    free(bad);
    free(t);
}

/* The shape gate's byte table against the alphabet spelled out: each of
 * the 255 non-NUL bytes put in a signature is a bad signature if it is
 * base64url (A-Z a-z 0-9 - _), a bad format otherwise. */
static void every_byte_of_the_shape(void **state)
{
    (void)state;
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *t = sign_good(good_claims());
    size_t at = strlen(t) - 3;
    char keep = t[at];
    for (int b = 1; b < 256; b++) {
        t[at] = (char)b;
        enum jwt_fail want = strchr(alphabet, b) == NULL ? JWT_FAIL_FORMAT
                             : b == keep                 ? JWT_FAIL_NONE
                                                         : JWT_FAIL_SIGNATURE;
        assert_int_equal(check(t), want);
    }
    free(t);
}

static void huge(void **state)
{
    (void)state;
    char *big = malloc(JWT_MAX_LEN + 100);
    memset(big, 'A', JWT_MAX_LEN + 99);
    big[10] = '.';
    big[20] = '.';
    big[JWT_MAX_LEN + 99] = '\0';
    assert_int_equal(check(big), JWT_FAIL_FORMAT);
    free(big);
    /* A header larger than any real one (inside the total limit). */
    char *header = malloc(3000);
    int n = snprintf(header, 3000, "{\"alg\":\"RS256\",\"kid\":\"%s\",\"x\":\"", kp1.kid);
    memset(header + n, 'x', 2000);
    strcpy(header + n + 2000, "\"}");
    char *t = by_hand(header, claims_text(NOW, NOW, NOW + 60), "c2ln");
    assert_int_equal(check(t), JWT_FAIL_FORMAT);
    free(t);
    free(header);
    /* Deeply nested claims are refused or rejected, never a crash. */
    char *deep = malloc(20000);
    size_t k = 0;
    for (int i = 0; i < 3000; i++)
        deep[k++] = '[';
    deep[k] = '\0';
    t = by_hand(header_with_kid("RS256", kp1.kid), deep, "c2ln");
    assert_int_not_equal(check(t), JWT_FAIL_NONE);
    free(t);
    free(deep);
}

static void odd_headers(void **state)
{
    (void)state;
    const char *claims = claims_text(NOW, NOW, NOW + 600);
    char header[256];
    snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"kid\":\"%s\",\"crit\":[\"exp\"]}",
             kp1.kid);
    char *t = forge(header, claims, kp1.private_pem);
    assert_int_equal(check(t), JWT_FAIL_FORMAT);
    free(t);
    snprintf(header, sizeof(header), "{\"typ\":\"at+jwt\",\"alg\":\"RS256\",\"kid\":\"%s\"}",
             kp1.kid);
    t = forge(header, claims, kp1.private_pem);
    assert_int_equal(check(t), JWT_FAIL_FORMAT);
    free(t);
    /* Duplicate "alg": refused, whichever a parser would keep. */
    snprintf(header, sizeof(header), "{\"alg\":\"none\",\"alg\":\"RS256\",\"kid\":\"%s\"}",
             kp1.kid);
    t = by_hand(header, claims, "c2ln");
    assert_int_equal(check(t), JWT_FAIL_FORMAT);
    free(t);
    /* A header that is not an object. */
    t = by_hand("[\"RS256\"]", claims, "c2ln");
    assert_int_equal(check(t), JWT_FAIL_FORMAT);
    free(t);
    /* An encrypted (5-part) token. */
    assert_int_equal(check("a.b.c.d.e"), JWT_FAIL_FORMAT);
}

/* ---- private keys at rest (jwt_seal.c) ---- */

static void seal_and_open(void **state)
{
    (void)state;
    unsigned char kek[JWT_KEK_BYTES], other[JWT_KEK_BYTES];
    randombytes_buf(kek, sizeof(kek));
    randombytes_buf(other, sizeof(other));
    char *sealed = jwt_key_seal(kek, kp1.private_pem);
    assert_true(jwt_key_is_sealed(sealed));
    assert_false(jwt_key_is_sealed(kp1.private_pem));
    assert_null(strstr(sealed, "PRIVATE"));
    char *again = jwt_key_seal(kek, kp1.private_pem);
    assert_string_not_equal(sealed, again); /* a fresh nonce each time */
    free(again);
    char *pem = NULL;
    assert_int_equal(jwt_key_open(kek, sealed, &pem), 0);
    assert_string_equal(pem, kp1.private_pem);
    free(pem);
    assert_int_equal(jwt_key_open(other, sealed, &pem), ERR_CRYPTO);
    assert_null(pem);
    /* One altered character anywhere in the box: refused. */
    size_t len = strlen(sealed);
    for (size_t i = 10; i < len; i += 97) {
        char keep = sealed[i];
        sealed[i] = sealed[i] == 'A' ? 'B' : 'A';
        int rc = jwt_key_open(kek, sealed, &pem);
        assert_true(rc == ERR_CRYPTO || rc == ERR_INVALID);
        assert_null(pem);
        sealed[i] = keep;
    }
    assert_int_equal(jwt_key_open(kek, kp1.private_pem, &pem), ERR_INVALID);
    assert_int_equal(jwt_key_open(kek, "sealed:v1:", &pem), ERR_INVALID);
    assert_int_equal(jwt_key_open(kek, "sealed:v1:!!!!", &pem), ERR_INVALID);
    assert_int_equal(jwt_key_open(kek, "sealed:v1:AAAA", &pem), ERR_INVALID);
    free(sealed);
}

static void kek_text_and_file(void **state)
{
    (void)state;
    unsigned char kek[JWT_KEK_BYTES], back[JWT_KEK_BYTES];
    assert_int_equal(jwt_kek_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", kek), 0);
    for (int i = 0; i < 32; i++)
        assert_int_equal(kek[i], i);
    static const char *const bad[] = {"", "c2hvcnQ=", "not base64 at all",
                                      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ=="};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(jwt_kek_parse(bad[i], kek), ERR_INVALID);

    char dir[] = "/tmp/latchkey-kek-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/sub/kek", dir);
    bool created = false;
    assert_int_equal(jwt_kek_load(path, false, kek, &created), ERR_NOT_FOUND);
    assert_int_equal(jwt_kek_load(path, true, kek, &created), 0);
    assert_true(created);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(jwt_kek_load(path, true, back, &created), 0);
    assert_false(created);
    assert_memory_equal(kek, back, sizeof(kek));
    assert_int_equal(jwt_kek_create(path, back), ERR_CONFLICT);
    unlink(path);
    snprintf(path, sizeof(path), "%s/sub", dir);
    rmdir(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keygen_makes_rsa_2048_with_thumbprint_kid),
        cmocka_unit_test(sign_then_verify),
        cmocka_unit_test(aud_may_be_an_array),
        cmocka_unit_test(wrong_iss_and_aud),
        cmocka_unit_test(expired),
        cmocka_unit_test(not_yet_valid),
        cmocka_unit_test(missing_or_mistyped_claims),
        cmocka_unit_test(alg_none),
        cmocka_unit_test(hs256_keyed_with_the_public_key),
        cmocka_unit_test(unknown_or_missing_kid),
        cmocka_unit_test(foreign_key_under_a_known_kid),
        cmocka_unit_test(embedded_key_headers_are_refused),
        cmocka_unit_test(rotation_both_keys_verify),
        cmocka_unit_test(small_rsa_key_is_refused),
        cmocka_unit_test(public_jwk_matches_the_private_key),
        cmocka_unit_test(memo_hit_answers_like_a_full_verify),
        cmocka_unit_test(memo_refusals),
        cmocka_unit_test(memo_collisions),
        cmocka_unit_test(tampered),
        cmocka_unit_test(truncated),
        cmocka_unit_test(every_byte_of_the_shape),
        cmocka_unit_test(huge),
        cmocka_unit_test(odd_headers),
        cmocka_unit_test(seal_and_open),
        cmocka_unit_test(kek_text_and_file),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
