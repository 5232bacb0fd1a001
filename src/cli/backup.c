/*
 * backup.c - `latchkey backup FILE [--json]`: an online, consistent copy of
 * the SQLite database (store_backup), safe while `serve` runs.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/err.h"
#include "util/timeutil.h"

#define BACKUP_PAGES_PER_STEP 256 /* 1 MiB of 4 KiB pages */

static const char backup_usage[] =
    "usage: latchkey backup FILE [--json]\n\n"
    "Copies the SQLite database of LATCHKEY_DATABASE_URL to FILE (mode 0600, replaced\n"
    "atomically) as of one moment, while `serve` goes on reading and writing. The JWT\n"
    "signing keys in it are sealed with the key encryption key: back up\n"
    "LATCHKEY_KEY_ENCRYPTION_KEY (or its file) separately, or the copy cannot sign.\n"
    "PostgreSQL: use pg_dump -Fc instead (see README).\n";

int cli_backup(int argc, char **argv)
{
    struct cli_opt o[] = {{NULL, false, NULL}};
    struct cli_run r;
    int rc = cli_begin(&r, argc, argv, o, 1, backup_usage);
    if (rc != CLI_OK || r.help)
        return cli_end(&r, rc);
    if (r.n_pos != 1)
        return cli_end(&r,
                       cli_error(CLI_USAGE, "backup needs the FILE to write\n%s", backup_usage));
    const char *dest = r.pos[0];
    if (store_sqlite_path(r.srv.store) == NULL)
        return cli_end(&r, cli_error(CLI_FAIL, "backup copies SQLite databases only; back up "
                                               "PostgreSQL with pg_dump -Fc (see README), and "
                                               "the key encryption key separately"));
    int64_t t0 = time_mono_ms();
    struct store_backup_info info;
    rc = store_backup(r.srv.store, dest, BACKUP_PAGES_PER_STEP, &info);
    if (rc == ERR_INVALID)
        return cli_end(&r, cli_error(CLI_USAGE, "backup: %s is the database itself", dest));
    if (rc == ERR_IO)
        return cli_end(&r, cli_error(CLI_FAIL,
                                     "backup: cannot write %s (is its directory there "
                                     "and writable?)",
                                     dest));
    if (rc != 0)
        return cli_end(&r, cli_fail(rc, "backup"));
    int64_t ms = time_mono_ms() - t0;
    if (r.json)
        cli_print_json(json_pack("{s:s, s:I, s:i, s:I}", "file", dest, "bytes",
                                 (json_int_t)info.bytes, "pages", info.pages, "ms",
                                 (json_int_t)ms));
    else
        printf("backed up %d pages (%lld bytes) to %s in %lld ms\n"
               "remember: the key encryption key is not in it; back it up separately\n",
               info.pages, (long long)info.bytes, dest, (long long)ms);
    return cli_end(&r, CLI_OK);
}
