/*
 * access.c - the forward-auth rules: checks and writes, the compiled table
 * and the decision (see access.h).
 *
 * The table: one http_router per method (HEAD also holds the GET rules,
 * as GET routes answer HEAD), whose route targets and prefix owners are
 * the rules, in one arena with the rules' strings. lock guards table; a
 * reader holds it for one lookup and copies the rule out.
 */
#include "core/access.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/jwtauth.h"
#include "core/session.h"
#include "core/settings.h"
#include "http/router.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "util/numfmt.h"

#define N_METHODS (HTTP_OTHER + 1)

struct table {
    struct arena *arena; /* the rules and their strings */
    struct http_router *routers[N_METHODS];
    int64_t version;
};

struct access {
    struct store *store;
    pthread_rwlock_t lock; /* guards table */
    struct table *table;
};

/* ---- checks ---- */

static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
static const char *const kinds[] = {"pat", "jwt", "session"};

/* The rule's method, upper-cased into a; NULL if it is none of ours. */
static const char *canon_method(struct arena *a, const char *m)
{
    char up[16];
    size_t n = m != NULL ? strlen(m) : 0;
    if (n == 0 || n >= sizeof(up))
        return NULL;
    for (size_t i = 0; i <= n; i++)
        up[i] = (char)(m[i] >= 'a' && m[i] <= 'z' ? m[i] - 'a' + 'A' : m[i]);
    if (strcmp(up, "*") == 0 || strcmp(up, "ANY") == 0)
        return "*";
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (strcmp(up, methods[i]) == 0)
            return arena_strdup(a, methods[i]);
    }
    return NULL;
}

/* A path segment of a pattern: "{name}" whole, or literal characters. */
static bool segment_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    if (s[0] == '{') {
        if (n < 3 || s[n - 1] != '}')
            return false;
        for (size_t i = 1; i + 1 < n; i++) {
            char c = s[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_'))
                return false;
        }
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f || c == '{' || c == '}' || c == '?' || c == '#' || c == '*' ||
            c == '%' || c == '\\')
            return false;
    }
    return !(n == 1 && s[0] == '.') && !(n == 2 && s[0] == '.' && s[1] == '.');
}

static const char *pattern_problem(const char *p)
{
    size_t n = p != NULL ? strlen(p) : 0;
    if (n == 0 || p[0] != '/')
        return "The pattern must start with /.";
    if (n > ACCESS_PATTERN_MAX)
        return "The pattern may not be greater than 255 characters.";
    if (strcmp(p, "/*") == 0 || strcmp(p, "/") == 0)
        return NULL;
    if (n >= 2 && strcmp(p + n - 2, "/*") == 0)
        n -= 2;
    else if (p[n - 1] == '/')
        n--; /* "/a/" is "/a", as the router reads it */
    for (size_t i = 1; i <= n;) {
        const char *end = memchr(p + i, '/', n - i);
        size_t len = end != NULL ? (size_t)(end - (p + i)) : n - i;
        if (!segment_ok(p + i, len))
            return "The pattern must be /segments, each literal or {name}, optionally ending in "
                   "/*.";
        i += len + 1;
    }
    return NULL;
}

/* "pat,jwt,session" in canonical order, "none", or NULL if invalid. */
static const char *canon_auth(struct arena *a, const char *auth)
{
    if (auth == NULL)
        return "pat,jwt,session";
    if (strcmp(auth, "none") == 0)
        return "none";
    unsigned have = 0;
    for (const char *s = auth;;) {
        size_t n = strcspn(s, ",");
        if (n == 0)
            return NULL; /* "", ",pat", "pat,,jwt", "pat," */
        bool known = false;
        for (size_t k = 0; k < 3; k++) {
            if (strlen(kinds[k]) == n && strncmp(s, kinds[k], n) == 0) {
                have |= 1u << k;
                known = true;
            }
        }
        if (strncmp(s, "apikey", n) == 0 && n == 6) {
            have |= 1u; /* an API key is a PAT */
            known = true;
        }
        if (!known)
            return NULL;
        if (s[n] == '\0')
            break;
        s += n + 1;
    }
    if (have == 0)
        return NULL;
    char out[32] = "";
    for (size_t k = 0; k < 3; k++) {
        if (have & (1u << k)) {
            if (out[0] != '\0')
                strcat(out, ",");
            strcat(out, kinds[k]);
        }
    }
    return arena_strdup(a, out);
}

