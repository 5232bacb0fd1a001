/*
 * migrations.h - the SQL migration files compiled into the binary
 * (generated from src/store/migrations/NNNN_name.{sqlite,pg}.sql by
 * scripts/embed-migrations.sh), sorted by file name.
 */
#pragma once
#include <stddef.h>

struct migration_file {
    const char *name; /* "0001_init.sqlite.sql" */
    const char *sql;
};

extern const struct migration_file migration_files[];
extern const size_t n_migration_files;

/*
 * The version of a migration file name: its leading decimal number
 * ("0007_x.sqlite.sql" gives 7). -1 if the name has none or it is too big.
 */
int migration_version(const char *name);
/*
 * Iterates over the files ending in suffix, in order: pass *pos = 0 first.
 * Returns the next file and sets *version, or NULL at the end.
 */
const struct migration_file *migration_next(const char *suffix, size_t *pos, int *version);
/*
 * ERR_SCHEMA (logged) unless every file ending in suffix has a version and
 * the versions strictly increase in name order.
 */
int migration_check(const char *suffix) __attribute__((warn_unused_result));
/* The highest version among the files ending in suffix; 0 if none. */
int migration_latest(const char *suffix);
