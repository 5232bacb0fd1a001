/*
 * test_audit.c - audit details: whatever the values hold (quotes,
 * backslashes, control characters, bytes that are not UTF-8, very long
 * strings), the builder gives one valid JSON object that parses back to
 * the same values, uncut; and audit_record stores that text whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpdir.h"
#include "core/audit.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"

static const char *const hostile[] = {
    "",
    "\"},\"admin\":true,\"x\":{\"",
    "back\\slash \\\" \\u0000",
    "\b\f\n\r\t\x01\x1f\x7f",
    "caf\xc3\xa9 \xe6\xbc\xa2 \xf0\x9f\x98\x80",
    "</script><script>alert(1)</script>",
};

/* Parses text, which must be one JSON object. */
static json_t *parse_object(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (j == NULL)
        fail_msg("not JSON (%s): %s", err.text, text);
    assert_true(json_is_object(j));
    return j;
}

static void hostile_strings_round_trip(void **state)
{
    (void)state;
    struct audit_detail d;
    audit_detail_init(&d);
    size_t n = sizeof(hostile) / sizeof(hostile[0]);
    char key[16];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "k%zu", i);
        audit_detail_str(&d, key, hostile[i]);
    }
    audit_detail_str(&d, "none", NULL);
    json_t *j = parse_object(audit_detail_json(&d));
    assert_int_equal(json_object_size(j), n + 1);
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "k%zu", i);
        assert_string_equal(json_string_value(json_object_get(j, key)), hostile[i]);
    }
    assert_true(json_is_null(json_object_get(j, "none")));
    json_decref(j);
    audit_detail_fini(&d);
}

/* Bytes that are not UTF-8 become U+FFFD; the valid ones around them stay. */
static void invalid_utf8_is_replaced(void **state)
{
    (void)state;
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_str(&d, "email",
                     "a\xff"
                     "b\xc3(\xe6\xbc"
                     "c\xc3\xa9\x80");
    json_t *j = parse_object(audit_detail_json(&d));
    assert_string_equal(json_string_value(json_object_get(j, "email")),
                        "a\xef\xbf\xbd"
                        "b\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd"
                        "c\xc3\xa9\xef\xbf\xbd");
    json_decref(j);
    audit_detail_fini(&d);
}

static void numbers_and_booleans(void **state)
{
    (void)state;
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, "min", LLONG_MIN);
    audit_detail_int(&d, "max", LLONG_MAX);
    audit_detail_int(&d, "zero", 0);
    audit_detail_bool(&d, "yes", true);
    audit_detail_bool(&d, "no", false);
    assert_string_equal(audit_detail_json(&d), "{\"min\":-9223372036854775808,"
                                               "\"max\":9223372036854775807,\"zero\":0,"
                                               "\"yes\":true,\"no\":false}");
    /* Asking again does not close the object a second time. */
    const char *first = audit_detail_json(&d);
    assert_ptr_equal(audit_detail_json(&d), first);
    assert_int_equal(strlen(first), 85);
    audit_detail_fini(&d);
    audit_detail_init(&d);
    assert_string_equal(audit_detail_json(&d), "{}");
    audit_detail_fini(&d);
}

/* A value far longer than any fixed buffer a detail used to be built in. */
static char *long_value(size_t n)
{
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = i % 97 == 0 ? '"' : (char)('a' + i % 26);
    s[n] = '\0';
    return s;
}

static void long_values_are_not_cut(void **state)
{
    (void)state;
    size_t len = 100000;
    char *s = long_value(len);
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_str(&d, "value", s);
    audit_detail_int(&d, "after", 42);
    json_t *j = parse_object(audit_detail_json(&d));
    assert_int_equal(strlen(json_string_value(json_object_get(j, "value"))), len);
    assert_string_equal(json_string_value(json_object_get(j, "value")), s);
    assert_int_equal(json_integer_value(json_object_get(j, "after")), 42);
    json_decref(j);
    audit_detail_fini(&d);
    free(s);
}

/* audit_record stores the whole text in a real database and frees it. */
static void record_stores_the_whole_detail(void **state)
{
    (void)state;
    char dir[] = "/tmp/latchkey-audit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[64];
    snprintf(db, sizeof(db), "%s/lk.db", dir);
    struct server srv;
    memset(&srv, 0, sizeof(srv));
    assert_int_equal(store_open(db, &srv.store), 0);
    assert_int_equal(store_migrate(srv.store, NULL), 0);

    char *s = long_value(5000);
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_str(&d, "reason", hostile[1]);
    audit_detail_str(&d, "long", s);
    audit_record(&srv, 0, 7, "test.audit", "192.0.2.1", &d);
    audit_record(&srv, 0, 7, "test.none", NULL, NULL);

    struct arena *a = arena_new();
    struct audit_filter f = {.user_id = 7, .action = "test.audit", .limit = 10};
    struct audit_entry *rows = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(store_audit_search(srv.store, a, &f, &rows, &n, &total), 0);
    assert_int_equal(n, 1);
    json_t *j = parse_object(rows[0].detail);
    assert_string_equal(json_string_value(json_object_get(j, "reason")), hostile[1]);
    assert_string_equal(json_string_value(json_object_get(j, "long")), s);
    json_decref(j);
    f.action = "test.none";
    assert_int_equal(store_audit_search(srv.store, a, &f, &rows, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_null(rows[0].detail);

    arena_free(a);
    free(s);
    store_free(srv.store);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostile_strings_round_trip),
        cmocka_unit_test(invalid_utf8_is_replaced),
        cmocka_unit_test(numbers_and_booleans),
        cmocka_unit_test(long_values_are_not_cut),
        cmocka_unit_test(record_stores_the_whole_detail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
