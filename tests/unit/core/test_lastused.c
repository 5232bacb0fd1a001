/*
 * test_lastused.c - batched last_used_at: a use is written at the next
 * flush with the latest time, and the per-thread memo that skips repeated
 * uses within a second never loses a newer time or another table's use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "core/lastused.h"
#include "store/store.h"
#include "util/arena.h"

struct fixture {
    struct test_server *ts;
    struct store *s; /* ts's */
    const char *url; /* ts's database file */
    int64_t tokens[3];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->ts = test_server_new(NULL);
    f->s = f->ts->srv.store;
    f->url = f->ts->db;
    struct user u = {.name = "U", .email = "u@example.com", .password_hash = "$argon2id$x"};
    assert_int_equal(store_user_insert(f->s, &u), 0);
    for (unsigned i = 0; i < 3; i++) {
        struct token t = {.user_id = u.id, .name = "t", .kind = TOKEN_PAT};
        snprintf(t.token_hash, sizeof(t.token_hash), "%064x", i + 1);
        assert_int_equal(store_token_insert(f->s, &t), 0);
        f->tokens[i] = t.id;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    test_server_free(f->ts);
    free(f);
    return 0;
}

static int64_t last_used(struct fixture *f, int64_t id)
{
    struct arena *a = arena_new();
    struct token t;
    assert_int_equal(store_token_by_id(f->s, a, id, &t), 0);
    arena_free(a);
    return t.last_used_at;
}

/* An hour between automatic flushes: only explicit ones write. */
#define NEVER 3600000u

static void test_flush_writes_the_latest_use(void **state)
{
    struct fixture *f = *state;
    struct lastused *lu = lastused_new(f->s, NEVER);
    lastused_touch(lu, f->tokens[0], 100);
    lastused_touch(lu, f->tokens[0], 100); /* the memo skips this one */
    lastused_touch(lu, f->tokens[1], 100);
    assert_int_equal(last_used(f, f->tokens[0]), 0);
    assert_int_equal(lastused_flush(lu), 0);
    assert_int_equal(last_used(f, f->tokens[0]), 100);
    assert_int_equal(last_used(f, f->tokens[1]), 100);
    /* Same second again after the flush: nothing new to write. */
    lastused_touch(lu, f->tokens[0], 100);
    /* A later second is never skipped. */
    lastused_touch(lu, f->tokens[0], 101);
    assert_int_equal(lastused_flush(lu), 0);
    assert_int_equal(last_used(f, f->tokens[0]), 101);
    /* An older time never moves last_used_at back. */
    lastused_touch(lu, f->tokens[0], 50);
    assert_int_equal(lastused_flush(lu), 0);
    assert_int_equal(last_used(f, f->tokens[0]), 101);
    lastused_free(lu);
}

static void test_a_new_table_is_not_fooled_by_the_memo(void **state)
{
    struct fixture *f = *state;
    struct lastused *lu = lastused_new(f->s, NEVER);
    lastused_touch(lu, f->tokens[2], 200);
    lastused_free(lu); /* flushes: 200 */
    assert_int_equal(last_used(f, f->tokens[2]), 200);
    /* The row forgets it (as a restored backup would); a second table,
     * perhaps at the same address, must record the same use again even
     * though this thread's memo has seen (token, 200). */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->url, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE tokens SET last_used_at = NULL", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    lu = lastused_new(f->s, NEVER);
    lastused_touch(lu, f->tokens[2], 200);
    assert_int_equal(lastused_flush(lu), 0);
    assert_int_equal(last_used(f, f->tokens[2]), 200);
    lastused_free(lu);
}

struct toucher {
    struct lastused *lu;
    int64_t token;
    int64_t at;
};

static void *touch_thread(void *arg)
{
    struct toucher *t = arg;
    for (int i = 0; i < 1000; i++)
        lastused_touch(t->lu, t->token, t->at);
    return NULL;
}

static void test_uses_from_several_threads(void **state)
{
    struct fixture *f = *state;
    struct lastused *lu = lastused_new(f->s, NEVER);
    struct toucher t[3];
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        t[i] = (struct toucher){.lu = lu, .token = f->tokens[i], .at = 500 + i};
        assert_int_equal(pthread_create(&th[i], NULL, touch_thread, &t[i]), 0);
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(lastused_flush(lu), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(last_used(f, f->tokens[i]), 500 + i);
    lastused_free(lu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flush_writes_the_latest_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_new_table_is_not_fooled_by_the_memo, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_uses_from_several_threads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
