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