/* An ability or role: printable ASCII without commas (WedoCOD's scopes
 * have spaces: "VIEW LEADS"). */
static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n > ACCESS_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == ',')
            return false;
    }
    return n > 0 && s[0] != ' ' && s[n - 1] != ' ';
}

static const char *opt_name(const char *s)
{
    return s != NULL && s[0] != '\0' && strcmp(s, "none") != 0 ? s : NULL;
}

int access_rule_check(struct arena *a, struct access_rule *r, const char **field, const char **why)
{
    const char *m = canon_method(a, r->method);
    const char *auth = canon_auth(a, r->auth);
    const char *bad_pattern = pattern_problem(r->pattern);
    r->ability = opt_name(r->ability);
    r->role = opt_name(r->role);
    if (r->tenant_from == NULL)
        r->tenant_from = "header";
    *field = NULL;
    *why = NULL;
    if (m == NULL) {
        *field = "method";
        *why = "The method must be *, GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS.";
    } else if (bad_pattern != NULL) {
        *field = "pattern";
        *why = bad_pattern;
    } else if (auth == NULL) {
        *field = "auth";
        *why = "The auth must be none, or a comma list of pat, jwt and session.";
    } else if (r->ability != NULL && !name_ok(r->ability)) {
        *field = "ability";
        *why = "The ability must be at most 100 printable characters, without commas.";
    } else if (r->role != NULL && !name_ok(r->role)) {
        *field = "role";
        *why = "The role must be at most 100 printable characters, without commas.";
    } else if (strcmp(r->tenant_from, "header") != 0 && strcmp(r->tenant_from, "host") != 0 &&
               strcmp(r->tenant_from, "credential") != 0) {
        *field = "tenant";
        *why = "The tenant must be header, host or credential.";
    } else if (strcmp(auth, "none") == 0 && (r->ability != NULL || r->role != NULL)) {
        *field = "auth";
        *why = "A public rule (auth none) cannot require an ability or a role.";
    }
    if (*field != NULL)
        return ERR_INVALID;
    r->method = m;
    r->auth = auth;
    return 0;
}

/* ---- writes ---- */

int access_rule_list(struct server *srv, struct arena *a, struct access_rule **out, size_t *n)
{
    return store_access_rule_list(srv->store, a, out, n);
}

int access_rule_get(struct server *srv, struct arena *a, int64_t id, struct access_rule *out)
{
    struct access_rule *all;
    size_t n;
    int rc = store_access_rule_list(srv->store, a, &all, &n);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (all[i].id == id) {
            *out = all[i];
            return 0;
        }
    }
    return ERR_NOT_FOUND;
}

static void audit_rule(struct server *srv, const char *action, const struct access_rule *r,
                       int64_t actor_user_id, const char *ip)
{
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, "rule_id", r->id);
    if (r->method != NULL) {
        audit_detail_str(&d, "method", r->method);
        audit_detail_str(&d, "pattern", r->pattern);
        audit_detail_str(&d, "auth", r->auth);
        audit_detail_str(&d, "ability", r->ability);
        audit_detail_str(&d, "role", r->role);
        audit_detail_str(&d, "tenant", r->tenant_from);
        audit_detail_bool(&d, "enabled", r->enabled);
    }
    audit_record(srv, 0, actor_user_id, action, ip, &d);
    if (srv->settings != NULL && settings_refresh(srv->settings) != 0)
        log_warnx("event=access_refresh_failed rule=%lld", (long long)r->id);
}

