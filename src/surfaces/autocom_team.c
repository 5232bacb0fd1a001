/*
 * autocom_team.c - seed 002, AutoCom part 2: team management, invitations,
 * roles and permissions (issue #5), in the AutoCom dialect (autocom.h).
 *
 *   GET    /api/v1/team                             team.view          members, paginated
 *   POST   /api/v1/team/invite                      team.invite        {email, role_id} -> 201
 *   POST   /api/v1/invitations/accept               public             {token, name?, password?,
 * ...} GET    /api/v1/team/invitations                 team.invite        open invitations POST
 * /api/v1/team/invitations/{id}/resend     team.invite        new token, new email DELETE
 * /api/v1/team/invitations/{id}            team.invite        cancel PATCH
 * /api/v1/team/members/{id}/role           team.manage_roles  {role_id} POST
 * /api/v1/team/members/{id}/suspend        team.remove POST   /api/v1/team/members/{id}/reactivate
 * team.edit DELETE /api/v1/team/members/{id}                team.remove GET    /api/v1/team/roles
 * team.view GET    /api/v1/team/roles/{id}                  team.view GET /api/v1/team/permissions
 * team.manage_roles  the catalogue
 *
 * Every route but accept takes a JWT and the X-Tenant header, or the
 * dashboard session in its current tenant (AUTH_BEARER_JWT_TENANT_OR_SESSION,
 * route.h), and the seed's permission; the dispatcher
 * answers 401, 400 (no X-Tenant), 403 (refusals, and required_permission)
 * before a handler runs. A member {id} is a user id; ids of another
 * tenant's members, invitations and roles answer 404 exactly like unknown
 * ones. Response shapes where the seed shows none: docs/decisions.md.
 */
#include <string.h>

#include "core/invitation.h"
#include "core/product.h"
#include "core/role.h"
#include "core/team.h"
#include "core/user.h"
#include "mail/mail.h"
#include "server.h"
#include "surfaces/autocom.h"
#include "surfaces/dispatch.h"
#include "surfaces/paginate.h"
#include "surfaces/surfaces.h"
#include "surfaces/validate.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/jsonutil.h"
#include "util/timeutil.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 255
#define ROLE_INVALID "The selected role is invalid."
#define LAST_OWNER   "The organization must keep at least one active owner."

/* ---- JSON ---- */

static json_t *role_ref(const struct role *r)
{
    if (r == NULL)
        return json_null();
    return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)r->id, "name", r->name, "slug", r->slug);
}

static json_t *member_json(const struct member_row *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(m->user.id));
    json_object_set_new(o, "name", json_string(m->user.name));
    json_object_set_new(o, "email", json_string(m->user.email));
    json_object_set_new(o, "role", role_ref(m->has_role ? &m->role : NULL));
    json_object_set_new(o, "status", json_string(member_status_str(m->membership.status)));
    json_object_set_new(o, "joined_at", autocom_time(m->membership.joined_at));
    json_object_set_new(o, "last_login_at", autocom_time(m->user.last_login_at));
    return o;
}

static json_t *role_json(const struct role *r)
{
    return json_pack("{s:I, s:s, s:s, s:b, s:o}", "id", (json_int_t)r->id, "name", r->name, "slug",
                     r->slug, "is_system", r->is_system, "permissions",
                     json_strlist(&r->permissions));
}

/* The roles and inviters an invitation list refers to, read once. */
struct inv_refs {
    struct role *roles;
    size_t n_roles;
};

static const struct role *find_role(const struct inv_refs *refs, int64_t id)
{
    for (size_t i = 0; i < refs->n_roles; i++) {
        if (refs->roles[i].id == id)
            return &refs->roles[i];
    }
    return NULL;
}

static json_t *inviter_json(struct server *srv, struct request *req, int64_t user_id)
{
    struct user u;
    if (user_id == 0 || user_find_id(srv, http_arena(req), user_id, &u) != 0)
        return json_null();
    return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)u.id, "name", u.name, "email", u.email);
}

