/* test_jsonw.c - the jansson-free JSON writer and canonical-form check,
 * against jansson itself (the reference they must match byte for byte). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/jsonw.h"
#include "util/strlist.h"

static const char *const strings[] = {
    "",
    "plain",
    "quote \" backslash \\ slash /",
    "\b\f\n\r\t",
    "\x01\x1f\x7f",
    "caf\xc3\xa9 \xe6\xbc\xa2 \xf0\x9f\x98\x80",
    "<script>&amp;</script>",
};

/* The writer gives json_dumps(JSON_COMPACT) of the same values. */
static void writer_matches_jansson(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    struct jw w;
    jw_init(&w, &b);
    json_t *ref = json_object();
    jw_obj_begin(&w);
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%zu", i);
        jw_key(&w, key);
        jw_str(&w, strings[i]);
        json_object_set_new(ref, key, json_string(strings[i]));
    }
    jw_key(&w, "key \"with\" escapes\n");
    jw_int(&w, -9223372036854775807LL - 1);
    json_object_set_new(ref, "key \"with\" escapes\n", json_integer(INT64_MIN));
    jw_key(&w, "nothing");
    jw_str_or_null(&w, NULL);
    json_object_set_new(ref, "nothing", json_null());
    jw_key(&w, "nested");
    jw_arr_begin(&w);
    jw_obj_begin(&w);
    jw_obj_end(&w);
    jw_arr_begin(&w);
    jw_arr_end(&w);
    jw_int(&w, 0);
    jw_raw(&w, "{\"a\":[1,true]}", 14);
    jw_arr_end(&w);
    json_object_set_new(ref, "nested", json_pack("[{}, [], i, {s:[i,b]}]", 0, "a", 1, 1));
    JW_KEY(&w, "literal_key");
    jw_bool(&w, true);
    json_object_set_new(ref, "literal_key", json_true());
    jw_key(&w, "literal_key2");
    jw_bool(&w, false);
    json_object_set_new(ref, "literal_key2", json_false());
    const char *items[] = {"a", "caf\xc3\xa9", "\"q\""};
    struct strlist list = {.items = items, .n = 3};
    JW_KEY(&w, "list");
    jw_strlist(&w, &list);
    json_object_set_new(ref, "list", json_pack("[s,s,s]", items[0], items[1], items[2]));
    JW_KEY(&w, "empty_list");
    list.n = 0;
    jw_strlist(&w, &list);
    json_object_set_new(ref, "empty_list", json_array());
    jw_obj_end(&w);
    assert_true(w.ok);
    char *want = json_dumps(ref, JSON_COMPACT);
    assert_string_equal(b.data, want);
    free(want);
    json_decref(ref);
    buf_fini(&b);
}

/* What jansson would refuse to write, the writer still writes as valid
 * JSON (each byte that starts no valid UTF-8 sequence as U+FFFD, NULL as
 * null) and flags. */
static void writer_flags_what_jansson_refuses(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"\xc3", "\"\xef\xbf\xbd\""},
        {"\xc0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\""},
        {"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
        {"\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
        {"\x80", "\"\xef\xbf\xbd\""},
        {"ok\xff", "\"ok\xef\xbf\xbd\""},
        {"\xe2\x82 \"caf\xc3\xa9\"\n\xe2\x82\xac\xe2",
         "\"\xef\xbf\xbd\xef\xbf\xbd \\\"caf\xc3\xa9\\\"\\n"
         "\xe2\x82\xac\xef\xbf\xbd\""},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct buf b;
        buf_init(&b);
        struct jw w;
        jw_init(&w, &b);
        jw_str(&w, bad[i][0]);
        assert_false(w.ok);
        assert_string_equal(b.data, bad[i][1]);
        json_t *parsed = json_loads(b.data, JSON_DECODE_ANY, NULL);
        assert_non_null(parsed);
        json_decref(parsed);
        assert_null(json_string(bad[i][0]));
        assert_false(utf8_valid(bad[i][0], strlen(bad[i][0])));
        buf_fini(&b);
    }
    struct buf b;
    buf_init(&b);
    struct jw w;
    jw_init(&w, &b);
    jw_str(&w, NULL);
    assert_false(w.ok);
    assert_string_equal(b.data, "null");
    buf_fini(&b);
}

