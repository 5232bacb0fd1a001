/*
 * import_laravel.c - reading a Laravel database and the import's own
 * writes (import.h).
 *
 * The source's rows are read with the same statement machinery as
 * latchkey's own (sql.c, driver.h), on the source's store. Nothing from
 * the source is trusted: abilities are parsed strictly here, and every
 * other value is checked by core before it is written.
 */
#include "store/import.h"

#include <jansson.h>
#include <string.h>

#include "store/rows_int.h"
#include "util/arena.h"
#include "util/err.h"

/* The next column as arena text, NULL for SQL NULL. */
static const char *text_or_null(struct q *q, struct arena *a)
{
    if (q_null(q)) {
        q_skip(q, 1);
        return NULL;
    }
    return q_text(q, a);
}

/*
 * Sanctum's abilities column: JSON text of an array of strings. Returns
 * false for anything else (an object, a number in the list, bad JSON),
 * for text longer than LARAVEL_ABILITIES_TEXT_MAX, for more than
 * LARAVEL_ABILITIES_MAX items or an item longer than LARAVEL_ABILITY_MAX
 * bytes.
 */
static bool parse_abilities(const char *s, size_t n, struct arena *a, struct strlist *out)
{
    *out = (struct strlist){0};
    if (n > LARAVEL_ABILITIES_TEXT_MAX)
        return false;
    json_error_t jerr;
    json_t *arr = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
    bool ok = json_is_array(arr) && json_array_size(arr) <= LARAVEL_ABILITIES_MAX;
    size_t count = ok ? json_array_size(arr) : 0;
    const char **items = arena_alloc(a, sizeof(*items) * (count > 0 ? count : 1));
    for (size_t i = 0; ok && i < count; i++) {
        json_t *v = json_array_get(arr, i);
        ok = json_is_string(v) && json_string_length(v) > 0 &&
             json_string_length(v) <= LARAVEL_ABILITY_MAX &&
             strlen(json_string_value(v)) == json_string_length(v);
        if (ok)
            items[i] = arena_strdup(a, json_string_value(v));
    }
    json_decref(arr);
    if (ok)
        *out = (struct strlist){.items = items, .n = count};
    return ok;
}

static void read_laravel_user(struct q *q, struct arena *a, struct laravel_user *u)
{
    u->id = q_i64(q);
    u->name = text_or_null(q, a);
    u->email = text_or_null(q, a);
    u->password = text_or_null(q, a);
    u->email_verified_at = q_i64(q);
    u->created_at = q_i64(q);
}

static void read_laravel_token(struct q *q, struct arena *a, struct laravel_token *t)
{
    t->id = q_i64(q);
    t->tokenable_type = text_or_null(q, a);
    t->tokenable_id = q_i64(q);
    t->name = text_or_null(q, a);
    t->token = text_or_null(q, a);
    size_t len = 0;
    const char *abilities = q_peek(q, &len);
    t->abilities_ok = abilities == NULL || parse_abilities(abilities, len, a, &t->abilities);
    if (abilities == NULL)
        t->abilities = (struct strlist){0};
    t->last_used_at = q_i64(q);
    t->expires_at = q_i64(q);
    t->created_at = q_i64(q);
}

static void read_laravel_team(struct q *q, struct arena *a, struct laravel_team *t)
{
    t->id = q_i64(q);
    t->user_id = q_i64(q);
    t->name = text_or_null(q, a);
}

static void read_laravel_member(struct q *q, struct arena *a, struct laravel_member *m)
{
    m->id = q_i64(q);
    m->team_id = q_i64(q);
    m->user_id = q_i64(q);
    m->role = text_or_null(q, a);
}

/* Runs statement id on the source and hands each row to row(), with a
 * reset per row. */