int access_rule_save(struct server *srv, struct arena *a, struct access_rule *r,
                     int64_t actor_user_id, const char *ip, const char **field, const char **why)
{
    int rc = access_rule_check(a, r, field, why);
    if (rc != 0)
        return rc;
    bool update = r->id != 0;
    if (!update) {
        struct access_rule *all;
        size_t n;
        rc = store_access_rule_list(srv->store, a, &all, &n);
        if (rc != 0)
            return rc;
        if (n >= ACCESS_MAX_RULES)
            return ERR_LIMIT;
    }
    rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    rc = store_tx_end(srv->store, store_access_rule_save(srv->store, r));
    if (rc != 0)
        return rc;
    audit_rule(srv, update ? "access_rule.update" : "access_rule.create", r, actor_user_id, ip);
    return 0;
}

int access_rule_delete(struct server *srv, int64_t id, int64_t actor_user_id, const char *ip)
{
    int rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    rc = store_tx_end(srv->store, store_access_rule_delete(srv->store, id));
    if (rc != 0)
        return rc;
    audit_rule(srv, "access_rule.delete", &(struct access_rule){.id = id}, actor_user_id, ip);
    return 0;
}

/* ---- the compiled table ---- */

static void table_free(struct table *t)
{
    if (t == NULL)
        return;
    for (size_t m = 0; m < N_METHODS; m++)
        http_router_free(t->routers[m]);
    arena_free(t->arena);
    free(t);
}

static bool is_prefix(const struct access_rule *r)
{
    size_t n = strlen(r->pattern);
    return n >= 2 && strcmp(r->pattern + n - 2, "/*") == 0;
}

/* Whether rule r applies to method m ("*" to every method; GET to HEAD). */
static bool applies(const struct access_rule *r, enum http_method m, bool any)
{
    if (any)
        return strcmp(r->method, "*") == 0;
    return strcmp(r->method, http_method_str(m)) == 0 ||
           (m == HTTP_HEAD && strcmp(r->method, "GET") == 0);
}

/* Prefix rules, longest first; the same length: method-specific first,
 * then by id. */
static int cmp_prefix(const void *x, const void *y)
{
    const struct access_rule *a = *(const struct access_rule *const *)x;
    const struct access_rule *b = *(const struct access_rule *const *)y;
    size_t la = strlen(a->pattern), lb = strlen(b->pattern);
    if (la != lb)
        return la > lb ? -1 : 1;
    bool aa = strcmp(a->method, "*") == 0, ba = strcmp(b->method, "*") == 0;
    if (aa != ba)
        return aa ? 1 : -1;
    return a->id < b->id ? -1 : a->id > b->id;
}

static void compile_method(struct table *t, enum http_method m, struct access_rule *rules, size_t n,
                           struct access_rule **prefixes, size_t n_prefixes)
{
    struct http_router *r = http_router_new();
    for (int any = 0; any < 2; any++) {
        for (size_t i = 0; i < n; i++) {
            if (is_prefix(&rules[i]) || !applies(&rules[i], m, any))
                continue;
            http_router_add(r, &(struct http_route){
                                   .method = m, .pattern = rules[i].pattern, .target = &rules[i]});
        }
    }
    for (size_t i = 0; i < n_prefixes; i++) {
        struct access_rule *p = prefixes[i];
        if (!applies(p, m, false) && !applies(p, m, true))
            continue;
        /* "/api/" "*" is the prefix "/api"; "/" "*" the prefix "" (every path). */
        const char *prefix = arena_strndup(t->arena, p->pattern, strlen(p->pattern) - 2);
        http_router_add_prefix(r, prefix, p);
    }
    t->routers[m] = r;
}

