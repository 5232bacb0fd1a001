/*
 * import.c - the Laravel import (import.h).
 *
 * Two passes over the source, inside one transaction on latchkey's store:
 * users first (each matched to a latchkey user by folded email, or
 * created), remembering which latchkey user each Laravel id became; then
 * the tokens of those users, inserted with their Sanctum id, because the
 * id is the "<id>|" part of the plaintext the clients hold. The SHA-256
 * Sanctum stored is exactly what latchkey stores (DESIGN section 4), so a
 * token needs no secret to be moved.
 *
 * Row work uses a scratch arena reset per row; what the report keeps goes
 * in the caller's arena.
 */
#include "core/import.h"

#include "core/import_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/role.h"
#include "core/tenant.h"
#include "core/user.h"
#include "server.h"
#include "store/import.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define DEFAULT_USER_MODEL "App\\Models\\User"
#define BCRYPT_LEN         60
#define TOKEN_NAME_MAX     255

void import_skip(struct import_run *r, struct import_count *c, const char *table, int64_t id,
                 const char *reason)
{
    struct import_report *rep = r->rep;
    if (rep->n_skips == rep->cap_skips) {
        size_t cap = rep->cap_skips ? rep->cap_skips * 2 : 16;
        struct import_skip *bigger = arena_alloc(r->a, cap * sizeof(*bigger));
        if (rep->n_skips > 0)
            memcpy(bigger, rep->skips, rep->n_skips * sizeof(*bigger));
        rep->skips = bigger;
        rep->cap_skips = cap;
    }
    rep->skips[rep->n_skips++] = (struct import_skip){table, id, arena_strdup(r->a, reason)};
    c->skipped++;
}

void import_map_add(struct import_map *m, int64_t laravel_id, int64_t id)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->pairs = xrealloc(m->pairs, m->cap * sizeof(*m->pairs));
    }
    m->pairs[m->n++] = (struct import_map_pair){laravel_id, id};
}