/* Long strings, plain and escaped, written into buffers of every starting
 * size: the in-place copies and the growth path give the same text. */
static void writer_grows_the_buffer(void **state)
{
    (void)state;
    char plain[3000], mixed[3000];
    for (size_t i = 0; i < sizeof(plain) - 1; i++) {
        plain[i] = (char)('a' + i % 26);
        mixed[i] = i % 7 == 0 ? '"' : (i % 11 == 0 ? '\n' : (char)('A' + i % 26));
    }
    plain[sizeof(plain) - 1] = '\0';
    mixed[sizeof(mixed) - 1] = '\0';
    json_t *ref = json_pack("[s,s,i,s]", plain, mixed, 1234567, plain);
    char *want = json_dumps(ref, JSON_COMPACT);
    for (size_t pre = 0; pre < 300; pre += 7) {
        struct buf b;
        buf_init(&b);
        if (pre > 0)
            buf_reserve(&b, pre);
        struct jw w;
        jw_init(&w, &b);
        jw_arr_begin(&w);
        jw_str(&w, plain);
        jw_str(&w, mixed);
        jw_int(&w, 1234567);
        jw_str(&w, plain);
        jw_arr_end(&w);
        assert_true(w.ok);
        assert_int_equal(b.len, strlen(want));
        assert_string_equal(b.data, want);
        buf_fini(&b);
    }
    free(want);
    json_decref(ref);
}

static int members;

static void count_member(const char *key, size_t klen, const char *v, size_t vlen, void *ctx)
{
    (void)key;
    (void)klen;
    (void)v;
    (void)vlen;
    (void)ctx;
    members++;
}

/* Whenever the check says "canonical", jansson's round trip is the
 * identity; the refusals are the forms it would change (or reject). */
static void canonical_means_round_trip(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "{}",
        "{\"a\":1}",
        "{\"language\":\"en\",\"currency\":\"USD\"}",
        "{\"a\":{\"b\":[1,-2,\"x\",null,true,false,{}]},\"c\":[]}",
        "{\"vacation_pool_balance\":\"150.00\",\"hotel_card_redeems_left\":2}",
        "{\"u\":\"caf\xc3\xa9\",\"n\":123456789012345678}",
    };
    static const char *const no[] = {
        "",
        "[]",
        "{ }",
        "{\"a\": 1}",
        "{\"a\":1.5}",
        "{\"a\":1e3}",
        "{\"a\":-0}",
        "{\"a\":01}",
        "{\"a\":\"\\n\"}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":1}x",
        "{\"a\":tru}",
        "{\"a\":1234567890123456789}",
        "{\"a\":\"\xc3\"}",
        "{\"a\":\"x\x01\"}",
        "{\"a\":[1,]}",
        "{\"a\":}",
    };
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        members = 0;
        assert_true(json_canonical_object(yes[i], strlen(yes[i]), count_member, NULL));
        json_t *j = json_loads(yes[i], 0, NULL);
        assert_non_null(j);
        assert_int_equal((size_t)members, json_object_size(j));
        char *again = json_dumps(j, JSON_COMPACT);
        assert_string_equal(again, yes[i]);
        free(again);
        json_decref(j);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        assert_false(json_canonical_object(no[i], strlen(no[i]), NULL, NULL));
    /* Nesting deeper than JW_MAX_DEPTH is left to jansson. */
    char deep[8 * (JW_MAX_DEPTH + 2)];
    size_t n = 0;
    for (int i = 0; i <= JW_MAX_DEPTH; i++)
        n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{\"a\":");
    deep[n++] = '1';
    for (int i = 0; i <= JW_MAX_DEPTH; i++)
        deep[n++] = '}';
    assert_false(json_canonical_object(deep, n, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writer_matches_jansson),
        cmocka_unit_test(writer_flags_what_jansson_refuses),
        cmocka_unit_test(writer_grows_the_buffer),
        cmocka_unit_test(canonical_means_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