static json_t *invitation_json(struct server *srv, struct request *req,
                               const struct invitation *inv, const struct inv_refs *refs)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(inv->id));
    json_object_set_new(o, "email", json_string(inv->email));
    json_object_set_new(o, "role", role_ref(find_role(refs, inv->role_id)));
    json_object_set_new(o, "status",
                        json_string(invitation_state_str(invitation_state(inv, server_now(srv)))));
    json_object_set_new(o, "invited_by", inviter_json(srv, req, inv->invited_by));
    json_object_set_new(o, "expires_at", autocom_time(inv->expires_at));
    json_object_set_new(o, "created_at", autocom_time(inv->created_at));
    return o;
}

/* The tenant's roles for invitation_json; false after replying 5xx. */
static bool load_refs(struct server *srv, struct request *req, int64_t tenant_id,
                      struct inv_refs *refs)
{
    int rc = role_list(srv, http_arena(req), tenant_id, &refs->roles, &refs->n_roles);
    if (rc != 0)
        surface_fail(&surface_autocom_team, req, rc);
    return rc == 0;
}

/* ---- helpers ---- */

static void reply_gone(struct request *req, enum invitation_state st)
{
    const char *msg = st == INV_EXPIRED    ? "This invitation has expired"
                      : st == INV_ACCEPTED ? "This invitation has already been accepted"
                                           : "This invitation has been cancelled";
    http_reply_json(req, 410,
                    json_pack("{s:s, s:s}", "message", msg, "status", invitation_state_str(st)));
}

static void reply_team_refusal(struct request *req, enum team_refusal why, const char *field)
{
    switch (why) {
    case TEAM_BAD_ROLE:
        validate_reply_field(&surface_autocom_team, req, "role_id", ROLE_INVALID);
        break;
    case TEAM_LAST_OWNER:
        validate_reply_field(&surface_autocom_team, req, field, LAST_OWNER);
        break;
    case TEAM_SELF:
        validate_reply_field(&surface_autocom_team, req, field, "You cannot suspend yourself.");
        break;
    case TEAM_ACTOR_GONE:
        autocom_message(req, 403, "You are not a member of this organization");
        break;
    case TEAM_ROLE_ABOVE_ACTOR:
        autocom_message(req, 403, "You cannot assign a role with permissions you do not have");
        break;
    default:
        autocom_message(req, 403,
                        "You cannot manage a member whose role has permissions you do not have");
    }
}

/* ---- GET /api/v1/team ---- */

/* A URL, or JSON null for none. */
static json_t *url_or_null(const char *url)
{
    return url != NULL ? json_string(url) : json_null();
}

static json_t *link_json(const char *url, const char *label, bool active)
{
    return json_pack("{s:o, s:s, s:b}", "url", url_or_null(url), "label", label, "active", active);
}

/* meta.links as Laravel's LengthAwarePaginator builds them (paginate.h's
 * window), "&laquo; Previous" first and "Next &raquo;" last. */
static json_t *meta_links(struct request *req, const struct page *pg)
{
    json_t *links = json_array();
    json_array_append_new(links, link_json(page_prev_url(req, pg), "&laquo; Previous", false));
    int64_t pages[PAGE_WINDOW_MAX];
    size_t n = page_window(pg, pages);
    for (size_t i = 0; i < n; i++) {
        if (pages[i] == 0)
            json_array_append_new(links, link_json(NULL, "...", false));
        else
            json_array_append_new(
                links, link_json(page_url(req, pg, pages[i]),
                                 arena_printf(http_arena(req), "%lld", (long long)pages[i]),
                                 pages[i] == pg->current));
    }
    json_array_append_new(links, link_json(page_next_url(req, pg), "Next &raquo;", false));
    return links;
}

