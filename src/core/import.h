/*
 * import.h - `latchkey import laravel` (issue 17): a Laravel application's
 * users and Sanctum personal access tokens brought into latchkey, so that
 * its users log in with the passwords they have (bcrypt hashes are kept
 * and rehashed to argon2id at the next login) and its tokens keep working
 * as they are (same id, same secret, abilities, last_used_at, expires_at).
 *
 * One transaction: a failure, or a dry run, leaves latchkey unchanged.
 * Idempotent: a second run of the same source creates nothing and reports
 * every row it recognises as unchanged. Rows it cannot take are skipped,
 * each with its reason; see docs/decisions.md for the rules.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct server;

struct import_options {
    const char *url;         /* the Laravel database: a SQLite path, sqlite:PATH, postgres://... */
    const char *tenant_slug; /* every imported user joins this tenant; NULL: none */
    const char *role;        /* their role there (slug or name); required with tenant_slug */
    const char *user_model;  /* tokenable_type of users; NULL: "App\\Models\\User" */
    bool jetstream;          /* Jetstream's teams become tenants, team_user memberships */
    const char *team_roles;  /* "jetstream=latchkey,..." role names; NULL: the same names */
    bool dry_run;            /* do everything, then roll back */
};

struct import_count {
    int64_t created;
    int64_t unchanged;
    int64_t skipped;
};

/* One row that was not imported. Strings in the report's arena. */
struct import_skip {
    const char *table; /* "users", "personal_access_tokens", "teams", "team_user" */
    int64_t id;        /* the row's id in the Laravel database */
    const char *reason;
};

struct import_report {
    struct import_count users;
    struct import_count tokens;
    struct import_count teams;
    struct import_count memberships;
    struct import_skip *skips; /* arena array of n_skips */
    size_t n_skips;
    size_t cap_skips;
};

/*
 * Runs the import. The report's strings and array live in a. ERR_NOT_FOUND
 * (the source file, the tenant or the role does not exist), ERR_INVALID
 * (options), ERR_STORE (the source is not a Laravel database, or a write
 * failed: nothing was written), ERR_UNAVAILABLE.
 */
int import_laravel(struct server *srv, struct arena *a, const struct import_options *o,
                   struct import_report *out) __attribute__((warn_unused_result));
