/*
 * fuzz_pat.c - libFuzzer harness: the Sanctum personal access token text
 * ("<id>|<secret>", crypto/pat.h) as a client presents it after "Bearer ".
 *
 * Checks pat_parse's contract on every input: on success the id is 0 (no
 * '|') or positive, the secret is a non-empty suffix of the input and the
 * input is at most PAT_INPUT_MAX printable bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/pat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t id = -1;
    const char *secret = NULL;
    if (pat_parse(s, &id, &secret)) {
        size_t n = strlen(s);
        if (n == 0 || n > PAT_INPUT_MAX || id < 0 || secret == NULL || *secret == '\0' ||
            secret < s || secret >= s + n)
            abort();
        for (const char *c = s; *c; c++) {
            if (*c < 0x20 || *c > 0x7e)
                abort();
        }
        (void)pat_checksum_ok(secret);
    }
    (void)pat_checksum_ok(s);
    free(s);
    return 0;
}