static json_t *paginated(struct request *req, const struct page *pg, json_t *data, size_t count)
{
    int64_t from = (pg->current - 1) * pg->per_page + 1;
    json_t *links = json_pack(
        "{s:s, s:s, s:o, s:o}", "first", page_url(req, pg, 1), "last", page_url(req, pg, pg->last),
        "prev", url_or_null(page_prev_url(req, pg)), "next", url_or_null(page_next_url(req, pg)));
    json_t *meta = json_object();
    json_object_set_new(meta, "current_page", json_integer(pg->current));
    json_object_set_new(meta, "from", count > 0 ? json_integer(from) : json_null());
    json_object_set_new(meta, "last_page", json_integer(pg->last));
    json_object_set_new(meta, "links", meta_links(req, pg));
    json_object_set_new(meta, "path", json_string(pg->path));
    json_object_set_new(meta, "per_page", json_integer(pg->per_page));
    json_object_set_new(meta, "to",
                        count > 0 ? json_integer(from + (int64_t)count - 1) : json_null());
    json_object_set_new(meta, "total", json_integer(pg->total));
    return json_pack("{s:o, s:o, s:o}", "data", data, "links", links, "meta", meta);
}

static void team_list_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct page pg;
    if (!page_read(srv, &surface_autocom_team, req, "/api/v1/team", TEAM_PER_PAGE_DEFAULT,
                   TEAM_PER_PAGE_MAX, &pg))
        return;
    struct member_row *rows = NULL;
    size_t n = 0;
    int rc = team_list(srv, http_arena(req), p->tenant.id, pg.current, pg.per_page, &rows, &n,
                       &pg.total);
    if (rc != 0) {
        surface_fail(&surface_autocom_team, req, rc);
        return;
    }
    page_set_total(&pg, pg.total);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(data, member_json(&rows[i]));
    http_reply_json(req, 200, paginated(req, &pg, data, n));
}

/* ---- invitations ---- */

static void invite_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct arena *a = http_arena(req);
    struct validator v;
    validator_init(&v, req);
    const char *email = validate_string(&v, req, "email", V_REQUIRED | V_EMAIL, USER_EMAIL_MAX);
    if (email != NULL && !mail_address_valid(email)) {
        validate_add(&v, "email", "The email field must be a valid email address.");
        email = NULL;
    }
    int64_t role_id = 0;
    bool have_role = validate_integer(&v, req, "role_id", V_REQUIRED, &role_id);
    enum invite_refusal why = INVITE_OK;
    int rc = email != NULL ? invitation_check_email(srv, a, p->tenant.id, email, &why) : 0;
    if (rc == 0 && why == INVITE_MEMBER)
        validate_add(&v, "email", "This user is already a member of this organization.");
    else if (rc == 0 && why == INVITE_PENDING)
        validate_add(&v, "email", "An invitation has already been sent to this email address.");
    struct role role;
    if (rc == 0 && have_role) {
        rc = team_role(srv, a, p->tenant.id, role_id, &role);
        if (rc == ERR_NOT_FOUND) {
            validate_add(&v, "role_id", ROLE_INVALID);
            rc = 0;
        }
    }
    if (rc != 0) {
        surface_fail(&surface_autocom_team, req, rc);
        return;
    }
    if (validate_failed(&v)) {
        validate_reply(&surface_autocom_team, req, &v);
        return;
    }
    struct invitation inv;
    rc = invitation_create(srv, a, p, email, role_id, http_client_ip(req), &inv, &why);
    if (rc == ERR_FORBIDDEN)
        reply_team_refusal(req, TEAM_ROLE_ABOVE_ACTOR, NULL);
    else if (rc == ERR_INVALID)
        validate_reply_field(&surface_autocom_team, req, "role_id", ROLE_INVALID);
    else if (rc == ERR_CONFLICT)
        validate_reply_field(&surface_autocom_team, req, "email",
                             why == INVITE_MEMBER
                                 ? "This user is already a member of this organization."
                                 : "An invitation has already been sent to this email address.");
    else if (rc != 0)
        surface_fail(&surface_autocom_team, req, rc);
    else {
        struct inv_refs refs = {&role, 1};
        http_reply_json(req, 201,
                        json_pack("{s:s, s:o}", "message", "Invitation sent successfully",
                                  "invitation", invitation_json(srv, req, &inv, &refs)));
    }
}

