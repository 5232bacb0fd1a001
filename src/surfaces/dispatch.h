/*
 * dispatch.h - helpers every surface shares: the principal of the current
 * request, refusal wording, rate-limit headers, and the Laravel
 * {"message": ...} error dialect.
 */
#pragma once
#include "core/principal.h"
#include "surfaces/route.h"

struct server;

/* The standard English wording for a refusal (403). */
const char *refusal_message(enum refusal r);

/* The Laravel dialect: {"message": ...} with the status of kind. */
void laravel_error(struct request *req, enum http_error kind, const char *message);
/* The HTTP status for an error kind. */
unsigned http_error_status(enum http_error kind);

/* The CSRF token a request presents: X-XSRF-TOKEN, else X-CSRF-TOKEN,
 * else the body's "_token"; NULL if none (borrowed). */
const char *surface_csrf_token(struct request *req);
/* The token of "Authorization: Bearer <token>", or NULL. */
const char *surface_bearer(struct request *req);

/* Replies for a core error code (ERR_STORE -> 500, ERR_UNAVAILABLE and
 * ERR_BUSY -> 503, ...) in the surface's dialect. */
void surface_fail(const struct surface *sf, struct request *req, int err);
/*
 * A password check refused before it ran (err ERR_LIMIT: the account's
 * guessing limit, core/acctlimit.h): 429 with Retry-After: retry_after and
 * Laravel's "Too many login attempts. Please try again in N seconds.";
 * any other err as surface_fail.
 */
void surface_login_fail(const struct surface *sf, struct request *req, int err,
                        uint32_t retry_after);

/* The path parameter name ("{id}") as a positive decimal of at most 18
 * digits without a leading zero, or 0 for anything else. */
int64_t surface_path_id(struct request *req, const char *name);
/*
 * Applies the route's rate-limit bucket to p's user, or to the client IP
 * when p is NULL or has no user, and writes the X-RateLimit-* headers;
 * false if the request was refused (429, already answered).
 */
bool surface_rate_limit(struct server *srv, const struct surface *sf, const struct route *rt,
                        struct request *req, const struct principal *p);
/*
 * HTTP Basic (email and password) from the request's Authorization header,
 * for a route that authenticates in its handler: the password is checked
 * on the hashing pool unless remembered (core/basicauth.h), then done(req,
 * arg, rc) runs on the request thread with p filled as basic_finish()
 * fills it (rc 0, ERR_UNAUTHENTICATED, ERR_FORBIDDEN, ...). When the
 * account's guessing limit refuses, it answers 429 (surface_login_fail)
 * and done is not called. p and arg must live as long as the request.
 */
typedef void (*surface_basic_fn)(struct request *req, void *arg, int rc);
void surface_basic_auth(struct server *srv, const struct surface *sf, struct request *req,
                        struct principal *p, surface_basic_fn done, void *arg);
/*
 * Runs an AUTH_GATED route (route.h): its switches, auth mode and
 * required role from the settings of its site, then its handler (gate.c).
 */
void gate_dispatch(struct server *srv, const struct surface *sf, const struct route *rt,
                   struct request *req);

/*
 * Starts a password change for p (core/passwd.h) from the request's
 * current_password, password and password_confirmation (Laravel's rules:
 * required, min, max, confirmed; the 422 in sf's dialect), with the
 * hashing on the pool: resume gets the struct passwd_change and must call
 * passwd_finish() and passwd_fini(). Replies itself on any failure.
 */
void surface_change_password(struct server *srv, const struct surface *sf, struct request *req,
                             const struct principal *p, http_resume_fn resume);
