/*
 * gate.c - the dispatcher of AUTH_GATED routes (route.h, issue 14): a
 * route's switch, auth mode and required role are settings of its site,
 * read before authentication, so an operator changes them at runtime
 * (core/settings.h) and every instance follows within a second.
 *
 * Order: site (X-Tenant, else Host) -> its switches (403 disabled, before
 * any credential is looked at) -> the mode's credential (none: nothing;
 * simple: api_token in the body, the query or a Bearer header; basic:
 * HTTP Basic, hashed on the worker pool unless remembered) -> rate limit
 * (per user, else per IP) -> required role -> handler.
 *
 * A request that names no site is checked against the platform's
 * settings, then authenticated in the platform's mode, and the
 * credential's tenant becomes the site: its own switches and mode are
 * checked then (a site may turn on what the platform turns off). When the
 * platform has the API off, such a request whose credential fails gets
 * the 403 "disabled" rather than the credential's refusal. The refusals
 * are the surface's (struct surface .gate_refusal).
 */
#include <string.h>

#include "core/settings.h"
#include "server.h"
#include "core/tenant.h"
#include "surfaces/dispatch.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"

enum gate_mode { MODE_NONE, MODE_SIMPLE, MODE_BASIC };

/* One gated request; in its arena. */
struct gate_call {
    struct server *srv;
    const struct surface *sf;
    const struct route *rt;
    bool has_site;
    struct tenant site;
    bool enabled;
    bool platform_off; /* no site named, and the platform has the route off */
    enum gate_mode mode;
    char role[SETTING_VALUE_MAX + 1];
    struct principal p;
};

/* The settings of the route for tenant_id (0: the platform's). */
static void read_config(struct gate_call *g, int64_t tenant_id)
{
    struct settings *c = g->srv->settings;
    const char *key = g->rt->permission;
    char name[SETTING_KEY_MAX + 8];
    char mode[SETTING_VALUE_MAX + 1];
    g->enabled = settings_on(c, tenant_id, g->sf->gate->global) && settings_on(c, tenant_id, key);
    snprintf(name, sizeof(name), "%s_auth", key);
    settings_get(c, tenant_id, name, mode, NULL);
    g->mode = strcmp(mode, "none") == 0    ? MODE_NONE
              : strcmp(mode, "basic") == 0 ? MODE_BASIC
                                           : MODE_SIMPLE;
    snprintf(name, sizeof(name), "%s_role", key);
    settings_get(c, tenant_id, name, g->role, NULL);
}

static bool of_product(const struct gate_call *g, const struct tenant *t)
{
    return t->product != NULL && strcmp(t->product, g->sf->gate->product) == 0;
}

/* The site the request names (X-Tenant, else Host): 0, ERR_NOT_FOUND for
 * a name that is no tenant of the product, or a store error. */
static int find_site(struct gate_call *g, struct request *req)
{
    const char *slug;
    int rc = principal_tenant_hint(g->srv, http_arena(req), http_header(req, "X-Tenant"),
                                   http_host(req), &slug);
    if (rc != 0 || slug == NULL)
        return rc;
    rc = tenant_find_slug(g->srv, http_arena(req), slug, &g->site);
    if (rc == 0 && !of_product(g, &g->site))
        rc = ERR_NOT_FOUND;
    g->has_site = rc == 0;
    return rc;
}

/* The simple mode's token: api_token in the JSON or form body, else in
 * the query, else "Authorization: Bearer". */
static const char *api_token(struct request *req)
{
    json_t *v = json_object_get(http_json(req), "api_token");
    if (json_is_string(v) && json_string_length(v) > 0)
        return json_string_value(v);
    const char *q = http_query(req, "api_token");
    if (q != NULL && q[0] != '\0')
        return q;
    const char *h = http_header(req, "Authorization");
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    for (h += 7; *h == ' '; h++)
        ;
    return *h ? h : NULL;
}

static bool role_ok(const struct gate_call *g)
{
    const struct principal *p = &g->p;
    if (strcmp(g->role, "none") == 0 || g->role[0] == '\0')
        return true;
    if (p->user.id == 0)
        return false;
    if (p->user.is_super_admin)
        return true;
    /* Every product's owner role holds every right its admin has. */
    return p->has_tenant && p->role.slug != NULL &&
           (strcmp(p->role.slug, g->role) == 0 || strcmp(p->role.slug, "owner") == 0);
}