static struct table *table_load(struct store *store, int64_t version)
{
    struct table *t = xcalloc(1, sizeof(*t));
    struct access_rule *rules;
    size_t n;
    t->arena = arena_new();
    t->version = version;
    int rc = store_access_rule_list(store, t->arena, &rules, &n);
    if (rc != 0) {
        log_warnx("event=access_rules_load_failed err=\"%s\"", err_str(rc));
        table_free(t);
        return NULL;
    }
    struct access_rule **prefixes = arena_alloc(t->arena, (n > 0 ? n : 1) * sizeof(*prefixes));
    size_t n_prefixes = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_prefix(&rules[i]))
            prefixes[n_prefixes++] = &rules[i];
    }
    if (n_prefixes > 1)
        qsort(prefixes, n_prefixes, sizeof(*prefixes), cmp_prefix);
    for (unsigned m = HTTP_GET; m < N_METHODS; m++)
        compile_method(t, (enum http_method)m, rules, n, prefixes, n_prefixes);
    return t;
}

/* Reloads the rules at version unless the table is as new already. */
static void reload(void *arg, int64_t version)
{
    struct access *ac = arg;
    pthread_rwlock_rdlock(&ac->lock);
    bool current = ac->table != NULL && ac->table->version >= version;
    pthread_rwlock_unlock(&ac->lock);
    if (current)
        return;
    struct table *fresh = table_load(ac->store, version);
    if (fresh == NULL)
        return;
    pthread_rwlock_wrlock(&ac->lock);
    struct table *old = ac->table;
    if (old != NULL && old->version >= fresh->version) {
        old = fresh; /* a racing reload got here first */
    } else {
        ac->table = fresh;
    }
    pthread_rwlock_unlock(&ac->lock);
    table_free(old);
}

struct access *access_new(struct store *store, struct settings *settings)
{
    struct access *ac = xcalloc(1, sizeof(*ac));
    ac->store = store;
    pthread_rwlock_init(&ac->lock, NULL);
    int64_t version;
    if (store_settings_version(store, &version) != 0 ||
        (ac->table = table_load(store, version)) == NULL) {
        access_free(ac);
        return NULL;
    }
    if (settings != NULL) {
        settings_listen(settings, reload, ac);
        /* A change between the load and the listening is caught here. */
        if (store_settings_version(store, &version) == 0)
            reload(ac, version);
    }
    return ac;
}

void access_free(struct access *ac)
{
    if (ac == NULL)
        return;
    table_free(ac->table);
    pthread_rwlock_destroy(&ac->lock);
    free(ac);
}

static const char *dup_opt(struct arena *a, const char *s)
{
    return s != NULL ? arena_strdup(a, s) : NULL;
}

/* The rule for (m, path) copied into *out (a); false when none matches. */
static bool lookup(struct access *ac, struct arena *a, enum http_method m, const char *path,
                   struct access_rule *out)
{
    pthread_rwlock_rdlock(&ac->lock);
    const struct access_rule *r = http_router_lookup(ac->table->routers[m], m, path);
    if (r != NULL) {
        *out = *r;
        out->method = arena_strdup(a, r->method);
        out->pattern = arena_strdup(a, r->pattern);
        out->auth = arena_strdup(a, r->auth);
        out->ability = dup_opt(a, r->ability);
        out->role = dup_opt(a, r->role);
        out->tenant_from = arena_strdup(a, r->tenant_from);
    }
    pthread_rwlock_unlock(&ac->lock);
    return r != NULL;
}

/* ---- the decision ---- */

