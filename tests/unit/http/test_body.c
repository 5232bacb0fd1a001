/*
 * test_body.c - the body parsers: JSON with the depth pre-scan, duplicate
 * keys and object-only top level; application/x-www-form-urlencoded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/http_int.h"

static json_t *parse_json(const char *s)
{
    return http_body_parse_json(s, strlen(s));
}

static json_t *parse_form(const char *s)
{
    return http_body_parse_form(s, strlen(s));
}

/* depth levels of [ (or {) in a row, then as many closers. */
static void nest(char *out, unsigned depth, char open, char close)
{
    size_t n = 0;
    for (unsigned i = 0; i < depth; i++)
        out[n++] = open;
    for (unsigned i = 0; i < depth; i++)
        out[n++] = close;
    out[n] = '\0';
}

static void test_depth_scan(void **state)
{
    char buf[256];
    (void)state;
    nest(buf, 32, '[', ']');
    assert_true(http_json_depth_ok(buf, strlen(buf), 32));
    nest(buf, 33, '[', ']');
    assert_false(http_json_depth_ok(buf, strlen(buf), 32));
    nest(buf, 40, '{', '}');
    assert_false(http_json_depth_ok(buf, strlen(buf), 32));

    /* Brackets inside strings do not count, escaped quotes included. */
    const char *s = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[[[[\"}";
    assert_true(http_json_depth_ok(s, strlen(s), 2));
    const char *t = "{\"a\\\\\":[[[]]]}";
    assert_true(http_json_depth_ok(t, strlen(t), 4));
    assert_false(http_json_depth_ok(t, strlen(t), 3));

    /* Depth is the maximum at any point, not the count of openers. */
    const char *u = "[[],[],[],[],[]]";
    assert_true(http_json_depth_ok(u, strlen(u), 2));
}

static void test_json(void **state)
{
    char buf[256];
    (void)state;
    json_t *v = parse_json("{\"email\":\"a@b.c\",\"n\":1,\"o\":{\"x\":[1,2]}}");
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "email")), "a@b.c");
    json_decref(v);

    v = parse_json("  {}  ");
    assert_non_null(v);
    json_decref(v);

    /* An object 32 deep in total is fine; 33 is not. */
    snprintf(buf, sizeof(buf), "{\"a\":");
    nest(buf + strlen(buf), 31, '[', ']');
    strcat(buf, "}");
    v = parse_json(buf);
    assert_non_null(v);
    json_decref(v);
    snprintf(buf, sizeof(buf), "{\"a\":");
    nest(buf + strlen(buf), 32, '[', ']');
    strcat(buf, "}");
    assert_null(parse_json(buf));

    assert_null(parse_json(""));
    assert_null(parse_json("{"));
    assert_null(parse_json("{\"a\":1,}"));
    assert_null(parse_json("[1,2]"));
    assert_null(parse_json("\"str\""));
    assert_null(parse_json("42"));
    assert_null(parse_json("null"));
    assert_null(parse_json("{\"a\":1,\"a\":2}"));
    assert_null(parse_json("{\"a\":1} {\"b\":2}"));
    assert_null(parse_json("{\"a\":\"\\u0000\"}"));
    assert_null(parse_json("{\"a\":\"\xff\"}"));

    /* Embedded NUL bytes in the raw body. */
    assert_null(http_body_parse_json("{\"a\":1}\0", 8));
}

static void test_form(void **state)
{
    (void)state;
    json_t *v = parse_form("email=a%40b.c&password=p%26ss+word%21&x=1&x=2&flag&=skip&&");
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "email")), "a@b.c");
    assert_string_equal(json_string_value(json_object_get(v, "password")), "p&ss word!");
    assert_string_equal(json_string_value(json_object_get(v, "x")), "2");
    assert_string_equal(json_string_value(json_object_get(v, "flag")), "");
    assert_int_equal(json_object_size(v), 4);
    json_decref(v);

    /* Stray or bad escapes stay literal; keys are decoded too. */
    v = parse_form("a%=100%&b=%zz&c=%4&na%6De=x%C3%A9");
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "a%")), "100%");
    assert_string_equal(json_string_value(json_object_get(v, "b")), "%zz");
    assert_string_equal(json_string_value(json_object_get(v, "c")), "%4");
    assert_string_equal(json_string_value(json_object_get(v, "name")), "x\xc3\xa9");
    json_decref(v);

    v = parse_form("");
    assert_non_null(v);
    assert_int_equal(json_object_size(v), 0);
    json_decref(v);

    /* NUL bytes and invalid UTF-8 are refused, in keys and values. */
    assert_null(parse_form("a=%00"));
    assert_null(parse_form("%00=a"));
    assert_null(parse_form("a=%FF"));
    assert_null(parse_form("%FF=a"));
}

/* name[] collects an array, as PHP reads a form. */
static void test_form_arrays(void **state)
{
    (void)state;
    json_t *v =
        parse_form("abilities[]=VIEW+LEADS&name=k&abilities%5B%5D=CREATE+LEADS&abilities[]=");
    assert_non_null(v);
    json_t *arr = json_object_get(v, "abilities");
    assert_true(json_is_array(arr));
    assert_int_equal(json_array_size(arr), 3);
    assert_string_equal(json_string_value(json_array_get(arr, 0)), "VIEW LEADS");
    assert_string_equal(json_string_value(json_array_get(arr, 1)), "CREATE LEADS");
    assert_string_equal(json_string_value(json_array_get(arr, 2)), "");
    assert_string_equal(json_string_value(json_object_get(v, "name")), "k");
    assert_null(json_object_get(v, "abilities[]"));
    json_decref(v);

    /* A plain key after the array replaces it; an array after a plain key
     * replaces the string; "[]" alone is an ordinary key. */
    v = parse_form("a[]=1&a=2&b=1&b[]=2&[]=x");
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "a")), "2");
    json_t *b = json_object_get(v, "b");
    assert_true(json_is_array(b));
    assert_int_equal(json_array_size(b), 1);
    assert_string_equal(json_string_value(json_array_get(b, 0)), "2");
    assert_string_equal(json_string_value(json_object_get(v, "[]")), "x");
    json_decref(v);

    assert_null(parse_form("a[]=%FF"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_depth_scan),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_form_arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
