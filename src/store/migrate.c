/*
 * migrate.c - the migration files compiled into the binary, as every backend
 * sees them: filtered by suffix, numbered by their leading digits.
 *
 * Stateless: migration_files[] is a constant table (build/gen/migrations.c).
 */
#include <limits.h>
#include <string.h>

#include <stdbool.h>

#include "store/migrations.h"
#include "util/err.h"
#include "util/log.h"

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name);
    size_t m = strlen(suffix);
    return n > m && strcmp(name + n - m, suffix) == 0;
}

int migration_version(const char *name)
{
    int v = 0;
    size_t i = 0;
    for (; name[i] >= '0' && name[i] <= '9'; i++) {
        if (v > (INT_MAX - 9) / 10)
            return -1;
        v = v * 10 + (name[i] - '0');
    }
    return i > 0 ? v : -1;
}

const struct migration_file *migration_next(const char *suffix, size_t *pos, int *version)
{
    while (*pos < n_migration_files) {
        const struct migration_file *f = &migration_files[(*pos)++];
        if (has_suffix(f->name, suffix)) {
            *version = migration_version(f->name);
            return f;
        }
    }
    return NULL;
}

int migration_check(const char *suffix)
{
    size_t pos = 0;
    int version;
    int prev = 0;
    for (const struct migration_file *f = migration_next(suffix, &pos, &version); f != NULL;
         f = migration_next(suffix, &pos, &version)) {
        if (version <= prev) {
            log_error("store event=bad_migration_name file=%s", f->name);
            return ERR_SCHEMA;
        }
        prev = version;
    }
    return 0;
}

int migration_latest(const char *suffix)
{
    size_t pos = 0;
    int version;
    int latest = 0;
    while (migration_next(suffix, &pos, &version) != NULL) {
        if (version > latest)
            latest = version;
    }
    return latest;
}
