/*
 * serve.c - `latchkey serve` and `latchkey migrate`.
 *
 * serve: migrate, create the platform owner and the first JWT signing key
 * on first start, start the HTTP server, wait for SIGTERM/SIGINT, then stop
 * gracefully (in-flight requests finish, batched writes and log lines are
 * flushed).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/keyring.h"
#include "core/staff.h"
#include "core/user.h"
#include "crypto/random.h"
#include "server.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "wiring.h"

#define OWNER_PASSWORD_LEN 24

/* On an empty users table, creates the platform owner (a staff Owner of
 * the admin API) with a random password and prints it once. Another
 * instance starting at the same moment may have created it first (on
 * SQLite nothing orders the two): then the email is taken, and this one
 * creates nothing and prints nothing. */
static int first_start(struct server *srv)
{
    int64_t n = 0;
    int rc = user_count(srv, &n);
    if (rc != 0 || n > 0)
        return rc;
    char password[OWNER_PASSWORD_LEN + 1];
    random_alnum(password, OWNER_PASSWORD_LEN);
    struct arena *a = arena_new();
    struct user u;
    struct user_request rq = {
        .email = srv->cfg.admin_email,
        .name = "Platform Owner",
        .password = password,
        .status = USER_ACTIVE,
        .verified = true,
        .is_super_admin = true,
    };
    rc = user_create(srv, a, &rq, &u);
    struct role owner;
    if (rc == 0)
        rc = staff_grant(srv, a, u.id, STAFF_OWNER_SLUG, 0, &owner);
    if (rc == 0) {
        printf("latchkey: first start: created the platform owner %s with one-time "
               "password: %s (shown once; change it after signing in)\n",
               u.email, password);
        fflush(stdout);
    } else if (rc == ERR_CONFLICT && user_count(srv, &n) == 0 && n > 0) {
        log_info("event=first_start_skipped reason=\"another instance created the owner\"");
        rc = 0;
    }
    secure_wipe(password, sizeof(password));
    arena_free(a);
    return rc;
}

/* serve's first-start set-up, under the migration lock (wiring_open). */
static int serve_setup(struct server *srv)
{
    if (first_start(srv) != 0)
        return cli_error(ERR_STORE, "cannot create the platform owner");
    int rc = keyring_ensure(srv->keys, NULL);
    if (rc == ERR_CRYPTO)
        return cli_error(ERR_CRYPTO, "cannot decrypt or seal the JWT signing keys: is "
                                     "LATCHKEY_KEY_ENCRYPTION_KEY (or its file) the key they "
                                     "were sealed with? (see docs/security.md)");
    if (rc != 0)
        return cli_error(ERR_STORE, "cannot create or load the JWT signing key");
    return 0;
}

static const char serve_help[] =
    "usage: latchkey serve\n\n"
    "Serves HTTP on LATCHKEY_LISTEN (default 127.0.0.1:8080) over LATCHKEY_DATABASE_URL\n"
    "(default ./var/latchkey.db, created and migrated). Stops on SIGTERM or SIGINT;\n"
    "SIGHUP reopens LATCHKEY_LOG_FILE (after logrotate renamed it).\n";

int cli_serve(int argc, char **argv)
{
    bool json, help;
    int rc = cli_parse_plain(argc, argv, serve_help, &json, &help);
    if (rc != CLI_OK || help)
        return rc;
    /* Block the stop signals in every thread; this one waits for them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct server srv;
    int applied = 0;
    if (wiring_open(&srv, &applied, serve_setup) != 0) {
        wiring_close(&srv);
        return CLI_FAIL;
    }
    if (srv.cfg.log_file != NULL && log_open_file(srv.cfg.log_file) != 0) {
        fprintf(stderr, "latchkey: cannot open LATCHKEY_LOG_FILE %s: %s\n", srv.cfg.log_file,
                strerror(errno));
        wiring_close(&srv);
        return CLI_FAIL;
    }
    if (applied > 0)
        log_info("event=migrated applied=%d", applied);
    if (wiring_start_background(&srv) != 0 || wiring_start_http(&srv) != 0) {
        wiring_close(&srv);
        return CLI_FAIL;
    }
    /* From here on, lines are buffered (the start-up lines above are already
     * out, so a script waiting for "event=listening" sees it at once). */
    if (log_buffering_start(srv.cfg.log_flush_ms) != 0)
        log_warnx("event=log_unbuffered reason=thread_create");
    int sig = 0;
    /* SIGHUP: logrotate renamed the log file; open it again. */
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
        if (log_reopen() != 0)
            log_warn("event=log_reopen_failed file=%s", srv.cfg.log_file);
        else
            log_info("event=log_reopened");
    }
    log_info("event=stopping signal=%d", sig);
    wiring_close(&srv);
    log_info("event=stopped");
    log_buffering_stop();
    return CLI_OK;
}

