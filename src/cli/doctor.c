/*
 * doctor.c - `latchkey doctor [--key-age 90d] [--json]`: checks what a
 * running latchkey depends on and says, one line each, what is wrong and
 * how to fix it. Exit 0 when no check failed (warnings allowed), 1
 * otherwise.
 *
 * Checks: the configuration (config_load's validation), the database
 * (reachable, at this binary's schema), SQLite's WAL mode and the
 * permissions of the file and its directory, the key encryption key file,
 * the JWT signing keys (present, one active, its age), Redis (PING and its
 * latency) and SMTP (connect, EHLO, STARTTLS, AUTH; no mail) when
 * configured, and the clock against PostgreSQL's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "config.h"
#include "kv/redis.h"
#include "mail/mail.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#define DOCTOR_KEY_AGE_DEFAULT (90 * 86400LL)
#define DOCTOR_REDIS_SLOW_MS   200 /* a PING slower than this is a warning */
#define DOCTOR_SKEW_WARN_S     2   /* clock skew: a warning beyond, */
#define DOCTOR_SKEW_FAIL_S     30  /* a failure beyond (JWT iat/nbf, expiry) */

static const char doctor_usage[] =
    "usage: latchkey doctor [--key-age 90d] [--json]\n\n"
    "Checks the configuration, the database (reachable, migrated, WAL, file permissions),\n"
    "the key encryption key file, the JWT signing keys (present, active, rotated within\n"
    "--key-age), Redis and SMTP when configured (no mail is sent), and the clock against\n"
    "PostgreSQL's. One line per check: ok, warn or fail, what is wrong and how to fix it.\n"
    "Exit 0 when nothing failed, 1 otherwise.\n";

enum status { OK, WARN, FAIL };
static const char *const status_names[] = {"ok", "warn", "fail"};

struct doctor {
    struct config cfg;
    struct store *store;
    struct arena *a;
    int64_t key_age_s;
    bool json;
    bool failed;
    json_t *checks;
};

/* Reports one check: status, name, what was found and (unless OK) the fix. */
__attribute__((format(printf, 5, 6))) static void
report(struct doctor *d, enum status st, const char *name, const char *fix, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (st == FAIL)
        d->failed = true;
    if (st == OK)
        fix = NULL;
    if (d->json)
        json_array_append_new(d->checks, json_pack("{s:s, s:s, s:s, s:s?}", "check", name, "status",
                                                   status_names[st], "message", msg, "fix", fix));
    else
        printf("%-4s  %-12s %s%s%s\n", status_names[st], name, msg, fix ? "; fix: " : "",
               fix ? fix : "");
}

/* The database: reachable, at this binary's schema. False if unusable. */
static bool check_database(struct doctor *d)
{
    int rc = store_open_existing(d->cfg.database_url, &d->store);
    if (rc == ERR_NOT_FOUND) {
        report(d, FAIL, "database", "run `latchkey migrate` (or start `latchkey serve`)",
               "no database at LATCHKEY_DATABASE_URL");
        return false;
    }
    if (rc == 0)
        rc = store_ping(d->store);
    if (rc != 0) {
        report(d, FAIL, "database", "check LATCHKEY_DATABASE_URL and that the database server runs",
               "cannot open or reach the database: %s", err_str(rc));
        return false;
    }
    int current = 0, latest = 0;
    rc = store_schema_version(d->store, &current, &latest);
    if (rc != 0)
        report(d, FAIL, "database", "check the database's permissions and logs",
               "cannot read the schema version: %s", err_str(rc));
    else if (current < latest)
        report(d, FAIL, "database", "run `latchkey migrate`",
               "schema version %d, this binary's is %d: pending migrations", current, latest);
    else if (current > latest)
        report(d, FAIL, "database", "run the latchkey release that migrated it",
               "schema version %d is newer than this binary's (%d)", current, latest);
    else
        report(d, OK, "database", NULL, "%s reachable, schema version %d", store_backend(d->store),
               current);
    return rc == 0 && current == latest;
}

/* A file's or directory's mode against what latchkey's secrets need. */
static void check_mode(struct doctor *d, const char *name, const char *path, bool dir)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        report(d, FAIL, name, "check the path", "cannot stat %s", path);
        return;
    }
    unsigned mode = st.st_mode & 0777;
    char fix[600];
    snprintf(fix, sizeof(fix), "chmod %s %s", dir ? "700" : "600", path);
    if (mode & 0002)
        report(d, FAIL, name, fix, "%s is world-writable (mode %03o)", path, mode);
    else if (!dir && (mode & 0044))
        report(d, FAIL, name, fix, "%s is readable by others (mode %03o)", path, mode);
    else if (dir && (mode & 0004))
        report(d, WARN, name, fix, "%s is world-readable (mode %03o)", path, mode);
    else
        report(d, OK, name, NULL, "%s mode %03o", path, mode);
}

