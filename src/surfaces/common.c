/*
 * common.c - routes shared by every deployment: health, readiness, JWKS.
 *
 *   GET /healthz   200 {"status":"ok"} as soon as the server accepts requests
 *                  (the process alone: a load balancer must not restart it
 *                  because the database is away)
 *   GET /readyz    200 {"status":"ready","database":"ok"} when the database
 *                  answers now, else 503 {"status":"unavailable",
 *                  "database":"down"} (take the instance out of rotation).
 *                  With LATCHKEY_REDIS_URL it adds "redis":"up" or "down";
 *                  a lost Redis never makes it 503: the instance still serves,
 *                  counting in memory until Redis is back.
 *   GET /.well-known/jwks.json   the public keys that verify latchkey's JWTs (RFC 7517)
 */
#include "core/health.h"
#include "core/keyring.h"
#include "core/ratelimit.h"
#include "server.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "util/arena.h"
#include "util/timeutil.h"

static void healthz(struct server *srv, struct request *req, const struct principal *p)
{
    (void)srv;
    (void)p;
    http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static void readyz(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    bool db = health_database(srv) == 0;
    json_t *body = json_pack("{s:s, s:s}", "status", db ? "ready" : "unavailable", "database",
                             db ? "ok" : "down");
    /* Probing also lets a down Redis be noticed back without limited traffic. */
    enum rate_store rs = ratelimit_store(srv->limiter, true);
    if (rs != RATE_STORE_MEMORY)
        json_object_set_new(body, "redis", json_string(ratelimit_store_str(rs)));
    http_reply_json(req, db ? 200 : 503, body);
}

/* One key as JWKS lists it: kid, kty, alg, use, n, e (in that order). */
static json_t *jwk_json(const struct signing_key *k)
{
    json_t *pub = json_loads(k->public_jwk, 0, NULL);
    json_t *kty = json_object_get(pub, "kty"), *n = json_object_get(pub, "n");
    json_t *e = json_object_get(pub, "e");
    json_t *o = NULL;
    if (json_is_string(kty) && json_is_string(n) && json_is_string(e))
        o = json_pack("{s:s, s:O, s:s, s:s, s:O, s:O}", "kid", k->kid, "kty", kty, "alg", k->alg,
                      "use", "sig", "n", n, "e", e);
    json_decref(pub);
    return o;
}

/* Every key that still verifies: the active one(s) and those retired
 * less than a token lifetime ago. Caches may keep it a minute; a verifier
 * meeting an unknown kid should fetch it again. */
static void jwks(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    struct signing_key *keys = NULL;
    size_t n = 0;
    int rc = keyring_verifying(srv->keys, http_arena(req), time_now(), &keys, &n);
    if (rc != 0) {
        surface_fail(&surface_common, req, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *k = jwk_json(&keys[i]);
        if (k != NULL)
            json_array_append_new(list, k);
    }
    http_reply_header(req, "Cache-Control", "public, max-age=60");
    http_reply_json(req, 200, json_pack("{s:o}", "keys", list));
}

static const struct route routes[] = {
    {HTTP_GET, "/healthz", healthz, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_GET, "/readyz", readyz, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_GET, "/.well-known/jwks.json", jwks, AUTH_PUBLIC, NULL, NULL, 0},
};

const struct surface surface_common = {
    .name = "common",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
};
