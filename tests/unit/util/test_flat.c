/* test_flat.c - one-block deep copies (util/flat) and the slot table of
 * the read caches (util/slots). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/flat.h"
#include "util/slots.h"

struct pair {
    const char *name;
    const char *none;
    struct strlist tags;
    struct strlist empty;
};

static void flatten_pair(struct flat *f, struct pair *dst, const struct pair *src)
{
    *dst = *src;
    dst->name = flat_str(f, src->name);
    dst->none = flat_str(f, src->none);
    flat_list(f, &dst->tags);
    flat_list(f, &dst->empty);
}

static void counting_then_copying_fills_the_block_exactly(void **state)
{
    (void)state;
    const char *tags[] = {"a", "bb", "ccc"};
    char name[] = "a name";
    struct pair src = {.name = name, .tags = {tags, 3}, .empty = {NULL, 0}};
    struct flat count = {.base = NULL, .used = 0};
    struct pair scratch;
    flatten_pair(&count, &scratch, &src);
    assert_null(scratch.name);
    assert_true(count.used > 0 && count.used % FLAT_ALIGN == 0);

    char *block = malloc(count.used);
    struct flat f = {.base = block, .used = 0};
    struct pair copy;
    flatten_pair(&f, &copy, &src);
    assert_int_equal(f.used, count.used);
    name[0] = 'X'; /* the copy does not share the source's bytes */
    assert_string_equal(copy.name, "a name");
    assert_null(copy.none);
    assert_int_equal(copy.tags.n, 3);
    assert_string_equal(copy.tags.items[2], "ccc");
    assert_true((char *)copy.tags.items >= block && (char *)copy.tags.items < block + f.used);
    assert_null(copy.empty.items);
    assert_int_equal(copy.empty.n, 0);
    assert_int_equal(flat_round(1), FLAT_ALIGN);
    assert_int_equal(flat_round(FLAT_ALIGN), FLAT_ALIGN);
    free(block);
}

static void slots_replace_and_free_their_entries(void **state)
{
    (void)state;
    struct slots t;
    slots_init(&t, 5); /* rounded up to 8 */
    assert_int_equal(t.mask, 7);
    for (uint64_t k = 0; k < 1000; k++)
        assert_true(slots_index(&t, k) <= t.mask);
    assert_null(slots_read(&t, 3));
    slots_done(&t, 3);
    int *one = malloc(sizeof(*one)), *two = malloc(sizeof(*two));
    *one = 1;
    *two = 2;
    slots_put(&t, 3, one);
    const int *got = slots_read(&t, 3);
    assert_int_equal(*got, 1);
    slots_done(&t, 3);
    slots_put(&t, 3, two); /* frees one (a leak would show under ASan) */
    got = slots_read(&t, 3);
    assert_int_equal(*got, 2);
    slots_done(&t, 3);
    slots_fini(&t); /* frees two */
    slots_fini(&t); /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counting_then_copying_fills_the_block_exactly),
        cmocka_unit_test(slots_replace_and_free_their_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