static void invitations_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct invitation *list = NULL;
    size_t n = 0;
    struct inv_refs refs;
    if (!load_refs(srv, req, p->tenant.id, &refs))
        return;
    int rc = invitation_list(srv, http_arena(req), p->tenant.id, &list, &n);
    if (rc != 0) {
        surface_fail(&surface_autocom_team, req, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, invitation_json(srv, req, &list[i], &refs));
    http_reply_json(req, 200, json_pack("{s:o}", "invitations", arr));
}

/* The common ending of resend and cancel. */
static bool invitation_failed(struct server *srv, struct request *req, int rc,
                              const struct invitation *inv, enum invite_refusal why)
{
    if (rc == 0)
        return false;
    if (rc == ERR_NOT_FOUND)
        autocom_message(req, 404, "Invitation not found");
    else if (rc == ERR_CONFLICT && why == INVITE_NOT_OPEN)
        reply_gone(req, invitation_state(inv, server_now(srv)));
    else if (rc == ERR_INVALID)
        validate_reply_field(&surface_autocom_team, req, "role_id", ROLE_INVALID);
    else
        surface_fail(&surface_autocom_team, req, rc);
    return true;
}

static void resend_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct invitation inv;
    enum invite_refusal why = INVITE_OK;
    int rc = invitation_resend(srv, http_arena(req), p, surface_path_id(req, "id"),
                               http_client_ip(req), &inv, &why);
    struct inv_refs refs;
    if (invitation_failed(srv, req, rc, &inv, why) || !load_refs(srv, req, p->tenant.id, &refs))
        return;
    http_reply_json(req, 200,
                    json_pack("{s:s, s:o}", "message", "Invitation resent successfully",
                              "invitation", invitation_json(srv, req, &inv, &refs)));
}

static void cancel_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct invitation inv;
    enum invite_refusal why = INVITE_OK;
    int rc = invitation_cancel(srv, http_arena(req), p, surface_path_id(req, "id"),
                               http_client_ip(req), &inv, &why);
    if (!invitation_failed(srv, req, rc, &inv, why))
        autocom_message(req, 200, "Invitation cancelled successfully");
}

/* ---- POST /api/v1/invitations/accept ---- */

static void reply_accept_refusal(struct request *req, int rc, enum invitation_state st,
                                 enum invite_refusal why)
{
    if (rc == ERR_NOT_FOUND)
        autocom_message(req, 404, "Invitation not found");
    else if (rc == ERR_CONFLICT && why == INVITE_NOT_OPEN)
        reply_gone(req, st);
    else if (rc == ERR_CONFLICT && why == INVITE_MEMBER)
        autocom_message(req, 409, "You are already a member of this organization");
    else if (rc == ERR_FORBIDDEN) {
        struct principal p = {
            .refusal = why == INVITE_TENANT_SUSPENDED ? REFUSE_TENANT_SUSPENDED
                       : why == INVITE_USER_INACTIVE  ? REFUSE_USER_INACTIVE
                                                      : REFUSE_USER_SUSPENDED,
        };
        autocom_refusal(req, &p);
    } else
        surface_fail(&surface_autocom_team, req, rc);
}

static void accept_resume(struct request *req, void *arg)
{
    struct acceptance *acc = arg;
    struct user user;
    enum invitation_state st;
    enum invite_refusal why;
    int rc = accept_finish(acc, http_arena(req), &user, &st, &why);
    accept_fini(acc);
    if (rc != 0) {
        reply_accept_refusal(req, rc, st, why);
        return;
    }
    http_reply_json(req, 200,
                    json_pack("{s:s, s:{s:I, s:s, s:s, s:s}, s:{s:s, s:s}}", "message",
                              "Invitation accepted successfully", "user", "id", (json_int_t)user.id,
                              "name", user.name, "email", user.email, "role", acc->role.slug,
                              "tenant", "id", acc->tenant.slug, "name", acc->tenant.name));
}

