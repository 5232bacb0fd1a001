/*
 * test_validate.c - the validator's errors and Laravel's default 422 body:
 * errors per field in the order recorded, the top-level message "first
 * error (and N more error[s])", and storage in the arena it is given
 * (field names and messages copied there, nothing to finish).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "surfaces/validate.h"
#include "util/arena.h"

/* v's Laravel body, compact, against want. */
static void check_body(const struct validator *v, const char *want)
{
    json_t *body = validate_body(v);
    char *got = json_dumps(body, JSON_COMPACT);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    json_decref(body);
}

static void no_errors(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct validator v;
    validator_init_arena(&v, a, NULL);
    assert_false(validate_failed(&v));
    check_body(&v, "{\"message\":\"The given data was invalid.\",\"errors\":{}}");
    arena_free(a);
}

static void one_error(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct validator v;
    validator_init_arena(&v, a, NULL);
    validate_add(&v, "email", "The email field is required.");
    assert_true(validate_failed(&v));
    assert_string_equal(validate_message(&v), "The email field is required.");
    check_body(&v, "{\"message\":\"The email field is required.\",\"errors\":{\"email\":[\"The "
                   "email field is required.\"]}}");
    arena_free(a);
}

/* Fields keep the order of their first error; a field's messages the
 * order they came in; the count is over all messages. */
static void several_errors(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct validator v;
    validator_init_arena(&v, a, NULL);
    validate_add(&v, "password", "P1");
    validate_add(&v, "email", "E1");
    assert_string_equal(validate_message(&v), "P1 (and 1 more error)");
    for (int i = 2; i <= 5; i++) {
        char msg[8];
        snprintf(msg, sizeof(msg), "P%d", i);
        validate_add(&v, "password", msg);
    }
    validate_add(&v, "email", "E2");
    assert_string_equal(validate_message(&v), "P1 (and 6 more errors)");
    check_body(&v, "{\"message\":\"P1 (and 6 more errors)\",\"errors\":{\"password\":[\"P1\","
                   "\"P2\",\"P3\",\"P4\",\"P5\"],\"email\":[\"E1\",\"E2\"]}}");
    arena_free(a);
}

/* Names and messages are copied into the arena: a caller's buffer may
 * change or go away after validate_add. */
static void copies_into_the_arena(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct validator v;
    validator_init_arena(&v, a, NULL);
    char field[16] = "per_page", msg[32] = "The per page is bad.";
    validate_add(&v, field, msg);
    memset(field, 'x', sizeof(field) - 1);
    memset(msg, 'y', sizeof(msg) - 1);
    check_body(&v, "{\"message\":\"The per page is bad.\",\"errors\":{\"per_page\":[\"The per "
                   "page is bad.\"]}}");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_errors),
        cmocka_unit_test(one_error),
        cmocka_unit_test(several_errors),
        cmocka_unit_test(copies_into_the_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
