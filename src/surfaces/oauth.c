/*
 * oauth.c - the OAuth side of latchkey for services that are not latchkey
 * (issue 17): token introspection (RFC 7662), revocation (RFC 7009) and
 * OpenID Connect discovery.
 *
 *   POST /oauth/introspect   token=...&token_type_hint=...  (form or JSON)
 *                            200 {"active":true,...} or exactly {"active":false}
 *   POST /oauth/revoke       token=...  200 {} whatever the token was
 *   GET  /.well-known/openid-configuration
 *
 * The caller authenticates with "Authorization: Bearer <service token>" or
 * HTTP Basic of a service account (core/introspect.h); Basic is hashed on
 * the worker pool unless remembered (core/basicauth.h), and counts against
 * the account's guessing limit. The caller is checked before the request's
 * parameters, so an unauthenticated client learns nothing. Errors have
 * RFC 6749's shape {"error":...,"error_description":...}; a 401 carries
 * WWW-Authenticate for both schemes.
 *
 * Discovery builds every URL from LATCHKEY_PUBLIC_URL, never from the Host
 * header: the issuer must equal the "iss" of the JWTs, and a document a
 * cache may keep must not name a host an attacker chose.
 */
#include <string.h>
#include <strings.h>

#include "core/introspect.h"
#include "server.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"

#define CHALLENGE "Bearer realm=\"latchkey\", Basic realm=\"latchkey\""

/* One introspection or revocation request; in its arena. */
struct oauth_call {
    struct server *srv;
    bool revoke;
    struct principal p;
    struct introspect_caller caller;
};

static const char *oauth_code(enum http_error kind)
{
    switch (kind) {
    case HERR_BAD_REQUEST:
    case HERR_TOO_LARGE: return "invalid_request";
    case HERR_UNAUTHENTICATED: return "invalid_client";
    case HERR_FORBIDDEN: return "insufficient_scope";
    case HERR_NOT_FOUND: return "not_found";
    case HERR_METHOD: return "method_not_allowed";
    case HERR_RATE_LIMITED: return "slow_down";
    case HERR_UNAVAILABLE: return "temporarily_unavailable";
    default: return "server_error";
    }
}

static const char *oauth_description(enum http_error kind)
{
    switch (kind) {
    case HERR_BAD_REQUEST: return "The request is missing a required parameter or is malformed.";
    case HERR_TOO_LARGE: return "The request body is too large.";
    case HERR_UNAUTHENTICATED: return "Client authentication failed.";
    case HERR_FORBIDDEN: return "The client may not introspect or revoke tokens.";
    case HERR_NOT_FOUND: return "Not found.";
    case HERR_METHOD: return "Method not allowed.";
    case HERR_RATE_LIMITED: return "Too many requests.";
    case HERR_UNAVAILABLE: return "The server is temporarily unavailable.";
    default: return "The server encountered an error.";
    }
}

/* RFC 6749 section 5.2's error body, in the status of kind. */
static void oauth_error(struct request *req, enum http_error kind, const char *message)
{
    if (kind == HERR_UNAUTHENTICATED)
        http_reply_header(req, "WWW-Authenticate", CHALLENGE);
    http_no_store(req);
    http_reply_json(req, http_error_status(kind),
                    json_pack("{s:s, s:s}", "error", oauth_code(kind), "error_description",
                              message != NULL ? message : oauth_description(kind)));
}

static void oauth_refusal(struct request *req, const struct principal *p)
{
    (void)p;
    oauth_error(req, HERR_UNAUTHENTICATED, NULL);
}

/* A token's abilities as an RFC 6749 scope: space-separated, each
 * ability's own spaces ("CREATE LEADS") written as '_'. */
static const char *scope_string(struct arena *a, const struct strlist *l)
{
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->items[i]) + 1;
    char *out = arena_alloc(a, len), *w = out;
    for (size_t i = 0; i < l->n; i++) {
        if (i > 0)
            *w++ = ' ';
        for (const char *s = l->items[i]; *s != '\0'; s++)
            *w++ = *s == ' ' ? '_' : *s;
    }
    *w = '\0';
    return out;
}

static json_t *strlist_json(const struct strlist *l)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(arr, json_string(l->items[i]));
    return arr;
}

/*
 * The answer for an active token. A JWT's row allows everything ("*");
 * what it may do is its role's permissions (its "scopes" claim, read
 * live), so those are its scope.
 */
static json_t *active_json(struct server *srv, struct arena *a, const struct introspection *in)
{
    const struct principal *p = &in->p;
    const struct token *t = &p->token;
    bool jwt = t->kind == TOKEN_JWT;
    struct strlist none = {0};
    const struct strlist *abilities = !jwt            ? &t->abilities
                                      : p->has_tenant ? &p->role.permissions
                                                      : &none;
    json_t *o = json_pack("{s:b, s:s, s:o, s:s, s:s, s:s, s:s, s:I}", "active", 1, "scope",
                          scope_string(a, abilities), "abilities", strlist_json(abilities),
                          "username", p->user.email, "sub",
                          arena_printf(a, "%lld", (long long)p->user.id), "token_type", "Bearer",
                          "token_kind", token_kind_str(t->kind), "iat", (json_int_t)t->created_at);
    json_object_set_new(o, "jti", json_string(arena_printf(a, "%lld", (long long)t->id)));
    if (t->expires_at != 0)
        json_object_set_new(o, "exp", json_integer(t->expires_at));
    if (jwt) {
        json_object_set_new(o, "iss", json_string(srv->cfg.public_url));
        json_object_set_new(o, "aud", json_string(srv->cfg.jwt_audience));
    }
    if (p->has_tenant) {
        json_object_set_new(o, "tenant", json_integer(p->tenant.id));
        json_object_set_new(o, "tenant_slug", json_string(p->tenant.slug));
    }
    if ((p->has_tenant || p->staff) && p->role.slug != NULL)
        json_object_set_new(o, "role", json_string(p->role.slug));
    return o;
}