static int walk(struct store *src, enum stmt id, struct arena *a,
                int (*row)(struct q *q, struct arena *a, void *arg), void *arg)
{
    struct q q;
    int rc = q_start(src, id, &q);
    if (rc != 0)
        return rc;
    while ((rc = q_row(&q)) == 0) {
        arena_reset(a);
        if ((rc = row(&q, a, arg)) != 0)
            break;
    }
    q_end(&q);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

/* The caller's callback and context, for walk's row functions. */
struct walker {
    union {
        laravel_user_fn user;
        laravel_token_fn token;
        laravel_team_fn team;
        laravel_member_fn member;
    } fn;
    void *ctx;
};

static int user_row(struct q *q, struct arena *a, void *arg)
{
    const struct walker *w = arg;
    struct laravel_user u = {0};
    read_laravel_user(q, a, &u);
    return w->fn.user(w->ctx, &u);
}

static int token_row(struct q *q, struct arena *a, void *arg)
{
    const struct walker *w = arg;
    struct laravel_token t = {0};
    read_laravel_token(q, a, &t);
    return w->fn.token(w->ctx, &t);
}

static int team_row(struct q *q, struct arena *a, void *arg)
{
    const struct walker *w = arg;
    struct laravel_team t = {0};
    read_laravel_team(q, a, &t);
    return w->fn.team(w->ctx, &t);
}

static int member_row(struct q *q, struct arena *a, void *arg)
{
    const struct walker *w = arg;
    struct laravel_member m = {0};
    read_laravel_member(q, a, &m);
    return w->fn.member(w->ctx, &m);
}

int store_laravel_each_user(struct store *src, struct arena *a, laravel_user_fn fn, void *ctx)
{
    struct walker w = {.fn.user = fn, .ctx = ctx};
    return walk(src, ST_LARAVEL_USERS, a, user_row, &w);
}

int store_laravel_each_token(struct store *src, struct arena *a, laravel_token_fn fn, void *ctx)
{
    struct walker w = {.fn.token = fn, .ctx = ctx};
    return walk(src, ST_LARAVEL_TOKENS, a, token_row, &w);
}

int store_laravel_each_team(struct store *src, struct arena *a, laravel_team_fn fn, void *ctx)
{
    struct walker w = {.fn.team = fn, .ctx = ctx};
    return walk(src, ST_LARAVEL_TEAMS, a, team_row, &w);
}

int store_laravel_each_member(struct store *src, struct arena *a, laravel_member_fn fn, void *ctx)
{
    struct walker w = {.fn.member = fn, .ctx = ctx};
    return walk(src, ST_LARAVEL_TEAM_USERS, a, member_row, &w);
}

int store_import_user_stamp(struct store *s, int64_t user_id, int64_t created_at,
                            int64_t verified_at)
{
    struct q q;
    int rc = q_start(s, ST_IMPORT_USER_STAMP, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, created_at);
    q_bind_i64(&q, created_at);
    q_bind_opt(&q, verified_at);
    q_bind_i64(&q, user_id);
    return update_one(&q);
}

int store_import_token_insert(struct store *s, const struct token *t)
{
    struct q q;
    int rc = q_start(s, ST_IMPORT_TOKEN_INSERT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, t->id);
    q_bind_i64(&q, t->user_id);
    q_bind_opt(&q, t->tenant_id);
    q_bind_text(&q, t->name);
    q_bind_text(&q, t->token_hash);
    q_bind_list(&q, &t->abilities);
    q_bind_opt(&q, t->last_used_at);
    q_bind_opt(&q, t->expires_at);
    q_bind_i64(&q, t->created_at);
    rc = q_run(&q);
    q_end(&q);
    return rc;
}

int store_import_token_sequence(struct store *s)
{
    struct q q;
    int rc = q_start(s, ST_IMPORT_TOKEN_SEQUENCE, &q);
    if (rc != 0)
        return rc;
    rc = q_run(&q);
    q_end(&q);
    return rc;
}

int store_import_link_get(struct store *s, struct arena *a, int64_t user_id, int64_t *laravel_id,
                          const char **password)
{
    struct q q;
    int rc = q_start(s, ST_IMPORT_LINK_GET, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, user_id);
    rc = q_row(&q);
    if (rc == 0) {
        *laravel_id = q_i64(&q);
        *password = q_text(&q, a);
    }
    q_end(&q);
    return rc;
}

int store_import_link_put(struct store *s, int64_t user_id, int64_t laravel_id,
                          const char *password, int64_t at)
{
    struct q q;
    int rc = q_start(s, ST_IMPORT_LINK_PUT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, user_id);
    q_bind_i64(&q, laravel_id);
    q_bind_text(&q, password);
    q_bind_i64(&q, at);
    rc = q_run(&q);
    q_end(&q);
    return rc;
}

int store_import_team_link_get(struct store *s, int64_t laravel_team_id, int64_t *tenant_id)
{
    struct q q;
    int rc = q_start(s, ST_IMPORT_TEAM_LINK_GET, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, laravel_team_id);
    return read_count(&q, tenant_id);
}

int store_import_team_link_put(struct store *s, int64_t tenant_id, int64_t laravel_team_id,
                               int64_t at)
{
    struct q q;
    int rc = q_start(s, ST_IMPORT_TEAM_LINK_PUT, &q);
    if (rc != 0)
        return rc;
    q_bind_i64(&q, tenant_id);
    q_bind_i64(&q, laravel_team_id);
    q_bind_i64(&q, at);
    rc = q_run(&q);
    q_end(&q);
    return rc;
}