int64_t import_map_find(const struct import_map *m, int64_t laravel_id)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->pairs[mid].laravel_id == laravel_id)
            return m->pairs[mid].id;
        if (m->pairs[mid].laravel_id < laravel_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

void import_map_fini(struct import_map *m)
{
    free(m->pairs);
    *m = (struct import_map){0};
}

int import_member(struct import_run *r, int64_t user_id, int64_t tenant_id, int64_t role_id)
{
    struct membership m;
    int rc = store_membership_get(r->srv->store, user_id, tenant_id, &m);
    if (rc == 0)
        r->rep->memberships.unchanged++;
    if (rc != ERR_NOT_FOUND)
        return rc;
    m = (struct membership){.user_id = user_id,
                            .tenant_id = tenant_id,
                            .role_id = role_id,
                            .status = MEMBER_ACTIVE,
                            .joined_at = r->now};
    rc = store_membership_insert(r->srv->store, &m);
    if (rc == 0)
        r->rep->memberships.created++;
    return rc;
}

/* True for the hashes latchkey verifies: bcrypt ($2y$, $2b$, $2a$) and
 * argon2id (a Laravel app configured with the argon2id driver). */
static bool hash_known(const char *h)
{
    if (strncmp(h, "$argon2id$", 10) == 0)
        return strlen(h) < 128;
    bool bcrypt =
        strncmp(h, "$2y$", 4) == 0 || strncmp(h, "$2b$", 4) == 0 || strncmp(h, "$2a$", 4) == 0;
    return bcrypt && strlen(h) == BCRYPT_LEN;
}

/* Why a Laravel user cannot be imported, or NULL. */
static const char *user_problem(const struct laravel_user *u)
{
    if (u->email == NULL || !user_email_valid(u->email))
        return "invalid email";
    if (u->name == NULL || u->name[0] == '\0' || strlen(u->name) > USER_NAME_MAX)
        return "invalid name (empty or longer than 255 bytes)";
    if (u->password == NULL || !hash_known(u->password))
        return "unknown password hash format (not bcrypt or argon2id)";
    return NULL;
}

static int create_user(struct import_run *r, const struct laravel_user *u)
{
    struct user_request rq = {
        .email = u->email,
        .name = u->name,
        .password_hash = u->password,
        .status = USER_ACTIVE,
        .tenant_id = r->tenant_id,
        .role_id = r->role_id,
    };
    struct user nu;
    int rc = user_insert_in_tx(r->srv, r->scratch, &rq, &nu);
    if (rc == 0)
        rc = store_import_user_stamp(r->srv->store, nu.id, u->created_at ? u->created_at : r->now,
                                     u->email_verified_at);
    if (rc == 0)
        rc = store_import_link_put(r->srv->store, nu.id, u->id, u->password, r->now);
    if (rc != 0)
        return rc;
    if (r->tenant_id != 0)
        r->rep->memberships.created++;
    r->rep->users.created++;
    import_map_add(&r->users, u->id, nu.id);
    return 0;
}

/*
 * A Laravel user whose email a latchkey user has: the same user if this
 * import made it from the same Laravel row (whatever its hash is now: a
 * login rehashed it), or if it holds the same name and hash; else skipped.
 */
static int match_user(struct import_run *r, const struct laravel_user *u, const struct user *ex)
{
    int64_t laravel_id = 0;
    const char *was = NULL;
    int rc = store_import_link_get(r->srv->store, r->scratch, ex->id, &laravel_id, &was);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    if (rc == 0 && laravel_id != u->id) {
        import_skip(r, &r->rep->users, "users", u->id,
                    arena_printf(r->scratch, "duplicate email: Laravel user %lld has the same one",
                                 (long long)laravel_id));
        return 0;
    }
    if (rc == 0 && strcmp(was, u->password) != 0) {
        /* Still the same person: their tokens come along. */
        import_map_add(&r->users, u->id, ex->id);
        import_skip(r, &r->rep->users, "users", u->id,
                    "password changed in Laravel since the last import; latchkey's is kept");
        return 0;
    }
    if (rc == ERR_NOT_FOUND && (strcmp(ex->name, u->name) != 0 || ex->password_hash == NULL ||
                                strcmp(ex->password_hash, u->password) != 0)) {
        import_skip(r, &r->rep->users, "users", u->id,
                    "duplicate email: a latchkey user with different data has it");
        return 0;
    }
    import_map_add(&r->users, u->id, ex->id);
    r->rep->users.unchanged++;
    return r->tenant_id != 0 ? import_member(r, ex->id, r->tenant_id, r->role_id) : 0;
}

static int on_user(void *ctx, const struct laravel_user *u)
{
    struct import_run *r = ctx;
    arena_reset(r->scratch);
    const char *problem = user_problem(u);
    if (problem != NULL) {
        import_skip(r, &r->rep->users, "users", u->id, problem);
        return 0;
    }
    struct user ex;
    int rc =
        store_user_by_email(r->srv->store, r->scratch, user_email_fold(r->scratch, u->email), &ex);
    if (rc == ERR_NOT_FOUND)
        return create_user(r, u);
    if (rc != 0)
        return rc;
    return match_user(r, u, &ex);
}

static bool is_sha256_hex(const char *s)
{
    if (s == NULL || strlen(s) != TOKEN_HASH_HEX)
        return false;
    for (const char *p = s; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    }
    return true;
}

/* Why a token cannot be imported, or NULL; *user_id: its latchkey user. */
static const char *token_problem(struct import_run *r, const struct laravel_token *t,
                                 int64_t *user_id)
{
    const char *model = r->o->user_model ? r->o->user_model : DEFAULT_USER_MODEL;
    *user_id = 0;
    if (t->id <= 0)
        return "invalid id";
    if (t->tokenable_type == NULL || strcmp(t->tokenable_type, model) != 0)
        return arena_printf(r->scratch, "tokenable_type is %s, not %s",
                            t->tokenable_type ? t->tokenable_type : "NULL", model);
    if ((*user_id = import_map_find(&r->users, t->tokenable_id)) == 0)
        return arena_printf(r->scratch, "its user (Laravel id %lld) was not imported",
                            (long long)t->tokenable_id);
    if (!is_sha256_hex(t->token))
        return "malformed token hash (not 64 lower-case hex digits)";
    if (!t->abilities_ok)
        return "malformed abilities (not a JSON array of strings, or too long)";
    if (t->name == NULL || t->name[0] == '\0' || strlen(t->name) > TOKEN_NAME_MAX)
        return "invalid name (empty or longer than 255 bytes)";
    return NULL;
}

/* A latchkey token with the id or the hash: the same token (unchanged) or
 * a collision (skipped). *done is false if there is neither. */
static int existing_token(struct import_run *r, const struct laravel_token *t, int64_t user_id,
                          bool *done)
{
    struct token ex;
    *done = true;
    int rc = store_token_by_id(r->srv->store, r->scratch, t->id, &ex);
    if (rc == 0 && ex.user_id == user_id && strcmp(ex.token_hash, t->token) == 0) {
        r->rep->tokens.unchanged++;
        return 0;
    }
    if (rc == 0) {
        import_skip(r, &r->rep->tokens, "personal_access_tokens", t->id,
                    "its id is taken by another latchkey token");
        return 0;
    }
    if (rc != ERR_NOT_FOUND)
        return rc;
    rc = store_token_by_hash(r->srv->store, r->scratch, t->token, &ex);
    if (rc == 0) {
        import_skip(
            r, &r->rep->tokens, "personal_access_tokens", t->id,
            arena_printf(r->scratch, "latchkey token %lld has the same hash", (long long)ex.id));
        return 0;
    }
    *done = false;
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

static int on_token(void *ctx, const struct laravel_token *t)
{
    struct import_run *r = ctx;
    arena_reset(r->scratch);
    int64_t user_id;
    const char *problem = token_problem(r, t, &user_id);
    if (problem != NULL) {
        import_skip(r, &r->rep->tokens, "personal_access_tokens", t->id, problem);
        return 0;
    }
    bool done;
    int rc = existing_token(r, t, user_id, &done);
    if (rc != 0 || done)
        return rc;
    struct token nt = {
        .id = t->id,
        .user_id = user_id,
        .tenant_id = r->tenant_id,
        .name = t->name,
        .abilities = t->abilities,
        .kind = TOKEN_PAT,
        .last_used_at = t->last_used_at,
        .expires_at = t->expires_at,
        .created_at = t->created_at ? t->created_at : r->now,
    };
    memcpy(nt.token_hash, t->token, TOKEN_HASH_HEX + 1);
    rc = store_import_token_insert(r->srv->store, &nt);
    if (rc == 0)
        r->rep->tokens.created++;
    return rc;
}

/* The tenant and role of --tenant/--role. */
static int resolve_tenant(struct import_run *r)
{
    const struct import_options *o = r->o;
    if (o->tenant_slug == NULL)
        return o->role == NULL ? 0 : ERR_INVALID;
    if (o->role == NULL)
        return ERR_INVALID;
    struct tenant t;
    struct role role;
    int rc = tenant_find_slug(r->srv, r->scratch, o->tenant_slug, &t);
    if (rc == 0)
        rc = role_find(r->srv, r->scratch, t.id, o->role, &role);
    if (rc == 0) {
        r->tenant_id = t.id;
        r->role_id = role.id;
    }
    return rc;
}

/* Both passes inside latchkey's transaction and a read transaction on the
 * source (one snapshot of it). */
static int passes(struct import_run *r, struct store *src)
{
    int rc = store_tx_begin(src);
    if (rc != 0)
        return rc;
    rc = store_tx_begin(r->srv->store);
    if (rc == 0) {
        rc = store_laravel_each_user(src, r->rows, on_user, r);
        if (rc == 0 && r->o->jetstream)
            rc = import_teams(r, src);
        if (rc == 0)
            rc = store_laravel_each_token(src, r->rows, on_token, r);
        if (rc == 0 && r->rep->tokens.created > 0)
            rc = store_import_token_sequence(r->srv->store);
        if (rc == 0 && r->o->dry_run) {
            store_tx_rollback(r->srv->store);
        } else {
            rc = store_tx_end(r->srv->store, rc);
        }
    }
    store_tx_rollback(src);
    return rc;
}

static void audit(struct import_run *r)
{
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, "users_created", r->rep->users.created);
    audit_detail_int(&d, "tokens_created", r->rep->tokens.created);
    audit_detail_int(&d, "teams_created", r->rep->teams.created);
    audit_detail_int(&d, "skipped", (long long)r->rep->n_skips);
    audit_record(r->srv, r->tenant_id, 0, "import.laravel", NULL, &d);
}

int import_laravel(struct server *srv, struct arena *a, const struct import_options *o,
                   struct import_report *out)
{
    struct store *src = NULL;
    struct import_run r = {.srv = srv, .o = o, .rep = out, .a = a, .now = time_now()};
    *out = (struct import_report){0};
    r.scratch = arena_new();
    r.rows = arena_new();
    int rc = resolve_tenant(&r);
    if (rc == 0)
        rc = store_open_readonly(o->url, &src);
    if (rc == 0)
        rc = passes(&r, src);
    if (rc == 0 && !o->dry_run)
        audit(&r);
    store_free(src);
    import_map_fini(&r.users);
    import_map_fini(&r.teams);
    arena_free(r.scratch);
    arena_free(r.rows);
    return rc;
}
