/*
 * fixture.c - test_server_new(): see fixture.h. Linked into every unit
 * test (the Makefile's libfixture.a); a test that does not call it pulls
 * none of it in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "tmpdir.h"
#include "core/keyring.h"
#include "core/pcache.h"
#include "core/tenant.h"
#include "crypto/random.h"
#include "mail/mail.h"
#include "store/store.h"
#include "util/arena.h"
#include "wiring.h"

/* Cheap argon2id, as the e2e harness uses: the tests make many hashes. */
#define TEST_ARGON2_OPS 1
#define TEST_ARGON2_MEM (8192 * 1024)

struct getenv_ctx {
    const struct test_server *ts;
    const char *const *env;
    char mail_dir[128];
};

/* config_load's getter: the test's pairs, then the fixture's own. */
static const char *fixture_getenv(const char *name, void *ctx)
{
    const struct getenv_ctx *g = ctx;
    for (const char *const *p = g->env; p != NULL && p[0] != NULL; p += 2) {
        if (strcmp(p[0], name) == 0)
            return p[1];
    }
    if (strcmp(name, "LATCHKEY_DATABASE_URL") == 0)
        return g->ts->db;
    if (strcmp(name, "LATCHKEY_MAIL_DIR") == 0)
        return g->mail_dir;
    return NULL;
}

void test_tmpdir(char dir[64], const char *what)
{
    int n = snprintf(dir, 64, "/tmp/latchkey-%s-XXXXXX", what);
    assert_true(n > 0 && n < 64);
    assert_non_null(mkdtemp(dir));
}

bool test_pg_available(void)
{
    const char *url = getenv("LATCHKEY_TEST_PG_URL");
    return url != NULL && url[0] != '\0';
}

/* Runs one statement on a new connection to the test cluster. */
static void pg_admin(const char *sql)
{
    PGconn *db = PQconnectdb(getenv("LATCHKEY_TEST_PG_URL"));
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    PGresult *r = PQexec(db, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fprintf(stderr, "fixture: %s: %s", sql, PQerrorMessage(db));
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(db);
}

/* A fresh database in the cluster; its URL is the cluster's with a
 * dbname parameter, which libpq lets override the URL's path. */
static void pg_create(struct test_server *ts)
{
    static unsigned counter;
    assert_true(test_pg_available());
    const char *admin = getenv("LATCHKEY_TEST_PG_URL");
    snprintf(ts->pg_name, sizeof(ts->pg_name), "lk_fixture_%ld_%u", (long)getpid(), counter++);
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", ts->pg_name);
    pg_admin(sql);
    int n = snprintf(ts->db, sizeof(ts->db), "%s%cdbname=%s", admin,
                     strchr(admin, '?') != NULL ? '&' : '?', ts->pg_name);
    assert_true(n > 0 && (size_t)n < sizeof(ts->db));
}

/* The backend of TEST_BACKEND_RUN fixtures: test_run_on_both() moves it. */
static enum test_backend run_backend = TEST_SQLITE;

static void skipped(void **state)
{
    (void)state;
    skip();
}

int test_run_on_both(const char *name, struct CMUnitTest *tests, size_t n)
{
    char group[128];
    snprintf(group, sizeof(group), "%s (SQLite)", name);
    run_backend = TEST_SQLITE;
    int failed = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    snprintf(group, sizeof(group), "%s (PostgreSQL)", name);
    run_backend = TEST_PG;
    if (!test_pg_available()) {
        /* Reported as skipped (TAP "# SKIP"), never as passed. */
        fprintf(stderr, "%s: SKIPPED: LATCHKEY_TEST_PG_URL is not set\n", group);
        for (size_t i = 0; i < n; i++) {
            tests[i].test_func = skipped;
            tests[i].setup_func = NULL;
            tests[i].teardown_func = NULL;
        }
    }
    failed += _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    run_backend = TEST_SQLITE;
    return failed;
}

struct test_server *test_server_new(const struct test_server_options *o)
{
    static const struct test_server_options defaults;
    if (o == NULL)
        o = &defaults;
    assert_int_equal(crypto_init(), 0);
    struct test_server *ts = calloc(1, sizeof(*ts));
    assert_non_null(ts);
    test_tmpdir(ts->dir, "unit");
    enum test_backend backend = o->backend == TEST_BACKEND_RUN ? run_backend : o->backend;
    if (backend == TEST_PG)
        pg_create(ts);
    else
        snprintf(ts->db, sizeof(ts->db), "%s/lk.db", ts->dir);

    struct server *srv = &ts->srv;
    struct getenv_ctx g = {.ts = ts, .env = o->env};
    snprintf(g.mail_dir, sizeof(g.mail_dir), "%s/mail", ts->dir);
    char err[256] = "";
    if (config_load(&srv->cfg, fixture_getenv, &g, err, sizeof(err)) != 0)
        fail_msg("test_server_new: configuration: %s", err);
    srv->cfg.clock_offset_s = o->clock_offset_s;
    srv->pw = (struct password_params){.opslimit = TEST_ARGON2_OPS, .memlimit = TEST_ARGON2_MEM};
    assert_int_equal(store_open(ts->db, &srv->store), 0);
    if (!o->unmigrated)
        assert_int_equal(store_migrate(srv->store, NULL), 0);
    srv->limiter = ratelimit_new();
    if (o->keys) {
        srv->keys = keyring_new(srv->store, srv->cfg.jwt_ttl_s);
        random_bytes(ts->kek, sizeof(ts->kek));
        keyring_set_kek(srv->keys, ts->kek);
        assert_int_equal(keyring_ensure(srv->keys, NULL), 0);
    }
    if (o->mailer) {
        struct mail_options mo;
        mail_options_from_config(&srv->cfg, &mo);
        assert_int_equal(mailer_new(&mo, &srv->mailer), 0);
    }
    if (o->auth_cache > 0)
        srv->pcache = pcache_new(o->auth_cache, (size_t)64 << 20);
    ts->a = arena_new();
    return ts;
}

void test_server_free(struct test_server *ts)
{
    if (ts == NULL)
        return;
    arena_free(ts->a);
    /* wiring_close() frees each part it finds and accepts the ones that
     * were never made. */
    wiring_close(&ts->srv);
    if (ts->pg_name[0] != '\0') {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", ts->pg_name);
        pg_admin(sql);
    }
    tmpdir_remove(ts->dir);
    free(ts);
}

int64_t test_tenant_new(struct test_server *ts, const char *slug)
{
    struct tenant_request rq = {.slug = slug, .name = slug};
    struct tenant t;
    struct role *roles;
    size_t n;
    assert_int_equal(tenant_create(&ts->srv, ts->a, &rq, &t, &roles, &n), 0);
    return t.id;
}