/* A new account's name and password; false after replying 422. */
static bool validate_new_account(struct request *req, struct acceptance *acc)
{
    struct validator v;
    validator_init(&v, req);
    const char *name = validate_string(&v, req, "name", V_REQUIRED, USER_NAME_MAX);
    const char *password = validate_new_password(&v, req, "password", PASSWORD_MIN, PASSWORD_MAX);
    validate_password_policy(&v, acc->srv, "password", password, acc->inv.email, name);
    if (validate_failed(&v)) {
        validate_reply(&surface_autocom_team, req, &v);
        return false;
    }
    accept_set_password(acc, name, password);
    return true;
}

static void accept_handler(struct server *srv, struct request *req, const struct principal *u)
{
    (void)u;
    struct validator v;
    validator_init(&v, req);
    const char *token = validate_string(&v, req, "token", V_REQUIRED, INVITATION_TOKEN_MAX);
    if (validate_failed(&v)) {
        validate_reply(&surface_autocom_team, req, &v);
        return;
    }
    struct acceptance *acc = arena_alloc(http_arena(req), sizeof(*acc));
    enum invitation_state st;
    enum invite_refusal why;
    int rc = accept_begin(srv, http_arena(req), acc, token, http_client_ip(req), &st, &why);
    if (rc != 0) {
        reply_accept_refusal(req, rc, st, why);
        return;
    }
    if (acc->existing) {
        accept_resume(req, acc);
        return;
    }
    if (!validate_new_account(req, acc))
        return;
    rc = http_defer(req, accept_work, accept_resume, acc);
    if (rc != 0) {
        accept_fini(acc);
        surface_fail(&surface_autocom_team, req, rc);
    }
}

/* ---- members ---- */

/* The member of {id} in the actor's tenant; false after replying 404. */
static bool load_member(struct server *srv, struct request *req, const struct principal *p,
                        struct member_row *m)
{
    int rc = team_member(srv, http_arena(req), p->tenant.id, surface_path_id(req, "id"), m);
    if (rc == ERR_NOT_FOUND)
        autocom_message(req, 404, "Member not found");
    else if (rc != 0)
        surface_fail(&surface_autocom_team, req, rc);
    return rc == 0;
}

static void change(struct server *srv, struct request *req, const struct principal *p,
                   struct team_change *c, const char *done, const char *field)
{
    c->ip = http_client_ip(req);
    struct member_row m;
    enum team_refusal why = TEAM_OK;
    int rc = team_apply(srv, http_arena(req), p, c, &m, &why);
    if (rc == ERR_NOT_FOUND)
        autocom_message(req, 404, "Member not found");
    else if (rc == ERR_INVALID || rc == ERR_FORBIDDEN || rc == ERR_CONFLICT)
        reply_team_refusal(req, why, field);
    else if (rc != 0)
        surface_fail(&surface_autocom_team, req, rc);
    else if (c->action == TEAM_REMOVE)
        autocom_message(req, 200, done);
    else
        http_reply_json(req, 200,
                        json_pack("{s:s, s:o}", "message", done, "member", member_json(&m)));
}

static void role_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct member_row m;
    if (!load_member(srv, req, p, &m))
        return;
    struct validator v;
    validator_init(&v, req);
    struct team_change c = {.action = TEAM_SET_ROLE, .user_id = m.user.id};
    if (!validate_integer(&v, req, "role_id", V_REQUIRED, &c.role_id)) {
        validate_reply(&surface_autocom_team, req, &v);
        return;
    }
    change(srv, req, p, &c, "Member role updated successfully", "role_id");
}

static void member_action(struct server *srv, struct request *req, const struct principal *p,
                          enum team_action act, const char *done)
{
    struct team_change c = {.action = act, .user_id = surface_path_id(req, "id")};
    change(srv, req, p, &c, done, "member");
}

