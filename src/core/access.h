/*
 * access.h - forward-auth access rules and the decision of GET /auth/verify
 * (issue 17): may this credential make this request to an upstream service?
 *
 * A rule (struct access_rule, stored in access_rules) names a method ("*":
 * any) and a path pattern in the router's language (http/router.h): "{name}"
 * is one non-empty segment, and a pattern ending in a slash and a star is a
 * prefix ("/api/" "*" matches "/api" and everything under it; "/" "*"
 * matches every path). It says
 * which credential kinds it accepts (auth: "none" for a public path, else a
 * set of pat, jwt and session; an API key is a PAT), an ability the
 * principal must have (principal_can: the role grants it and the token
 * allows it) and/or a role slug it must hold (the owner and super-admins
 * pass any), where the tenant comes from (tenant_from: "header" = X-Tenant,
 * else the tenant whose domain is the Host, else the credential's; "host" =
 * the Host's, else the credential's; "credential" = the token's or the
 * session's own), and a switch: a switched-off rule refuses every request
 * it matches (403), as a WNCMS endpoint switch does.
 *
 * Which rule decides: the rules are compiled into one router per method
 * (the rules of that method, then the "*" rules, each in id order; then the
 * prefixes, longest first), so a request is one router lookup. No rule
 * matches: 403 (deny by default; docs/decisions.md).
 *
 * The compiled table is replaced whole when the settings version moves
 * (core/settings.h's poller: every rule change bumps it), so a change on any
 * instance is in force on every instance within the poll interval. Lookups
 * take a read lock. Thread-safe.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/principal.h"
#include "store/model.h"

struct arena;
struct server;
struct settings;
struct store;
struct access;

#define ACCESS_PATTERN_MAX 255
#define ACCESS_NAME_MAX    100 /* an ability or a role slug */
#define ACCESS_URI_MAX     4096
#define ACCESS_MAX_RULES   10000

/* The credential kinds of a rule's auth field. */
enum access_kind { ACCESS_PAT = 1, ACCESS_JWT = 2, ACCESS_SESSION = 4 };

/*
 * Checks r and puts it in canonical form (method upper case, auth in the
 * order pat,jwt,session or "none", empty ability/role as NULL; NULL auth
 * and tenant_from take the defaults "pat,jwt,session" and "header"), new
 * strings in a. ERR_INVALID with *field (the rule's field name) and *why
 * (a sentence) for a bad value.
 */
int access_rule_check(struct arena *a, struct access_rule *r, const char **field, const char **why)
    __attribute__((warn_unused_result));

/* Every rule, by id (arena array). */
int access_rule_list(struct server *srv, struct arena *a, struct access_rule **out, size_t *n)
    __attribute__((warn_unused_result));
/* Rule id into *out (arena strings); ERR_NOT_FOUND. */
int access_rule_get(struct server *srv, struct arena *a, int64_t id, struct access_rule *out)
    __attribute__((warn_unused_result));
/*
 * Adds r (r->id 0) or replaces rule r->id with r, after access_rule_check
 * (same errors), in one transaction with the settings version; audited as
 * access_rule.create / access_rule.update by actor_user_id (0: the CLI).
 * ERR_CONFLICT when another rule has the same method and pattern,
 * ERR_NOT_FOUND for an unknown id. srv->settings (if any) is refreshed, so
 * this instance applies the change before returning.
 */
int access_rule_save(struct server *srv, struct arena *a, struct access_rule *r,
                     int64_t actor_user_id, const char *ip, const char **field, const char **why)
    __attribute__((warn_unused_result));
/* Deletes rule id (ERR_NOT_FOUND), audited as access_rule.delete. */
int access_rule_delete(struct server *srv, int64_t id, int64_t actor_user_id, const char *ip)
    __attribute__((warn_unused_result));

/*
 * Loads and compiles the rules of store (borrowed) and, when settings is
 * given, follows its version (settings_listen). NULL on a store error.
 */
struct access *access_new(struct store *store, struct settings *settings);
/* Accepts NULL. Unregisters nothing: free the settings first. */
void access_free(struct access *ac);

/*
 * The canonical path of an original request URI into out (outlen bytes):
 * the query and fragment cut, %XX decoded, empty and "." segments dropped,
 * ".." resolved, as nginx normalises a URI before choosing its location.
 * ERR_INVALID for a URI that does not start with '/', a bad or %00 escape,
 * a ".." above the root, or one longer than outlen - 1. A path decoded
 * already (decoded: true) is only folded: decoding twice would judge
 * "%252e%252e" as "..", which the service behind never sees.
 */
int access_normalize_path(const char *uri, bool decoded, char *out, size_t outlen)
    __attribute__((warn_unused_result));

/* What GET /auth/verify was told about the original request. */
struct access_query {
    const char *method;         /* "GET", ...; NULL: GET */
    const char *uri;            /* the original URI (path and query), raw; NULL: "/" */
    bool uri_decoded;           /* uri is a path %-decoded already, without its query */
    const char *host;           /* the original host name (normalised), or NULL */
    const char *x_tenant;       /* the X-Tenant header, or NULL */
    const char *bearer;         /* the Authorization Bearer value, or NULL */
    const char *session_cookie; /* the dashboard session cookie, or NULL */
};

enum access_verdict {
    ACCESS_ALLOW,           /* 200; p is set unless the rule is public */
    ACCESS_UNAUTHENTICATED, /* 401 */
    ACCESS_FORBIDDEN,       /* 403 */
};

enum access_reason {
    ACCESS_OK = 0,
    ACCESS_NO_RULE,  /* no rule matches the request */
    ACCESS_DISABLED, /* the rule is switched off */
    ACCESS_BAD_URI,  /* the original URI cannot be normalised */
    ACCESS_NO_CREDENTIAL,
    ACCESS_BAD_CREDENTIAL, /* unknown, revoked, expired; or of a kind the rule refuses */
    ACCESS_REFUSED,        /* the account, membership or tenant (p.refusal) */
    ACCESS_ABILITY,        /* the rule's ability is not granted */
    ACCESS_ROLE,           /* the rule's role is not held */
};

struct access_decision {
    enum access_verdict verdict;
    enum access_reason reason;
    int64_t rule_id;    /* the rule that decided, 0: none */
    bool has_principal; /* p is the authenticated principal */
    struct principal p;
};

/*
 * Decides q: the matching rule, its switch, the credential (Bearer: a JWT
 * when it has the JWT's two dots, else a Sanctum PAT; else the session
 * cookie) if the rule is not public, the tenant, the ability and the role.
 * Returns 0 with *d filled, or a store error (the decision could not be
 * made). A credential's use is recorded (last_used_at) as on any route.
 */
int access_decide(struct server *srv, struct arena *a, const struct access_query *q,
                  struct access_decision *d) __attribute__((warn_unused_result));

const char *access_reason_str(enum access_reason r);
