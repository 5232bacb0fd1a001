/*
 * pat.c - Sanctum 4 personal access token text format.
 *
 * pat_parse() sees raw bearer values from the network, so it bounds every
 * read by PAT_INPUT_MAX and never trusts a length or a number it is given.
 * Stateless and thread-safe.
 */
#include "crypto/pat.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/random.h"
#include "util/err.h"
#include "util/xalloc.h"

#define CRC_HEX_LEN 8
#define CHECKED_LEN (PAT_RANDOM_LEN + CRC_HEX_LEN)

static bool is_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Writes 8 lower-case hex chars of crc32b(data) and a NUL, as PHP does. */
static void crc_hex(const char *data, size_t n, char out[CRC_HEX_LEN + 1])
{
    snprintf(out, CRC_HEX_LEN + 1, "%08" PRIx32, crc32b(data, n));
}

int pat_generate_secret(const char *prefix, char *out)
{
    char entropy[PAT_RANDOM_LEN + 1];
    char crc[CRC_HEX_LEN + 1];
    size_t plen;

    if (prefix == NULL)
        return ERR_INVALID;
    plen = strnlen(prefix, PAT_PREFIX_MAX + 1);
    if (plen > PAT_PREFIX_MAX)
        return ERR_INVALID;

    random_alnum(entropy, PAT_RANDOM_LEN);
    crc_hex(entropy, PAT_RANDOM_LEN, crc);

    memcpy(out, prefix, plen);
    memcpy(out + plen, entropy, PAT_RANDOM_LEN);
    memcpy(out + plen + PAT_RANDOM_LEN, crc, CRC_HEX_LEN + 1);

    secure_wipe(entropy, sizeof(entropy));
    secure_wipe(crc, sizeof(crc));
    return 0;
}

/*
 * Parses s[0..n) as a positive decimal int64 with no sign and no leading
 * zero. Checks for overflow before it happens.
 */
static bool parse_id(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;

    if (n == 0 || s[0] == '0')
        return false;
    for (size_t i = 0; i < n; i++) {
        int d;

        if (s[i] < '0' || s[i] > '9')
            return false;
        d = s[i] - '0';
        if (v > (INT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool pat_parse(const char *input, int64_t *id, const char **secret)
{
    const char *bar;
    size_t n;
    int64_t v = 0;

    *id = 0;
    *secret = NULL;
    if (input == NULL)
        return false;
    n = strnlen(input, PAT_INPUT_MAX + 1);
    if (n == 0 || n > PAT_INPUT_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)input[i];

        if (c < 0x20 || c > 0x7e)
            return false;
    }

    /* Like Laravel's explode('|', $token, 2): split at the first '|' only. */
    bar = memchr(input, '|', n);
    if (bar == NULL) {
        *secret = input;
        return true;
    }
    if (!parse_id(input, (size_t)(bar - input), &v))
        return false;
    if (bar[1] == '\0')
        return false;
    *id = v;
    *secret = bar + 1;
    return true;
}

bool pat_checksum_ok(const char *secret)
{
    const char *tail;
    char crc[CRC_HEX_LEN + 1];
    size_t n;

    if (secret == NULL)
        return false;
    n = strlen(secret);
    if (n < CHECKED_LEN)
        return false;
    tail = secret + n - CHECKED_LEN;
    for (size_t i = 0; i < PAT_RANDOM_LEN; i++) {
        if (!is_alnum(tail[i]))
            return false;
    }
    for (size_t i = PAT_RANDOM_LEN; i < CHECKED_LEN; i++) {
        if (!is_lower_hex(tail[i]))
            return false;
    }
    crc_hex(tail, PAT_RANDOM_LEN, crc);
    return memcmp(crc, tail + PAT_RANDOM_LEN, CRC_HEX_LEN) == 0;
}
