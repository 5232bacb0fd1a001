/*
 * fuzz_jwt_claims.c - libFuzzer harness: the JWT claims parser behind a
 * valid signature (crypto/jwt.h, jwt_verify).
 *
 * The input is the claims JSON, put under the header jwt_sign writes
 * ({"typ":"JWT","alg":"RS256","kid":...}). Signing each input with RSA
 * costs about 1 ms, which held this harness to ~3,000 executions a second.
 * Instead the token is put in a JWT memo as "signature verified,
 * facts not kept" (MEMO_SIGNATURE): that is what the server's memo holds
 * for a token whose signature it checked, and jwt_verify then takes the
 * same road as after a good signature (payload decoding, the claims
 * gates, the memo storing the facts, the judgement). The token is then
 * verified a second time, now from the remembered facts (MEMO_FACTS),
 * and both answers must agree. The RSA step itself is fuzzed by fuzz_jwt.
 */
#include <sodium.h>
#include <stdio.h>

#include "crypto/jwt_int.h"
#include "jwt_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_str(const char *x, const char *y)
{
    return (x == NULL && y == NULL) || (x != NULL && y != NULL && strcmp(x, y) == 0);
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
    /* A signature of the right length that is never checked: the memo vouches. */
    static const char sig[] = "c2lnbmF0dXJlLXZvdWNoZWQtZm9yLWJ5LXRoZS1tZW1v";
    *out++ = '.';
    memcpy(out, sig, sizeof(sig));

    /* The memo holds tokens up to JWT_MEMO_TOKEN_MAX bytes; a longer one is
     * always verified in full (RSA), which fuzz_jwt covers. */
    if (strlen(token) > JWT_MEMO_TOKEN_MAX) {
        free(token);
        return 0;
    }
    struct jwt_memo *memo = jwt_memo_new(4);
    jwt_memo_store(memo, token, strlen(token), NULL);
    struct arena *a = arena_new();
    struct jwt_claims first, again;
    enum jwt_fail w1 = fuzz_verify_in(token, memo, a, &first);
    enum jwt_fail w2 = fuzz_verify_in(token, memo, a, &again);
    /* From the remembered facts the answer is the same; a token whose
     * claims were refused stays refused (the memo keeps no facts for it). */
    if (w1 != w2 || (w1 == JWT_FAIL_NONE &&
                     (!same_str(first.sub, again.sub) || !same_str(first.jti, again.jti) ||
                      !same_str(first.tid, again.tid) || first.exp != again.exp ||
                      first.scopes.n != again.scopes.n)))
        abort();
    arena_free(a);
    jwt_memo_free(memo);
    free(token);
    return 0;
}