/* The caller is known: reads the token parameter and answers. */
static void answer(struct oauth_call *c, struct request *req)
{
    json_t *v = json_object_get(http_json(req), "token");
    if (!json_is_string(v) || json_string_length(v) == 0) {
        oauth_error(req, HERR_BAD_REQUEST, "The token parameter is required.");
        return;
    }
    const char *token = json_string_value(v);
    http_no_store(req);
    if (c->revoke) {
        int rc = introspect_revoke(c->srv, http_arena(req), &c->caller, token, http_client_ip(req));
        if (rc != 0)
            surface_fail(&surface_oauth, req, rc);
        else
            http_reply_json(req, 200, json_object());
        return;
    }
    struct introspection in;
    int rc = introspect_token(c->srv, http_arena(req), &c->caller, token, &in);
    if (rc != 0)
        surface_fail(&surface_oauth, req, rc);
    else if (!in.active)
        http_reply_json(req, 200, json_pack("{s:b}", "active", 0));
    else
        http_reply_json(req, 200, active_json(c->srv, http_arena(req), &in));
}

/* After the caller's credential was checked (rc). */
static void caller_checked(struct oauth_call *c, struct request *req, int rc)
{
    if (rc == ERR_UNAUTHENTICATED)
        oauth_error(req, HERR_UNAUTHENTICATED, NULL);
    else if (rc == ERR_FORBIDDEN)
        oauth_error(req, HERR_FORBIDDEN, NULL);
    else if (rc != 0)
        surface_fail(&surface_oauth, req, rc);
    else
        answer(c, req);
}

static void basic_done(struct request *req, void *arg, int rc)
{
    struct oauth_call *c = arg;
    if (rc == 0)
        rc = introspect_caller_user(c->srv, http_arena(req), &c->p, &c->caller);
    caller_checked(c, req, rc);
}

static void endpoint(struct server *srv, struct request *req, bool revoke)
{
    struct oauth_call *c = arena_alloc(http_arena(req), sizeof(*c));
    *c = (struct oauth_call){.srv = srv, .revoke = revoke};
    const char *h = http_header(req, "Authorization");
    if (h != NULL && strncasecmp(h, "Basic ", 6) == 0) {
        surface_basic_auth(srv, &surface_oauth, req, &c->p, basic_done, c);
        return;
    }
    const char *bearer = NULL;
    if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0) {
        for (bearer = h + 7; *bearer == ' '; bearer++)
            ;
    }
    int rc = bearer == NULL || bearer[0] == '\0'
                 ? ERR_UNAUTHENTICATED
                 : introspect_caller_bearer(srv, http_arena(req), bearer, &c->caller);
    caller_checked(c, req, rc);
}

static void introspect_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    endpoint(srv, req, false);
}

static void revoke_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    endpoint(srv, req, true);
}

/*
 * OpenID Provider metadata, honest about what latchkey is: an issuer of
 * RS256 JWT access tokens with a JWKS, introspection and revocation. It
 * runs no authorization or token endpoint of OAuth, so it names none and
 * supports no response or grant type; "sub" is the same user id for
 * everyone ("public").
 */
static void discovery(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    struct arena *a = http_arena(req);
    const char *base = srv->cfg.public_url;
    json_t *auth = json_pack("[s]", "client_secret_basic");
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:O, s:O, s:[s], s:[s], s:[], s:[], s:[s,s,s,s,s,s,s,s,s]}",
                  "issuer", base, "jwks_uri", arena_printf(a, "%s/.well-known/jwks.json", base),
                  "introspection_endpoint", arena_printf(a, "%s/oauth/introspect", base),
                  "revocation_endpoint", arena_printf(a, "%s/oauth/revoke", base),
                  "introspection_endpoint_auth_methods_supported", auth,
                  "revocation_endpoint_auth_methods_supported", auth,
                  "id_token_signing_alg_values_supported", "RS256", "subject_types_supported",
                  "public", "response_types_supported", "grant_types_supported", "claims_supported",
                  "iss", "sub", "aud", "exp", "iat", "nbf", "jti", "tid", "scopes");
    json_decref(auth);
    http_reply_header(req, "Cache-Control", "public, max-age=300");
    http_reply_json(req, 200, o);
}

static const struct route routes[] = {
    {HTTP_POST, "/oauth/introspect", introspect_handler, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_POST, "/oauth/revoke", revoke_handler, AUTH_PUBLIC, NULL, NULL, 0},
    {HTTP_GET, "/.well-known/openid-configuration", discovery, AUTH_PUBLIC, NULL, NULL, 0},
};

const struct surface surface_oauth = {
    .name = "oauth",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = oauth_error,
    .refusal = oauth_refusal,
    .prefix = "/oauth",
};
