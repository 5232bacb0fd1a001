/*
 * import_int.h - what the two files of the Laravel import share
 * (import.c: users, tokens and the run; import_teams.c: Jetstream's teams).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/import.h"

struct arena;
struct server;
struct store;

/* Laravel ids and the latchkey ids they became, by Laravel id ascending
 * (the order the source is read in). */
struct import_map {
    struct import_map_pair {
        int64_t laravel_id;
        int64_t id;
    } * pairs; /* heap; freed by import_map_fini */
    size_t n, cap;
};

struct import_run {
    struct server *srv;
    const struct import_options *o;
    struct import_report *rep;
    struct arena *a;       /* the report's */
    struct arena *scratch; /* per row */
    struct arena *rows;    /* the source's rows, per row */
    int64_t tenant_id;     /* --tenant; 0: none */
    int64_t role_id;
    int64_t now;
    struct import_map users; /* Laravel user id -> latchkey user id */
    struct import_map teams; /* Jetstream team id -> tenant id */
};

/* Records a skipped row (reason copied into the report's arena) and counts
 * it in c. */
void import_skip(struct import_run *r, struct import_count *c, const char *table, int64_t id,
                 const char *reason);
/* Appends a pair; Laravel ids must come in ascending order. */
void import_map_add(struct import_map *m, int64_t laravel_id, int64_t id);
/* The latchkey id of laravel_id; 0 if it has none (skipped). */
int64_t import_map_find(const struct import_map *m, int64_t laravel_id);
void import_map_fini(struct import_map *m);
/* Makes user_id a member of tenant_id with role_id unless they are one
 * (any role): counted in the report's memberships. */
int import_member(struct import_run *r, int64_t user_id, int64_t tenant_id, int64_t role_id)
    __attribute__((warn_unused_result));
/* The Jetstream passes: teams (as tenants, their owners as owners), then
 * team_user. */
int import_teams(struct import_run *r, struct store *src) __attribute__((warn_unused_result));
