/*
 * import.h - the store's part of `latchkey import laravel` (issue 17):
 * reading a Laravel application's database (its users and Sanctum's
 * personal_access_tokens, as Laravel's and Sanctum's migrations make
 * them), and the writes an import makes that the rest of latchkey never
 * does (a token with a given id, a user's Laravel timestamps, the link
 * from a latchkey user to the Laravel user it came from).
 *
 * The source is a store opened with store_open_readonly(); the reads
 * stream its rows to a callback, so a large table is never held whole.
 * Strings in a row are valid during the callback only.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "store/model.h"

struct arena;
struct store;

/* The longest abilities list and ability an imported token may have. */
#define LARAVEL_ABILITIES_MAX 128
#define LARAVEL_ABILITY_MAX   255
/* The longest abilities text parsed at all. */
#define LARAVEL_ABILITIES_TEXT_MAX 65536

/* One row of Laravel's users table. Timestamps: Unix seconds, 0 if NULL. */
struct laravel_user {
    int64_t id;
    const char *name;     /* NULL if NULL */
    const char *email;    /* NULL if NULL */
    const char *password; /* the hash as Laravel stored it; NULL if NULL */
    int64_t email_verified_at;
    int64_t created_at;
};

/* One row of Sanctum's personal_access_tokens. */
struct laravel_token {
    int64_t id;
    const char *tokenable_type; /* e.g. "App\\Models\\User" */
    int64_t tokenable_id;
    const char *name;
    const char *token;        /* SHA-256 hex of the secret, as stored */
    struct strlist abilities; /* NULL column: empty */
    bool abilities_ok;        /* a JSON array of strings within the limits, or NULL */
    int64_t last_used_at;
    int64_t expires_at;
    int64_t created_at;
};

/* One row of Jetstream's teams; its owner is user_id. */
struct laravel_team {
    int64_t id;
    int64_t user_id;
    const char *name; /* NULL if NULL */
};

/* One row of Jetstream's team_user. */
struct laravel_member {
    int64_t id;
    int64_t team_id;
    int64_t user_id;
    const char *role; /* NULL if NULL */
};

typedef int (*laravel_user_fn)(void *ctx, const struct laravel_user *u);
typedef int (*laravel_token_fn)(void *ctx, const struct laravel_token *t);
typedef int (*laravel_team_fn)(void *ctx, const struct laravel_team *t);
typedef int (*laravel_member_fn)(void *ctx, const struct laravel_member *m);

/*
 * Calls fn for every row of the source's users (then tokens), by id. The
 * row's strings live in a (reset per row). A non-zero return from fn
 * stops the walk and is returned. ERR_STORE (logged) when the table or a
 * column is missing: not a Laravel database.
 */
int store_laravel_each_user(struct store *src, struct arena *a, laravel_user_fn fn, void *ctx)
    __attribute__((warn_unused_result));
int store_laravel_each_token(struct store *src, struct arena *a, laravel_token_fn fn, void *ctx)
    __attribute__((warn_unused_result));
/* The same for Jetstream's teams and team_user. */
int store_laravel_each_team(struct store *src, struct arena *a, laravel_team_fn fn, void *ctx)
    __attribute__((warn_unused_result));
int store_laravel_each_member(struct store *src, struct arena *a, laravel_member_fn fn, void *ctx)
    __attribute__((warn_unused_result));

/* Sets an imported user's created_at, updated_at (= created_at) and
 * email_verified_at (0: NULL). ERR_NOT_FOUND. */
int store_import_user_stamp(struct store *s, int64_t user_id, int64_t created_at,
                            int64_t verified_at) __attribute__((warn_unused_result));
/* Inserts a pat with t's own id and created_at (t->kind and revoked_at
 * are ignored). ERR_CONFLICT if the id or the hash exists (on PostgreSQL
 * that aborts the transaction: look first). */
int store_import_token_insert(struct store *s, const struct token *t)
    __attribute__((warn_unused_result));
/* After explicit ids: the next token latchkey issues gets a higher one. */
int store_import_token_sequence(struct store *s) __attribute__((warn_unused_result));
/* The Laravel user id and password hash that user_id was imported from;
 * ERR_NOT_FOUND if it was not imported. *password in a. */
int store_import_link_get(struct store *s, struct arena *a, int64_t user_id, int64_t *laravel_id,
                          const char **password) __attribute__((warn_unused_result));
int store_import_link_put(struct store *s, int64_t user_id, int64_t laravel_id,
                          const char *password, int64_t at) __attribute__((warn_unused_result));
/* The tenant a Jetstream team was imported as; ERR_NOT_FOUND. */
int store_import_team_link_get(struct store *s, int64_t laravel_team_id, int64_t *tenant_id)
    __attribute__((warn_unused_result));
int store_import_team_link_put(struct store *s, int64_t tenant_id, int64_t laravel_team_id,
                               int64_t at) __attribute__((warn_unused_result));
