/*
 * test_sqlite.c - the SQLite backend of store.h: the shared cases of
 * store_cases.h against a temporary file database per test, plus what only
 * SQLite does (paths, file modes).
 */
#include <ftw.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKEND_SUFFIX ".sqlite.sql"
#include "fixture.h"
#include "tmpdir.h"
#include "store_cases.h"
#include "staff_cases.h"
#include "team_cases.h"
#include "session_cases.h"
#include "commerce_cases.h"

static void make_tmpdir(char dir[64])
{
    test_tmpdir(dir, "store");
}

static void remove_tree(const char *dir)
{
    tmpdir_remove(dir);
}

/* f->priv is the temporary directory, f->url the file in it. */
static void backend_create(struct fixture *f)
{
    char dir[64];
    make_tmpdir(dir);
    snprintf(f->priv, sizeof(f->priv), "%s", dir);
    snprintf(f->url, sizeof(f->url), "%s/test.db", dir);
}

static void backend_destroy(struct fixture *f)
{
    remove_tree(f->priv);
}

static int64_t backend_insert_raw(struct fixture *f, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->url, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_int64 id = sqlite3_last_insert_rowid(db);
    sqlite3_close(db);
    return id;
}

/* ---- SQLite only ---- */

static void test_open_creates_directory(void **state)
{
    (void)state;
    char dir[64], path[192], sub[160];
    make_tmpdir(dir);
    snprintf(sub, sizeof(sub), "%s/a/b", dir);
    snprintf(path, sizeof(path), "sqlite:%s/c.db", sub);
    struct stat st;
    assert_int_not_equal(stat(sub, &st), 0);

    struct store *s = NULL;
    assert_int_equal(store_open(path, &s), 0);
    assert_string_equal(store_backend(s), "sqlite");
    assert_int_equal(stat(sub, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(stat(path + strlen("sqlite:"), &st), 0);
    assert_int_equal(st.st_mode & 077, 0);
    store_free(s);
    remove_tree(dir);
}

static void test_open_rejects(void **state)
{
    (void)state;
    struct store *s = (struct store *)1;
    assert_int_equal(store_open(":memory:", &s), ERR_INVALID);
    assert_null(s);
    assert_int_equal(store_open("", &s), ERR_INVALID);
    assert_int_equal(store_open("sqlite:", &s), ERR_INVALID);
    store_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_creates_directory),
        cmocka_unit_test(test_open_rejects),
        STORE_CASES,
        STAFF_CASES,
        TEAM_CASES,
        SESSION_CASES,
        COMMERCE_CASES,
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
