/*
 * keys.c - `latchkey keys list | rotate`: the JWT signing keys.
 *
 * A running server picks a rotation up within a second (it reloads the
 * keys from the database), so rotating needs no restart. Private keys are
 * never printed.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/keyring.h"
#include "util/err.h"
#include "util/jsonutil.h"
#include "util/timeutil.h"

static const char usage[] =
    "usage: latchkey keys list [--json]\n"
    "       latchkey keys rotate [--json]\n\n"
    "list    every JWT signing key: kid, state, created, retired, verifies until.\n"
    "        active: signs new tokens (the newest active key does);\n"
    "        retired: no longer signs, still verifies tokens it signed (and is in the\n"
    "        JWKS) until retired_at + LATCHKEY_JWT_TTL + 5 s; expired: verifies nothing.\n"
    "rotate  creates a new RSA 2048 key that signs from now on and retires the\n"
    "        active one(s). Tokens already issued keep working until they expire.\n";

static const char *state(const struct keyring *kr, const struct signing_key *k, int64_t now)
{
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
    if (rc != 0)
        return cli_fail(rc, "keys rotate");
    if (r->json)
        cli_print_json(json_pack("{s:s, s:s, s:s}", "kid", kid, "alg", "RS256", "state", "active"));
    else
        printf("new signing key %s; the previous key verifies until its tokens expire\n", kid);
    return CLI_OK;
}

int cli_keys(int argc, char **argv)
{
    struct cli_opt o[] = {{NULL, false, NULL}};
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 1, usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    const char *sub = r.n_pos > 0 ? r.pos[0] : "";
    if (strcmp(sub, "list") == 0)
        rc = list(&r);
    else if (strcmp(sub, "rotate") == 0)
        rc = rotate(&r);
    else
        rc = cli_error(CLI_USAGE, "keys: expected list or rotate\n%s", usage);
    return cli_end(&r, rc);
}
