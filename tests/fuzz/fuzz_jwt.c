/*
 * fuzz_jwt.c - libFuzzer harness: JWT header and claims parsing in front
 * of the signature (crypto/jwt.h, jwt_verify).
 *
 * First byte 0: the rest is the token text as sent. Otherwise the rest is
 * "header JSON \n claims JSON \n signature bytes", each part base64url-
 * encoded here, so the fuzzer works on the JSON the parsers read rather
 * than on base64 text. The signature is almost never valid: this harness
 * covers everything that runs before and around the RSA check; the
 * claims behind a valid signature are fuzz_jwt_claims.c's.
 */
#include "jwt_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_jwt_init();
    if (size < 1 || size > 3 * JWT_MAX_LEN)
        return 0;
    char *token = malloc(2 * size + 16);
    if (data[0] == 0) {
        memcpy(token, data + 1, size - 1);
        token[size - 1] = '\0';
    } else {
        const uint8_t *p = data + 1, *end = data + size;
        char *out = token;
        for (int part = 0; part < 3; part++) {
            const uint8_t *nl = part < 2 ? memchr(p, '\n', (size_t)(end - p)) : NULL;
            const uint8_t *stop = nl != NULL ? nl : end;
            out = fuzz_b64url(out, p, (size_t)(stop - p));
            if (part < 2)
                *out++ = '.';
            p = nl != NULL ? nl + 1 : end;
        }
        *out = '\0';
    }
    fuzz_verify(token);
    free(token);
    return 0;
}
