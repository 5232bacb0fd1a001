/*
 * fixture.h - the one way a unit test builds a `struct server`: a
 * temporary directory, a database (a SQLite file in it, or a fresh
 * PostgreSQL database in the test cluster), the configuration loaded the
 * way the process loads it (config_load, with the test's variables instead
 * of the environment), and only the parts the test asks for.
 *
 *     struct test_server *ts = test_server_new(&(struct test_server_options){
 *         .keys = true, .env = (const char *const[]){"LATCHKEY_JWT_TTL", "600", NULL}});
 *     ... tenant_create(&ts->srv, ts->a, ...) ...
 *     test_server_free(ts);
 *
 * It builds on server.h's public struct and the modules' own constructors
 * (store_open, keyring_new, mailer_new, pcache_new), never on server.c's
 * wiring: a unit test gets no HTTP server, no background threads it did
 * not ask for, and cheap argon2id parameters. Failures fail the calling
 * test (cmocka asserts), so setup functions need no error paths.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server.h"

struct arena;
struct CMUnitTest;

enum test_backend {
    TEST_BACKEND_RUN, /* the run's: SQLite, or the one test_run_on_both() is on */
    TEST_SQLITE,      /* a file in the temporary directory */
    TEST_PG,          /* a fresh database in LATCHKEY_TEST_PG_URL's cluster, dropped at free */
};

struct test_server_options {
    enum test_backend backend;
    bool unmigrated;        /* leave the database empty (no migrations applied) */
    bool keys;              /* srv.keys: a keyring with its first signing key */
    bool mailer;            /* srv.mailer: the log driver, writing to DIR/mail */
    size_t auth_cache;      /* srv.pcache: a principal cache of that many entries (0: none) */
    int64_t clock_offset_s; /* srv.cfg.clock_offset_s: what server_now() adds to the clock */
    /* Further configuration: NAME, VALUE pairs, then NULL (may be NULL).
     * They win over the fixture's own (LATCHKEY_DATABASE_URL,
     * LATCHKEY_MAIL_DIR). Borrowed for the call only. */
    const char *const *env;
};

struct test_server {
    struct server srv;     /* cfg, pw, store, and what the options asked for */
    struct arena *a;       /* an arena for the test's calls, freed with the fixture */
    char dir[64];          /* the temporary directory, removed with everything in it */
    char db[1200];         /* LATCHKEY_DATABASE_URL as the server got it */
    char pg_name[64];      /* TEST_PG: the database's name */
    unsigned char kek[32]; /* keys: the keyring's key encryption key (random) */
};

/* True if LATCHKEY_TEST_PG_URL names a cluster TEST_PG can use; without it
 * a test of that backend should skip(). */
bool test_pg_available(void);

/* A new fixture (o may be NULL: a migrated SQLite store, nothing else).
 * Returned owned; free it with test_server_free(). */
struct test_server *test_server_new(const struct test_server_options *o);

/* Frees what the fixture built, then removes its directory and (TEST_PG)
 * drops its database. Accepts NULL. */
void test_server_free(struct test_server *ts);

/* Runs the n tests as the group "NAME (SQLite)", then again as "NAME
 * (PostgreSQL)" with every fixture of TEST_BACKEND_RUN on PostgreSQL; the
 * second run's cases are reported as skipped without LATCHKEY_TEST_PG_URL.
 * Returns the number of failures (main's exit status). */
int test_run_on_both(const char *name, struct CMUnitTest *tests, size_t n);

/* Creates a temporary directory "/tmp/latchkey-WHAT-XXXXXX" in dir (64
 * bytes) or fails the test. Remove it with tmpdir_remove() (tmpdir.h). */
void test_tmpdir(char dir[64], const char *what);

/* Creates the tenant SLUG (named SLUG, the default product and its
 * default roles) through core, or fails the test; returns its id. */
int64_t test_tenant_new(struct test_server *ts, const char *slug);