/* SQLite: WAL mode, the file's and its directory's permissions. */
static void check_sqlite(struct doctor *d)
{
    const char *path = store_sqlite_path(d->store);
    if (path == NULL)
        return;
    const char *mode = NULL;
    int rc = store_journal_mode(d->store, d->a, &mode);
    if (rc != 0 || mode == NULL || strcmp(mode, "wal") != 0)
        report(d, WARN, "wal",
               "put the database on a local file system that supports WAL (not NFS)",
               "journal mode is %s, not wal: readers and writers block each other",
               mode ? mode : err_str(rc));
    else
        report(d, OK, "wal", NULL, "journal mode wal");
    check_mode(d, "db-file", path, false);
    char *dir = arena_strdup(d->a, path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash != NULL)
        *slash = '\0';
    else
        dir = ".";
    check_mode(d, "db-dir", dir, true);
}

/* The key encryption key: from the environment, or a file only the
 * owner reads. */
static void check_kek(struct doctor *d)
{
    if (d->cfg.kek_text != NULL) {
        report(d, OK, "key-file", NULL, "key encryption key from LATCHKEY_KEY_ENCRYPTION_KEY");
        return;
    }
    struct stat st;
    if (stat(d->cfg.kek_file, &st) != 0) {
        report(d, FAIL, "key-file",
               "restore it from your backup, or set LATCHKEY_KEY_ENCRYPTION_KEY_FILE to it",
               "no key encryption key at %s: the JWT signing keys cannot be unsealed",
               d->cfg.kek_file);
        return;
    }
    unsigned mode = st.st_mode & 0777;
    char fix[600];
    snprintf(fix, sizeof(fix), "chmod 600 %s", d->cfg.kek_file);
    if (mode & 0077)
        report(d, FAIL, "key-file", fix, "%s is mode %03o: others may read the key",
               d->cfg.kek_file, mode);
    else
        report(d, OK, "key-file", NULL, "%s mode %03o", d->cfg.kek_file, mode);
}

/* The JWT signing keys: present, one active, rotated within key_age_s. */
static void check_keys(struct doctor *d)
{
    struct signing_key *keys = NULL;
    size_t n = 0;
    int rc = store_signing_key_list(d->store, d->a, &keys, &n);
    if (rc != 0) {
        report(d, FAIL, "signing-keys", "check the database", "cannot list the keys: %s",
               err_str(rc));
        return;
    }
    const struct signing_key *active = NULL;
    for (size_t i = 0; i < n; i++) {
        if (keys[i].retired_at == 0 && keys[i].revoked_at == 0 &&
            (active == NULL || keys[i].created_at > active->created_at))
            active = &keys[i];
    }
    const char *fix = "run `latchkey keys rotate` (or start `latchkey serve` once)";
    if (n == 0) {
        report(d, FAIL, "signing-keys", fix, "no JWT signing key: AutoCom logins cannot sign");
        return;
    }
    if (active == NULL) {
        report(d, FAIL, "signing-keys", fix, "%zu keys, none active (all retired or revoked)", n);
        return;
    }
    int64_t age = time_now() - active->created_at;
    if (age > d->key_age_s)
        report(d, WARN, "signing-keys", "run `latchkey keys rotate`",
               "active key %s is %lld days old (rotate every %lld days)", active->kid,
               (long long)(age / 86400), (long long)(d->key_age_s / 86400));
    else
        report(d, OK, "signing-keys", NULL, "active key %s, %lld days old; %zu keys in all",
               active->kid, (long long)(age / 86400), n);
}

/* Redis when configured: PING and how long it took. */
static void check_redis(struct doctor *d)
{
    if (d->cfg.redis_url == NULL) {
        report(d, OK, "redis", NULL, "not configured: rate limits are counted in each process");
        return;
    }
    struct redis *r = redis_new(&d->cfg.redis, d->cfg.redis_timeout_ms);
    char why[128] = "";
    /* The first PING connects (and AUTHs); the second one is timed. */
    int rc = redis_ping(r, why, sizeof(why));
    int64_t t0 = time_mono_ms();
    if (rc == 0)
        rc = redis_ping(r, why, sizeof(why));
    int64_t ms = time_mono_ms() - t0;
    redis_free(r);
    const char *host = d->cfg.redis.host;
    unsigned port = d->cfg.redis.port;
    if (rc != 0)
        report(d, FAIL, "redis", "check LATCHKEY_REDIS_URL, that Redis runs and its password",
               "PING to %s:%u failed: %s", host, port, why[0] ? why : err_str(rc));
    else if (ms > DOCTOR_REDIS_SLOW_MS)
        report(d, WARN, "redis", "put Redis near latchkey (same network), check its load",
               "PING to %s:%u took %lld ms", host, port, (long long)ms);
    else
        report(d, OK, "redis", NULL, "PING to %s:%u in %lld ms", host, port, (long long)ms);
}

