/*
 * keys.c - `latchkey keys list | rotate | revoke | rewrap`: the JWT
 * signing keys and the key that encrypts them at rest.
 *
 * A running server picks a rotation or a revocation up within a second (it
 * reloads the keys from the database), so neither needs a restart. Private
 * keys are never printed, nor is the key encryption key.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/keyring.h"
#include "crypto/jwt.h"
#include "util/err.h"
#include "util/jsonutil.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

static const char usage[] =
    "usage: latchkey keys list [--json]\n"
    "       latchkey keys rotate [--json]\n"
    "       latchkey keys revoke KID [--rotate] [--json]\n"
    "       latchkey keys rewrap --new-key-file FILE [--json]\n\n"
    "list    every JWT signing key: kid, state, created, retired, verifies until.\n"
    "        active: signs new tokens (the newest active key does);\n"
    "        retired: no longer signs, still verifies tokens it signed (and is in the\n"
    "        JWKS) until retired_at + LATCHKEY_JWT_TTL + 5 s; expired: verifies nothing.\n"
    "rotate  creates a new RSA 2048 key that signs from now on and retires the\n"
    "        active one(s). Tokens already issued keep working until they expire.\n"
    "revoke  the kill switch: KID stops verifying at once on every instance (within\n"
    "        1 s), leaves the JWKS, and its private key is erased. The only active key\n"
    "        is revoked only with --rotate, which makes a new one first.\n"
    "rewrap  seals every private key under the key encryption key in FILE (created,\n"
    "        mode 0600, with a new random key if it does not exist), read with the\n"
    "        current one. Then point LATCHKEY_KEY_ENCRYPTION_KEY_FILE (or\n"
    "        LATCHKEY_KEY_ENCRYPTION_KEY) at the new key and restart the servers.\n";

static const char no_kek[] =
    "no key encryption key to seal the new key with, or not the one the stored keys were sealed "
    "with (LATCHKEY_KEY_ENCRYPTION_KEY, LATCHKEY_KEY_ENCRYPTION_KEY_FILE)";

static const char *state(const struct keyring *kr, const struct signing_key *k, int64_t now)
{
    if (k->revoked_at != 0)
        return "revoked";
    if (k->retired_at == 0)
        return "active";
    return now < keyring_verifies_until(kr, k) ? "retired" : "expired";
}

static int list(struct cli_run *r)
{
    struct signing_key *keys = NULL;
    size_t n = 0;
    int rc = keyring_list(r->srv.keys, r->a, &keys, &n);
    if (rc != 0)
        return cli_fail(rc, "keys list");
    int64_t now = time_now();
    if (r->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(
                a, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "kid", keys[i].kid, "alg",
                             keys[i].alg, "state", state(r->srv.keys, &keys[i], now), "created_at",
                             json_time(keys[i].created_at), "retired_at",
                             json_time(keys[i].retired_at), "verifies_until",
                             json_time(keyring_verifies_until(r->srv.keys, &keys[i]))));
        cli_print_json(a);
        return CLI_OK;
    }
    for (size_t i = 0; i < n; i++) {
        char created[32];
        time_iso8601(keys[i].created_at, created);
        printf("%-44s %-6s %-8s created %s\n", keys[i].kid, keys[i].alg,
               state(r->srv.keys, &keys[i], now), created);
    }
    return CLI_OK;
}

static int rotate(struct cli_run *r)
{
    char kid[JWT_KID_MAX + 1];
    int rc = keyring_rotate(r->srv.keys, kid);
    if (rc == ERR_CRYPTO)
        return cli_error(CLI_FAIL, "keys rotate: %s", no_kek);
    if (rc == ERR_BUSY)
        return cli_error(CLI_FAIL, "keys rotate: another rotation ran at the same time and "
                                   "won; nothing changed (run `latchkey keys list`)");
    if (rc != 0)
        return cli_fail(rc, "keys rotate");
    if (r->json)
        cli_print_json(json_pack("{s:s, s:s, s:s}", "kid", kid, "alg", "RS256", "state", "active"));
    else
        printf("new signing key %s; the previous key verifies until its tokens expire\n", kid);
    return CLI_OK;
}

static int revoke(struct cli_run *r, bool rotate)
{
    if (r->n_pos < 2)
        return cli_error(CLI_USAGE, "keys revoke: which KID? (see `latchkey keys list`)");
    const char *kid = r->pos[1];
    char new_kid[JWT_KID_MAX + 1] = "";
    int rc = keyring_revoke(r->srv.keys, kid, rotate, new_kid);
    if (rc == ERR_NOT_FOUND)
        return cli_error(CLI_FAIL, "keys revoke: no unrevoked key %s", kid);
    if (rc == ERR_CONFLICT)
        return cli_error(CLI_FAIL,
                         "keys revoke: %s is the only active signing key; pass --rotate to "
                         "make a new one first (tokens it signed stop working either way)",
                         kid);
    if (rc == ERR_CRYPTO)
        return cli_error(CLI_FAIL, "keys revoke: %s", no_kek);
    if (rc == ERR_BUSY)
        return cli_error(CLI_FAIL, "keys revoke: a rotation ran at the same time; nothing "
                                   "changed: run it again");
    if (rc != 0)
        return cli_fail(rc, "keys revoke");
    if (r->json)
        cli_print_json(json_pack("{s:s, s:s, s:s*}", "kid", kid, "state", "revoked", "new_kid",
                                 rotate ? new_kid : NULL));
    else if (rotate)
        printf("revoked %s; new signing key %s\n", kid, new_kid);
    else
        printf("revoked %s: running servers refuse its tokens within a second\n", kid);
    return CLI_OK;
}

/* The new key encryption key: read from file, or created there. */
static int rewrap(struct cli_run *r, const char *file)
{
    if (file == NULL || *file == '\0')
        return cli_error(CLI_USAGE, "keys rewrap: --new-key-file FILE is required");
    unsigned char kek[JWT_KEK_BYTES];
    bool created = false;
    int rc = jwt_kek_load(file, true, kek, &created);
    if (rc != 0)
        return cli_error(CLI_FAIL, "keys rewrap: %s: %s", file,
                         rc == ERR_INVALID ? "not 32 bytes in base64" : err_str(rc));
    size_t n = 0;
    rc = keyring_rewrap(r->srv.keys, kek, &n);
    secure_wipe(kek, sizeof(kek));
    if (rc == ERR_CRYPTO)
        return cli_error(CLI_FAIL, "keys rewrap: a key cannot be decrypted with the current key "
                                   "encryption key; nothing was changed");
    if (rc != 0)
        return cli_fail(rc, "keys rewrap");
    if (r->json)
        cli_print_json(json_pack("{s:I, s:s, s:b}", "rewrapped", (json_int_t)n, "key_file", file,
                                 "created", created));
    else
        printf("%zu key(s) sealed under %s%s; now set LATCHKEY_KEY_ENCRYPTION_KEY_FILE=%s and "
               "restart\n",
               n, file, created ? " (new key)" : "", file);
    return CLI_OK;
}

int cli_keys(int argc, char **argv)
{
    struct cli_opt o[] = {
        {"rotate", false, NULL}, {"new-key-file", true, NULL}, {NULL, false, NULL}};
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 2, usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    const char *sub = r.n_pos > 0 ? r.pos[0] : "";
    if (strcmp(sub, "list") == 0)
        rc = list(&r);
    else if (strcmp(sub, "rotate") == 0)
        rc = rotate(&r);
    else if (strcmp(sub, "revoke") == 0)
        rc = revoke(&r, cli_get(o, "rotate") != NULL);
    else if (strcmp(sub, "rewrap") == 0)
        rc = rewrap(&r, cli_get(o, "new-key-file"));
    else
        rc = cli_error(CLI_USAGE, "keys: expected list, rotate, revoke or rewrap\n%s", usage);
    return cli_end(&r, rc);
}
