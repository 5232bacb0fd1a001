/*
 * jwt_rsa.c - the RSA half of RS256, on OpenSSL 3's libcrypto (EVP):
 * key generation, the PEM and JWK forms of a key, and RSASSA-PKCS1-v1_5
 * with SHA-256 over the signing input (RFC 7518 section 3.3).
 *
 * Only RSA keys of at least JWT_RSA_MIN_BITS are ever built, for signing
 * and for verifying alike; a PEM or JWK of any other type or size gives
 * NULL. Every buffer that held private key material is wiped before it is
 * freed (OPENSSL_clear_free or secure_wipe). No state: thread-safe.
 */
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/jwt_int.h"
#include "util/err.h"
#include "util/xalloc.h"

#define JWK_N_MAX 1024 /* base64url characters of a modulus: 6,144 bits at most */
#define B64URL    sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* An RSA key of at least JWT_RSA_MIN_BITS: k itself, or NULL (k freed). */
static EVP_PKEY *rsa_only(EVP_PKEY *k)
{
    if (k != NULL &&
        (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA || EVP_PKEY_get_bits(k) < JWT_RSA_MIN_BITS)) {
        EVP_PKEY_free(k);
        k = NULL;
    }
    return k;
}

EVP_PKEY *jwt_rsa_private(const char *pem)
{
    size_t len = strnlen(pem, JWT_PEM_MAX + 1);
    if (len > JWT_PEM_MAX)
        return NULL;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    return rsa_only(k);
}

/* A big number from a base64url JWK member, or NULL. */
static BIGNUM *jwk_bn(json_t *jwk, const char *name)
{
    json_t *v = json_object_get(jwk, name);
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > JWK_N_MAX)
        return NULL;
    unsigned char raw[JWK_N_MAX];
    size_t n = 0;
    const char *s = json_string_value(v);
    if (sodium_base642bin(raw, sizeof(raw), s, json_string_length(v), NULL, &n, NULL, B64URL) != 0)
        return NULL;
    return BN_bin2bn(raw, (int)n, NULL);
}

EVP_PKEY *jwt_rsa_public(const char *jwk_text)
{
    json_t *jwk = json_loads(jwk_text, JSON_REJECT_DUPLICATES, NULL);
    json_t *kty = json_object_get(jwk, "kty");
    BIGNUM *n = NULL, *e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *k = NULL;
    if (!json_is_string(kty) || strcmp(json_string_value(kty), "RSA") != 0)
        goto out;
    n = jwk_bn(jwk, "n");
    e = jwk_bn(jwk, "e");
    bld = OSSL_PARAM_BLD_new();
    if (n == NULL || e == NULL || bld == NULL ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        k = NULL;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    json_decref(jwk);
    return rsa_only(k);
}

/* The base64url text of a key parameter (malloc'd), or NULL. */
static char *param_b64url(const EVP_PKEY *k, const char *name)
{
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(k, name, &bn))
        return NULL;
    int len = BN_num_bytes(bn);
    unsigned char *raw = xmalloc((size_t)len + 1);
    BN_bn2bin(bn, raw);
    size_t tlen = sodium_base64_encoded_len((size_t)len, B64URL);
    char *text = xmalloc(tlen);
    sodium_bin2base64(text, tlen, raw, (size_t)len, B64URL);
    free(raw);
    BN_free(bn);
    return text;
}

/* The public JWK text and the RFC 7638 thumbprint (SHA-256 of the
 * required members in lexicographic order, no white space). */
static int public_half(const EVP_PKEY *k, struct jwt_keypair *out)
{
    char *n = param_b64url(k, OSSL_PKEY_PARAM_RSA_N);
    char *e = param_b64url(k, OSSL_PKEY_PARAM_RSA_E);
    json_t *j = NULL;
    int rc = ERR_CRYPTO;
    if (n == NULL || e == NULL)
        goto out;
    j = json_pack("{s:s, s:s, s:s}", "e", e, "kty", "RSA", "n", n);
    char *canon = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (canon == NULL)
        goto out;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)canon, strlen(canon));
    free(canon);
    sodium_bin2base64(out->kid, sizeof(out->kid), digest, sizeof(digest), B64URL);
    json_decref(j);
    /* The order the JWKS has always shown: kty, n, e. */
    j = json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", n, "e", e);
    out->public_jwk = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    rc = out->public_jwk != NULL ? 0 : ERR_CRYPTO;
out:
    json_decref(j);
    free(n);
    free(e);
    return rc;
}

/* The private key as PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), the form the
 * keys made before libcrypto have. */
static char *private_pem(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_secmem());
    char *pem = NULL;
    if (bio != NULL && PEM_write_bio_PrivateKey_traditional(bio, k, NULL, NULL, 0, NULL, NULL)) {
        char *data = NULL;
        long len = BIO_get_mem_data(bio, &data);
        if (len > 0 && len <= JWT_PEM_MAX)
            pem = xstrndup(data, (size_t)len);
    }
    BIO_free(bio);
    return pem;
}

int jwt_keygen(unsigned bits, struct jwt_keypair *out)
{
    memset(out, 0, sizeof(*out));
    if (bits < JWT_RSA_MIN_BITS || bits > 8192)
        return ERR_INVALID;
    EVP_PKEY *k = EVP_RSA_gen(bits);
    int rc = ERR_CRYPTO;
    if (k == NULL)
        goto out;
    rc = public_half(k, out);
    if (rc != 0)
        goto out;
    out->private_pem = private_pem(k);
    rc = out->private_pem != NULL ? 0 : ERR_CRYPTO;
out:
    EVP_PKEY_free(k);
    if (rc != 0)
        jwt_keypair_fini(out);
    return rc;
}

int jwt_rsa_sign(EVP_PKEY *k, const char *msg, size_t len, unsigned char *sig, size_t *siglen)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = ERR_CRYPTO;
    if (md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) > 0 &&
        EVP_DigestSign(md, sig, siglen, (const unsigned char *)msg, len) > 0)
        rc = 0;
    EVP_MD_CTX_free(md);
    return rc;
}

bool jwt_rsa_verify(EVP_PKEY *k, const char *msg, size_t len, const unsigned char *sig,
                    size_t siglen)
{
    /* RSASSA-PKCS1-v1_5 is libcrypto's default padding for an RSA key. */
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md != NULL && (size_t)EVP_PKEY_get_size(k) == siglen &&
              EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) > 0 &&
              EVP_DigestVerify(md, sig, siglen, (const unsigned char *)msg, len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}