/* SMTP when it is the mail driver: the handshake, no mail. */
static void check_smtp(struct doctor *d)
{
    if (strcmp(d->cfg.mail_driver, "smtp") != 0) {
        report(d, OK, "smtp", NULL, "mail driver %s: messages are written to %s",
               d->cfg.mail_driver, d->cfg.mail_dir);
        return;
    }
    struct mail_options mo;
    mail_options_from_config(&d->cfg, &mo);
    long reply = 0;
    char why[256] = "";
    int64_t t0 = time_mono_ms();
    int rc = mail_smtp_probe(&mo, &reply, why, sizeof(why));
    int64_t ms = time_mono_ms() - t0;
    if (rc != 0)
        report(d, FAIL, "smtp",
               "check LATCHKEY_SMTP_URL (host, port, credentials), LATCHKEY_SMTP_TLS and "
               "LATCHKEY_SMTP_CA_FILE",
               "connect/EHLO/STARTTLS/AUTH failed: %s (last reply %ld)", why, reply);
    else
        report(d, OK, "smtp", NULL, "connect, EHLO%s and NOOP in %lld ms (no mail sent)",
               strcmp(d->cfg.smtp_tls, "off") == 0 ? "" : ", STARTTLS when offered", (long long)ms);
}

/* This machine's clock against the database server's (PostgreSQL). */
static void check_clock(struct doctor *d)
{
    if (store_sqlite_path(d->store) != NULL) {
        report(d, OK, "clock", NULL,
               "SQLite runs on this machine's clock: nothing to compare (keep it synced, NTP)");
        return;
    }
    int64_t db = 0;
    int rc = store_db_clock(d->store, &db);
    int64_t skew = time_now() - db;
    int64_t abs_skew = skew < 0 ? -skew : skew;
    const char *fix = "sync the clocks of this machine and the database server (NTP, chrony)";
    if (rc != 0)
        report(d, FAIL, "clock", "check the database", "cannot read the database's clock: %s",
               err_str(rc));
    else if (abs_skew > DOCTOR_SKEW_FAIL_S)
        report(d, FAIL, "clock", fix, "%+lld s from PostgreSQL's now()", (long long)skew);
    else if (abs_skew > DOCTOR_SKEW_WARN_S)
        report(d, WARN, "clock", fix, "%+lld s from PostgreSQL's now()", (long long)skew);
    else
        report(d, OK, "clock", NULL, "%+lld s from PostgreSQL's now()", (long long)skew);
}

/* Every check after the configuration loaded. */
static void run_checks(struct doctor *d)
{
    report(d, OK, "config", NULL, "LATCHKEY_* variables valid");
    bool db_ok = check_database(d);
    if (d->store != NULL) {
        check_sqlite(d);
        check_clock(d);
    }
    check_kek(d);
    if (db_ok)
        check_keys(d);
    check_redis(d);
    check_smtp(d);
}

int cli_doctor(int argc, char **argv)
{
    struct cli_opt o[] = {{"key-age", true, NULL}, {NULL, false, NULL}};
    const char *pos[1];
    int n_pos;
    struct doctor d = {.key_age_s = DOCTOR_KEY_AGE_DEFAULT};
    bool help;
    int rc = cli_parse(argc, argv, o, pos, 0, &n_pos, &d.json, &help);
    if (rc != CLI_OK || help) {
        fputs(doctor_usage, rc != CLI_OK ? stderr : stdout);
        return rc;
    }
    const char *age = cli_get(o, "key-age");
    if (age != NULL && (!time_parse_duration(age, &d.key_age_s) || d.key_age_s <= 0))
        return cli_error(CLI_USAGE, "--key-age must look like 90d, 12w or 2160h");
    log_set_level(LOG_ERROR);
    d.checks = json_array();
    d.a = arena_new();
    char err[256] = "";
    if (config_load(&d.cfg, NULL, NULL, err, sizeof(err)) != 0)
        report(&d, FAIL, "config", "correct the variable (README, Configuration)", "%s", err);
    else
        run_checks(&d);
    if (d.json)
        cli_print_json(json_pack("{s:b, s:o}", "ok", !d.failed, "checks", d.checks));
    else
        json_decref(d.checks);
    store_free(d.store);
    config_fini(&d.cfg);
    arena_free(d.a);
    return d.failed ? CLI_FAIL : CLI_OK;
}