int access_normalize_path(const char *uri, bool decoded, char *out, size_t outlen)
{
    size_t n = decoded ? strlen(uri) : strcspn(uri, "?#");
    size_t o = 0;
    if (n == 0 || uri[0] != '/' || outlen < 2)
        return ERR_INVALID;
    /* Decode into out first ("/" separated), then fold the segments in place. */
    char *dec = out;
    for (size_t i = 0; i < n; i++) {
        char c = uri[i];
        if (c == '%' && !decoded) {
            if (i + 2 >= n || num_hex_digit(uri[i + 1]) < 0 || num_hex_digit(uri[i + 2]) < 0)
                return ERR_INVALID;
            c = (char)(num_hex_digit(uri[i + 1]) * 16 + num_hex_digit(uri[i + 2]));
            i += 2;
        }
        if (o + 1 >= outlen || c == '\0')
            return ERR_INVALID;
        dec[o++] = c;
    }
    dec[o] = '\0';
    /* Fold: w writes the result; each segment is read at r. */
    size_t w = 0;
    for (size_t r = 0; r < o;) {
        while (r < o && dec[r] == '/')
            r++;
        size_t len = strcspn(dec + r, "/");
        if (len == 0)
            break;
        if (len == 1 && dec[r] == '.') {
            r += len;
            continue;
        }
        if (len == 2 && dec[r] == '.' && dec[r + 1] == '.') {
            if (w == 0)
                return ERR_INVALID;
            while (dec[--w] != '/')
                ; /* drop the last segment and its '/' */
            r += len;
            continue;
        }
        dec[w++] = '/';
        memmove(dec + w, dec + r, len);
        w += len;
        r += len;
    }
    if (w == 0)
        dec[w++] = '/';
    dec[w] = '\0';
    return 0;
}

/* The method named m, HTTP_OTHER for any other (only "*" rules apply). */
static enum http_method parse_method(const char *m)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (strcmp(m, methods[i]) == 0)
            return (enum http_method)i;
    }
    return HTTP_OTHER;
}

/* The credential kind of q, or 0 without one. */
static unsigned kind_of(const struct access_query *q)
{
    if (q->bearer != NULL && q->bearer[0] != '\0') {
        const char *dot = strchr(q->bearer, '.');
        return dot != NULL && strchr(dot + 1, '.') != NULL ? ACCESS_JWT : ACCESS_PAT;
    }
    return q->session_cookie != NULL && q->session_cookie[0] != '\0' ? ACCESS_SESSION : 0;
}

static unsigned kinds_of(const char *auth)
{
    unsigned k = 0;
    if (strstr(auth, "pat") != NULL)
        k |= ACCESS_PAT;
    if (strstr(auth, "jwt") != NULL)
        k |= ACCESS_JWT;
    if (strstr(auth, "session") != NULL)
        k |= ACCESS_SESSION;
    return k;
}

/* The tenant slug the rule takes from the request (NULL: the credential's). */
static int tenant_hint(struct server *srv, struct arena *a, const struct access_rule *r,
                       const struct access_query *q, const char **slug)
{
    *slug = NULL;
    if (strcmp(r->tenant_from, "credential") == 0)
        return 0;
    const char *x = strcmp(r->tenant_from, "header") == 0 ? q->x_tenant : NULL;
    if (x != NULL && x[0] == '\0')
        x = NULL;
    return principal_tenant_hint(srv, a, x, q->host, slug);
}