static const char migrate_help[] =
    "usage: latchkey migrate [--json]\n"
    "       latchkey migrate status [--json]\n\n"
    "Applies pending migrations to LATCHKEY_DATABASE_URL. status applies nothing: it lists\n"
    "each migration of this binary as applied or pending, and exits 1 when the database is\n"
    "newer than the binary.\n";

/* `latchkey migrate status`: every migration file of the backend, applied
 * (version <= the database's) or pending. Migrations run in order and are
 * forward-only, so the database's version says which ran. */
static int migrate_status(bool json)
{
    struct server srv;
    int current = 0, latest = 0;
    if (wiring_open_unchecked(&srv) != 0 ||
        store_schema_version(srv.store, &current, &latest) != 0) {
        wiring_close(&srv);
        return CLI_FAIL;
    }
    const char *backend = store_backend(srv.store);
    const char *suffix = strcmp(backend, "sqlite") == 0 ? ".sqlite.sql" : ".pg.sql";
    wiring_close(&srv);
    json_t *list = json ? json_array() : NULL;
    size_t pos = 0;
    int version, pending = 0;
    for (const struct migration_file *f = migration_next(suffix, &pos, &version); f != NULL;
         f = migration_next(suffix, &pos, &version)) {
        bool applied = version <= current;
        pending += !applied;
        if (list != NULL)
            json_array_append_new(list, json_pack("{s:i, s:s, s:b}", "version", version, "name",
                                                  f->name, "applied", applied));
        else
            printf("%-8s %s\n", applied ? "applied" : "pending", f->name);
    }
    if (list != NULL)
        cli_print_json(json_pack("{s:s, s:i, s:i, s:i, s:o}", "backend", backend, "version",
                                 current, "latest", latest, "pending", pending, "migrations",
                                 list));
    else
        printf("schema version %d of %d; %d pending\n", current, latest, pending);
    if (current > latest)
        return cli_error(CLI_FAIL, "the database's schema (%d) is newer than this binary's (%d)",
                         current, latest);
    return CLI_OK;
}

int cli_migrate(int argc, char **argv)
{
    struct cli_opt none[] = {{NULL, false, NULL}};
    const char *pos[1];
    int n_pos;
    bool json, help;
    int rc = cli_parse(argc, argv, none, pos, 1, &n_pos, &json, &help);
    if (rc == CLI_OK && n_pos == 1 && strcmp(pos[0], "status") != 0)
        rc = cli_error(CLI_USAGE, "migrate: expected nothing or status");
    if (rc != CLI_OK || help) {
        fputs(migrate_help, rc != CLI_OK ? stderr : stdout);
        return rc;
    }
    if (n_pos == 1)
        return migrate_status(json);
    struct server srv;
    int applied = 0, current = 0, latest = 0;
    if (wiring_open(&srv, &applied, NULL) != 0 ||
        store_schema_version(srv.store, &current, &latest) != 0) {
        wiring_close(&srv);
        return CLI_FAIL;
    }
    wiring_close(&srv);
    if (json)
        cli_print_json(json_pack("{s:i, s:i}", "applied", applied, "version", current));
    else
        printf("applied %d migration(s); schema version %d\n", applied, current);
    return CLI_OK;
}
