/*
 * admin_rules.c - the forward-auth access rules on the admin API (seed
 * 001's dialect, issue 17), staff only, like /admin/settings:
 *
 *   GET    /admin/rules         rules:list    every rule, by id
 *   GET    /admin/rules/{id}    rules:list
 *   POST   /admin/rules         rules:manage  method, pattern, auth, ability, role, tenant, enabled
 *   PATCH  /admin/rules/{id}    rules:manage  the fields given replace the rule's
 *   DELETE /admin/rules/{id}    rules:manage
 *
 * A rule is {"id","method","pattern","auth","ability","role","tenant",
 * "enabled","created_at","updated_at"}; core/access.h says what each field
 * means. A change is in force on this instance before the answer and on
 * every other within a second.
 */
#include <string.h>

#include "core/access.h"
#include "server.h"
#include "surfaces/admin.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "surfaces/validate.h"
#include "util/err.h"

#define RULE_NOT_FOUND "Rule not found."

static json_t *rule_json(const struct access_rule *r)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s?,s:s,s:b,s:I,s:I}", "id", (json_int_t)r->id,
                     "method", r->method, "pattern", r->pattern, "auth", r->auth, "ability",
                     r->ability, "role", r->role, "tenant", r->tenant_from, "enabled", r->enabled,
                     "created_at", (json_int_t)r->created_at, "updated_at",
                     (json_int_t)r->updated_at);
}

static void reply_ok(struct request *req, unsigned status, json_t *data, const char *message)
{
    json_t *body = json_pack("{s:b, s:o}", "success", 1, "data", data);
    if (message != NULL)
        json_object_set_new(body, "message", json_string(message));
    http_reply_json(req, status, body);
}

/* The {id} of the path's rule into *r; false when it replied (404, 500). */
static bool path_rule(struct server *srv, struct request *req, struct access_rule *r)
{
    int64_t id = surface_path_id(req, "id");
    int rc = id != 0 ? access_rule_get(srv, http_arena(req), id, r) : ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        admin_error(req, HERR_NOT_FOUND, RULE_NOT_FOUND);
    else if (rc != 0)
        surface_fail(&surface_admin_rules, req, rc);
    return rc == 0;
}

static void list_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    struct access_rule *rules;
    size_t n;
    int rc = access_rule_list(srv, http_arena(req), &rules, &n);
    if (rc != 0) {
        surface_fail(&surface_admin_rules, req, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, rule_json(&rules[i]));
    reply_ok(req, 200, json_pack("{s:o}", "rules", list), NULL);
}

static void show_handler(struct server *srv, struct request *req, const struct principal *p)
{
    (void)p;
    struct access_rule r;
    if (path_rule(srv, req, &r))
        reply_ok(req, 200, rule_json(&r), NULL);
}

/* A text field of the body into *out: absent keeps *out, null clears it
 * (nullable fields only), a string sets it; anything else is a 422 error. */
static void text_field(struct validator *v, json_t *body, const char *field, bool nullable,
                       const char **out)
{
    json_t *j = json_object_get(body, field);
    if (j == NULL)
        return;
    if (json_is_string(j) && json_string_length(j) <= ACCESS_PATTERN_MAX)
        *out = json_string_value(j);
    else if (json_is_null(j) && nullable)
        *out = NULL;
    else
        validate_add(v, field, "The value is invalid.");
}

/* Reads the body over r (a new rule, or the stored one) and saves it. */
static void save(struct server *srv, struct request *req, const struct principal *p,
                 struct access_rule *r)
{
    bool create = r->id == 0;
    json_t *body = http_json(req);
    struct validator v;
    validator_init(&v, req);
    if (!json_is_object(body))
        body = NULL;
    text_field(&v, body, "method", false, &r->method);
    text_field(&v, body, "pattern", false, &r->pattern);
    text_field(&v, body, "auth", false, &r->auth);
    text_field(&v, body, "ability", true, &r->ability);
    text_field(&v, body, "role", true, &r->role);
    text_field(&v, body, "tenant", false, &r->tenant_from);
    json_t *on = json_object_get(body, "enabled");
    if (json_is_boolean(on))
        r->enabled = json_is_true(on);
    else if (on != NULL)
        validate_add(&v, "enabled", "The enabled field must be true or false.");
    if (create && r->pattern == NULL)
        validate_add(&v, "pattern", "The pattern field is required.");
    if (validate_failed(&v)) {
        validate_reply(&surface_admin_rules, req, &v);
        return;
    }
    const char *field, *why;
    int rc =
        access_rule_save(srv, http_arena(req), r, p->user.id, http_client_ip(req), &field, &why);
    if (rc == ERR_INVALID) {
        validate_reply_field(&surface_admin_rules, req, field, why);
    } else if (rc == ERR_CONFLICT) {
        validate_reply_field(&surface_admin_rules, req, "pattern",
                             "A rule with this method and pattern already exists.");
    } else if (rc == ERR_LIMIT) {
        validate_reply_field(&surface_admin_rules, req, "pattern", "Too many rules.");
    } else if (rc == ERR_NOT_FOUND) {
        admin_error(req, HERR_NOT_FOUND, RULE_NOT_FOUND);
    } else if (rc != 0) {
        surface_fail(&surface_admin_rules, req, rc);
    } else {
        reply_ok(req, create ? 201 : 200, rule_json(r), create ? "Rule created." : "Rule updated.");
    }
}

static void create_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct access_rule r = {.method = "*", .enabled = true};
    save(srv, req, p, &r);
}

static void update_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct access_rule r;
    if (path_rule(srv, req, &r))
        save(srv, req, p, &r);
}

static void delete_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct access_rule r;
    if (!path_rule(srv, req, &r))
        return;
    int rc = access_rule_delete(srv, r.id, p->user.id, http_client_ip(req));
    if (rc == ERR_NOT_FOUND)
        admin_error(req, HERR_NOT_FOUND, RULE_NOT_FOUND);
    else if (rc != 0)
        surface_fail(&surface_admin_rules, req, rc);
    else
        reply_ok(req, 200, rule_json(&r), "Rule deleted.");
}

static const struct route routes[] = {
    {HTTP_GET, "/admin/rules", list_handler, AUTH_STAFF, "rules:list", "admin", 0},
    {HTTP_POST, "/admin/rules", create_handler, AUTH_STAFF, "rules:manage", "admin", 0},
    {HTTP_GET, "/admin/rules/{id}", show_handler, AUTH_STAFF, "rules:list", "admin", 0},
    {HTTP_PATCH, "/admin/rules/{id}", update_handler, AUTH_STAFF, "rules:manage", "admin", 0},
    {HTTP_DELETE, "/admin/rules/{id}", delete_handler, AUTH_STAFF, "rules:manage", "admin", 0},
};

const struct surface surface_admin_rules = {
    .name = "admin_rules",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = admin_error,
    .validation = admin_validation,
};