static void refuse(struct gate_call *g, struct request *req, enum gate_refusal why)
{
    g->sf->gate_refusal(req, why);
}

/* Rate limit, required role, handler. */
static void run(struct gate_call *g, struct request *req)
{
    const struct principal *who = g->p.user.id != 0 ? &g->p : NULL;
    if (g->rt->bucket != NULL && !surface_rate_limit(g->srv, g->sf, g->rt, req, who))
        return;
    if (!role_ok(g)) {
        refuse(g, req, GATE_ROLE);
        return;
    }
    http_set_user_data(req, &g->p);
    g->rt->handler(g->srv, req, &g->p);
}

/* A failed credential: counted per IP, then the mode's refusal. */
static void auth_failed(struct gate_call *g, struct request *req, int rc)
{
    if (rc != ERR_UNAUTHENTICATED && rc != ERR_FORBIDDEN && rc != ERR_NOT_FOUND) {
        surface_fail(g->sf, req, rc);
        return;
    }
    if (g->rt->bucket != NULL && !surface_rate_limit(g->srv, g->sf, g->rt, req, NULL))
        return;
    refuse(g, req, g->mode == MODE_BASIC ? GATE_BAD_BASIC : GATE_BAD_TOKEN);
}

/* After a credential was checked (rc): settles the site, then runs. */
static void authenticated(struct gate_call *g, struct request *req, int rc)
{
    if (rc == 0 && !g->has_site) {
        /* The credential's tenant is the site: its own settings apply. */
        if (!g->p.has_tenant || !of_product(g, &g->p.tenant)) {
            rc = ERR_FORBIDDEN;
        } else {
            enum gate_mode used = g->mode;
            g->has_site = true;
            g->site = g->p.tenant;
            read_config(g, g->site.id);
            if (!g->enabled) {
                refuse(g, req, GATE_DISABLED);
                return;
            }
            if (g->mode != used && g->mode != MODE_NONE)
                rc = ERR_UNAUTHENTICATED;
        }
    }
    if (rc != 0 && g->platform_off) {
        if (g->rt->bucket == NULL || surface_rate_limit(g->srv, g->sf, g->rt, req, NULL))
            refuse(g, req, GATE_DISABLED);
        return;
    }
    if (rc != 0) {
        auth_failed(g, req, rc);
        return;
    }
    run(g, req);
}

static void basic_done(struct request *req, void *arg, int rc)
{
    struct gate_call *g = arg;
    if (rc == 0)
        rc = principal_bind_tenant(g->srv, http_arena(req), &g->p,
                                   g->has_site ? g->site.slug : NULL, 0);
    authenticated(g, req, rc);
}

void gate_dispatch(struct server *srv, const struct surface *sf, const struct route *rt,
                   struct request *req)
{
    struct gate_call *g = arena_alloc(http_arena(req), sizeof(*g));
    *g = (struct gate_call){.srv = srv, .sf = sf, .rt = rt};
    int rc = find_site(g, req);
    if (rc != 0 && rc != ERR_NOT_FOUND) {
        surface_fail(sf, req, rc);
        return;
    }
    if (rc == ERR_NOT_FOUND) {
        refuse(g, req, GATE_NO_SITE);
        return;
    }
    read_config(g, g->has_site ? g->site.id : 0);
    g->platform_off = !g->enabled && !g->has_site;
    if (!g->enabled && g->has_site) {
        if (rt->bucket == NULL || surface_rate_limit(srv, sf, rt, req, NULL))
            refuse(g, req, GATE_DISABLED);
        return;
    }
    switch (g->mode) {
    case MODE_NONE:
        if (!g->has_site) {
            refuse(g, req, g->platform_off ? GATE_DISABLED : GATE_NO_SITE);
            return;
        }
        g->p.has_tenant = true;
        g->p.tenant = g->site;
        run(g, req);
        return;
    case MODE_SIMPLE:
        rc = principal_from_bearer(srv, http_arena(req), api_token(req),
                                   g->has_site ? g->site.slug : NULL, &g->p);
        authenticated(g, req, rc);
        return;
    case MODE_BASIC: surface_basic_auth(srv, sf, req, &g->p, basic_done, g); return;
    }
}