static void suspend_handler(struct server *srv, struct request *req, const struct principal *p)
{
    member_action(srv, req, p, TEAM_SUSPEND, "Member suspended successfully");
}

static void reactivate_handler(struct server *srv, struct request *req, const struct principal *p)
{
    member_action(srv, req, p, TEAM_REACTIVATE, "Member reactivated successfully");
}

static void remove_handler(struct server *srv, struct request *req, const struct principal *p)
{
    member_action(srv, req, p, TEAM_REMOVE, "Member removed successfully");
}

/* ---- roles and permissions ---- */

static void roles_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct role *roles = NULL;
    size_t n = 0;
    int rc = role_list(srv, http_arena(req), p->tenant.id, &roles, &n);
    if (rc != 0) {
        surface_fail(&surface_autocom_team, req, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, role_json(&roles[i]));
    http_reply_json(req, 200, json_pack("{s:o}", "roles", arr));
}

static void role_detail_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct role r;
    int rc = team_role(srv, http_arena(req), p->tenant.id, surface_path_id(req, "id"), &r);
    if (rc == ERR_NOT_FOUND)
        autocom_message(req, 404, "Role not found");
    else if (rc != 0)
        surface_fail(&surface_autocom_team, req, rc);
    else
        http_reply_json(req, 200, json_pack("{s:o}", "role", role_json(&r)));
}

/* The catalogue of the product the tenant belongs to (an unknown product,
 * which tenant creation never stores: an empty list). */
static void permissions_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)srv;
    const struct product *pr = product_find(p->tenant.product);
    size_t n = pr != NULL ? pr->n_permissions : 0;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct permission_info *pi = &pr->permissions[i];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "name", pi->name, "description",
                                             pi->description, "group", pi->group));
    }
    http_reply_json(req, 200, json_pack("{s:o}", "permissions", arr));
}

#define TEAM AUTH_BEARER_JWT_TENANT_OR_SESSION

static const struct route routes[] = {
    {HTTP_GET, "/api/v1/team", team_list_handler, TEAM, "team.view", "api", 0},
    {HTTP_POST, "/api/v1/team/invite", invite_handler, TEAM, "team.invite", "api", 0},
    {HTTP_POST, "/api/v1/invitations/accept", accept_handler, AUTH_PUBLIC, NULL, "api", 0},
    {HTTP_GET, "/api/v1/team/invitations", invitations_handler, TEAM, "team.invite", "api", 0},
    {HTTP_POST, "/api/v1/team/invitations/{id}/resend", resend_handler, TEAM, "team.invite", "api",
     0},
    {HTTP_DELETE, "/api/v1/team/invitations/{id}", cancel_handler, TEAM, "team.invite", "api", 0},
    {HTTP_PATCH, "/api/v1/team/members/{id}/role", role_handler, TEAM, "team.manage_roles", "api",
     0},
    {HTTP_POST, "/api/v1/team/members/{id}/suspend", suspend_handler, TEAM, "team.remove", "api",
     0},
    {HTTP_POST, "/api/v1/team/members/{id}/reactivate", reactivate_handler, TEAM, "team.edit",
     "api", 0},
    {HTTP_DELETE, "/api/v1/team/members/{id}", remove_handler, TEAM, "team.remove", "api", 0},
    {HTTP_GET, "/api/v1/team/roles", roles_handler, TEAM, "team.view", "api", 0},
    {HTTP_GET, "/api/v1/team/roles/{id}", role_detail_handler, TEAM, "team.view", "api", 0},
    {HTTP_GET, "/api/v1/team/permissions", permissions_handler, TEAM, "team.manage_roles", "api",
     0},
};

const struct surface surface_autocom_team = {
    .name = "autocom_team",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = autocom_error,
    .refusal = autocom_refusal,
    .denied = autocom_denied,
    .validation = autocom_validation,
};