/* Authenticates q's credential of kind into p, in tenant slug if given. */
static int authenticate(struct server *srv, struct arena *a, const struct access_query *q,
                        unsigned kind, const char *slug, struct principal *p)
{
    memset(p, 0, sizeof(*p));
    if (kind == ACCESS_PAT)
        return principal_from_bearer(srv, a, q->bearer, slug, p);
    if (kind == ACCESS_JWT)
        return principal_from_jwt(srv, a, q->bearer, slug, p);
    struct session s;
    int rc = session_find(srv, a, q->session_cookie, &s);
    if (rc == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED;
    if (rc == 0)
        rc = session_principal(srv, a, &s, p);
    /* The session acts in its current tenant; a request naming another
     * one is held to that tenant's membership, as a token is. */
    if (rc == 0 && slug != NULL && (!p->has_tenant || strcmp(p->tenant.slug, slug) != 0))
        rc = principal_bind_tenant(srv, a, p, slug, 0);
    return rc;
}

/* The gate's role check (surfaces/gate.c): the slug itself, or the
 * tenant's owner, or a super-admin. */
static bool has_role(const struct principal *p, const char *role)
{
    if (p->user.is_super_admin)
        return true;
    return p->has_tenant && p->role.slug != NULL &&
           (strcmp(p->role.slug, role) == 0 || strcmp(p->role.slug, "owner") == 0);
}

static void verdict(struct access_decision *d, enum access_verdict v, enum access_reason why)
{
    d->verdict = v;
    d->reason = why;
}

/* The credential's part of the decision, after the rule was found. */
static int decide_principal(struct server *srv, struct arena *a, const struct access_query *q,
                            const struct access_rule *r, struct access_decision *d)
{
    unsigned kind = kind_of(q);
    if (kind == 0) {
        verdict(d, ACCESS_UNAUTHENTICATED, ACCESS_NO_CREDENTIAL);
        return 0;
    }
    if (!(kinds_of(r->auth) & kind)) {
        verdict(d, ACCESS_UNAUTHENTICATED, ACCESS_BAD_CREDENTIAL);
        return 0;
    }
    const char *slug;
    int rc = tenant_hint(srv, a, r, q, &slug);
    if (rc == 0)
        rc = authenticate(srv, a, q, kind, slug, &d->p);
    if (rc == ERR_UNAUTHENTICATED) {
        verdict(d, ACCESS_UNAUTHENTICATED, ACCESS_BAD_CREDENTIAL);
        return 0;
    }
    if (rc == ERR_FORBIDDEN || (rc == ERR_NOT_FOUND && d->p.refusal == REFUSE_TENANT_UNKNOWN)) {
        verdict(d, ACCESS_FORBIDDEN, ACCESS_REFUSED);
        return 0;
    }
    if (rc != 0)
        return rc;
    d->has_principal = true;
    if (r->ability != NULL && !principal_can(&d->p, r->ability))
        verdict(d, ACCESS_FORBIDDEN, ACCESS_ABILITY);
    else if (r->role != NULL && !has_role(&d->p, r->role))
        verdict(d, ACCESS_FORBIDDEN, ACCESS_ROLE);
    else
        verdict(d, ACCESS_ALLOW, ACCESS_OK);
    return 0;
}

int access_decide(struct server *srv, struct arena *a, const struct access_query *q,
                  struct access_decision *d)
{
    memset(d, 0, sizeof(*d));
    char path[ACCESS_URI_MAX];
    if (access_normalize_path(q->uri != NULL ? q->uri : "/", q->uri_decoded, path, sizeof(path)) !=
        0) {
        verdict(d, ACCESS_FORBIDDEN, ACCESS_BAD_URI);
        return 0;
    }
    enum http_method m = parse_method(q->method != NULL ? q->method : "GET");
    struct access_rule r;
    if (srv->access == NULL || !lookup(srv->access, a, m, path, &r)) {
        verdict(d, ACCESS_FORBIDDEN, ACCESS_NO_RULE);
        return 0;
    }
    d->rule_id = r.id;
    if (!r.enabled) {
        verdict(d, ACCESS_FORBIDDEN, ACCESS_DISABLED);
        return 0;
    }
    if (strcmp(r.auth, "none") == 0) {
        verdict(d, ACCESS_ALLOW, ACCESS_OK);
        return 0;
    }
    return decide_principal(srv, a, q, &r, d);
}

const char *access_reason_str(enum access_reason r)
{
    switch (r) {
    case ACCESS_OK: return "ok";
    case ACCESS_NO_RULE: return "no_rule";
    case ACCESS_DISABLED: return "disabled";
    case ACCESS_BAD_URI: return "bad_uri";
    case ACCESS_NO_CREDENTIAL: return "no_credential";
    case ACCESS_BAD_CREDENTIAL: return "bad_credential";
    case ACCESS_REFUSED: return "refused";
    case ACCESS_ABILITY: return "ability";
    case ACCESS_ROLE: return "role";
    }
    return "unknown";
}
