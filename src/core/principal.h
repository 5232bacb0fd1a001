/*
 * principal.h - who a request is and what it may do (DESIGN section 5).
 *
 * Every authenticated request goes through principal_from_bearer(), which
 * returns the user, the token, and the tenant context (tenant, membership,
 * role). Surfaces then ask principal_can(p, "orders.view").
 * All strings in a principal live in the arena passed in.
 */
#pragma once
#include <stdbool.h>

#include "store/model.h"

struct arena;
struct principal_rows;
struct server;

/* Why an otherwise valid credential is refused (ERR_FORBIDDEN). */
enum refusal {
    REFUSE_NONE = 0,
    REFUSE_USER_INACTIVE,
    REFUSE_USER_SUSPENDED,
    REFUSE_TENANT_SUSPENDED,
    REFUSE_MEMBER_SUSPENDED,
    REFUSE_NOT_MEMBER,
    REFUSE_NOT_STAFF, /* the admin API: the user holds no staff role */
    /* No tenant has the slug the request chose (ERR_NOT_FOUND, not
     * ERR_FORBIDDEN: AutoCom answers 404 "Tenant not found"). */
    REFUSE_TENANT_UNKNOWN,
};

enum auth_via { VIA_NONE = 0, VIA_PAT, VIA_PASSWORD, VIA_JWT, VIA_SESSION };

struct principal {
    enum auth_via via;
    struct user user;
    struct token token; /* valid when via == VIA_PAT or VIA_JWT (or after login) */
    bool has_tenant;    /* tenant, membership, role are valid */
    struct tenant tenant;
    struct membership membership;
    struct role role;
    enum refusal refusal; /* set when a call returns ERR_FORBIDDEN */
    /* The request's live dashboard session (core/session.h), a guest's too:
     * set with via == VIA_SESSION, and on public routes that check CSRF. */
    bool has_session;
    struct session session;
    /* Acts for the platform across tenants (staff_bind_platform): a
     * tenantless token of a super-admin or of staff holding the route's
     * platform permission. principal_can then asks tokenCan alone. */
    bool platform;
    /* role is the user's staff role (staff_authenticate, staff_bind): the
     * admin API's routes check their permission against it. */
    bool staff;
};

/*
 * Authenticates a bearer value (Sanctum token) and fills *p. x_tenant is
 * the X-Tenant header or NULL: when given, it must name the token's tenant.
 * Returns 0; ERR_UNAUTHENTICATED for a malformed, unknown, revoked or
 * expired token, a wrong secret, or an admin token (those only work on
 * the admin API, through staff_authenticate); ERR_FORBIDDEN with p->refusal for an
 * inactive/suspended user, membership or tenant, or a foreign X-Tenant;
 * ERR_STORE. Records the use for the batched last_used_at.
 */
int principal_from_bearer(struct server *srv, struct arena *a, const char *bearer,
                          const char *x_tenant, struct principal *p)
    __attribute__((warn_unused_result));

/*
 * Which tenant the request names, in DESIGN section 5's order: x_tenant
 * (the X-Tenant header) if given, else the slug of the tenant whose domain
 * is host (http_host: lower case, no port; NULL for none), else NULL (the
 * token's tenant, then the user's default membership, decide). *slug is
 * then passed on as the x_tenant of the functions below, so a Host naming
 * a tenant is held to the same rules as an X-Tenant naming it. Returns 0
 * or a store error.
 */
int principal_tenant_hint(struct server *srv, struct arena *a, const char *x_tenant,
                          const char *host, const char **slug) __attribute__((warn_unused_result));

/*
 * Resolves the tenant context of an authenticated user (p->user set):
 * x_tenant (a slug) if given, else want_tenant_id if non-zero, else the
 * user's earliest active membership, else none (has_tenant false). Checks
 * user, tenant and membership status. Same errors as above.
 */
int principal_bind_tenant(struct server *srv, struct arena *a, struct principal *p,
                          const char *x_tenant, int64_t want_tenant_id)
    __attribute__((warn_unused_result));

/*
 * The tenant binding of principal_from_bearer, for any credential backed by
 * a tokens row (a JWT's too): sets p's token and user from rows (read with
 * store_principal_by_token, already checked by the caller) and binds the
 * token's tenant with the same checks and refusals. p->via is the caller's.
 */
int principal_bind_rows(struct server *srv, struct arena *a, struct principal *p,
                        const struct principal_rows *rows, const char *x_tenant)
    __attribute__((warn_unused_result));

/*
 * The binding of a credential used in a tenant other than its token's
 * (a JWT whose X-Tenant names another organisation of its user): sets p's
 * token and user from rows (read with store_principal_in_tenant, the token
 * already checked by the caller), then checks the user, and binds the
 * rows' tenant with the checks and refusals of principal_bind_tenant.
 * No tenant in rows: ERR_NOT_FOUND with REFUSE_TENANT_UNKNOWN.
 */
int principal_bind_rows_in(struct principal *p, const struct principal_rows *rows)
    __attribute__((warn_unused_result));

/*
 * The answer for a token that is genuine and unexpired but revoked, read
 * with store_principal_by_token: when its holder's membership in the
 * token's tenant is now suspended or gone (team management revokes the
 * tokens of a member it suspends or removes), ERR_FORBIDDEN with
 * REFUSE_MEMBER_SUSPENDED or REFUSE_NOT_MEMBER and p->user set, so the
 * holder is told why they were signed out; otherwise ERR_UNAUTHENTICATED.
 */
int principal_revoked(struct principal *p, const struct principal_rows *rows)
    __attribute__((warn_unused_result));

/* Refuses users who are not active (ERR_FORBIDDEN + refusal). */
int principal_check_user(struct principal *p) __attribute__((warn_unused_result));

/*
 * Sanctum's tokenCan: the token (a PAT or a JWT's row) allows ability if
 * its abilities hold "*" or the ability itself. Password/session
 * principals allow everything.
 */
bool principal_token_can(const struct principal *p, const char *ability);
/*
 * can(): the role grants permission AND the token allows it. Super-admins,
 * and platform principals (p->platform), are granted every permission the
 * token allows.
 */
bool principal_can(const struct principal *p, const char *permission);
