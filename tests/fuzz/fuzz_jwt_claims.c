/*
 * fuzz_jwt_claims.c - libFuzzer harness: the JWT claims parser behind a
 * valid signature (crypto/jwt.h, jwt_verify).
 *
 * The input is the claims JSON. It is put under the header jwt_sign
 * writes ({"typ":"JWT","alg":"RS256","kid":...}) and signed here with
 * OpenSSL under the harness's key, the way a holder of a leaked signing
 * key, or a bug in our own signer, would present it. Signing costs about
 * 1 ms, so this harness runs far fewer executions than the others.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>

#include "jwt_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *pkey;

/* Signs signing_input with RS256; writes the base64url signature at out. */
static void sign(const char *signing_input, char *out)
{
    if (pkey == NULL) {
        BIO *bio = BIO_new_mem_buf(fuzz_kp.private_pem, -1);
        pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        BIO_free(bio);
        if (pkey == NULL)
            abort();
    }
    unsigned char sig[512];
    size_t siglen = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
        EVP_DigestSign(md, sig, &siglen, (const unsigned char *)signing_input,
                       strlen(signing_input)) != 1)
        abort();
    EVP_MD_CTX_free(md);
    fuzz_b64url(out, sig, siglen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_jwt_init();
    if (size > JWT_MAX_LEN)
        return 0;
    char header[160];
    int hn = snprintf(header, sizeof(header), "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"%s\"}",
                      fuzz_kp.kid);
    char *token = malloc(2 * size + 1024);
    char *out = fuzz_b64url(token, (const uint8_t *)header, (size_t)hn);
    *out++ = '.';
    out = fuzz_b64url(out, data, size);
    char sig[700];
    sign(token, sig);
    *out++ = '.';
    memcpy(out, sig, strlen(sig) + 1);
    fuzz_verify(token);
    free(token);
    return 0;
}
