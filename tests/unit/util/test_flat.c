/* test_flat.c - one-block deep copies (util/flat) and the slot table of
 * the read caches (util/slots). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
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

static bool same_int(const void *entry, const void *item)
{
    return *(const int *)entry == *(const int *)item;
}

static int *boxed(int v)
{
    int *p = malloc(sizeof(*p));
    *p = v;
    return p;
}

/* The values in set s, 0 for an empty way. */
static void ways_of(struct slots *t, size_t s, int out[SLOTS_WAYS])
{
    void *const *ways = slots_read(t, s);
    for (size_t w = 0; w < SLOTS_WAYS; w++)
        out[w] = ways[w] != NULL ? *(const int *)ways[w] : 0;
    slots_done(t, s);
}

static void slots_fill_ways_then_replace_in_turn(void **state)
{
    (void)state;
    struct slots t;
    slots_init(&t, 5 * SLOTS_WAYS); /* rounded up to 8 sets */
    assert_int_equal(t.mask, 7);
    for (uint64_t k = 0; k < 1000; k++)
        assert_true(slots_set(&t, k) <= t.mask);
    int v[SLOTS_WAYS];
    ways_of(&t, 3, v);
    for (size_t w = 0; w < SLOTS_WAYS; w++)
        assert_int_equal(v[w], 0);
    /* Empty ways first. */
    for (int i = 1; i <= SLOTS_WAYS; i++)
        slots_put(&t, 3, boxed(i), same_int);
    ways_of(&t, 3, v);
    for (int i = 0; i < SLOTS_WAYS; i++)
        assert_int_equal(v[i], i + 1);
    /* The same key takes its own way (the old entry is freed: ASan). */
    slots_put(&t, 3, boxed(2), same_int);
    ways_of(&t, 3, v);
    assert_int_equal(v[1], 2);
    assert_int_equal(v[0] + v[1] + v[2] + v[3], 1 + 2 + 3 + 4);
    /* A full set replaces its ways in turn. */
    slots_put(&t, 3, boxed(10), same_int);
    slots_put(&t, 3, boxed(11), same_int);
    ways_of(&t, 3, v);
    assert_int_equal(v[0], 10);
    assert_int_equal(v[1], 11);
    assert_int_equal(v[2], 3);
    /* Other sets are untouched. */
    ways_of(&t, 4, v);
    assert_int_equal(v[0], 0);
    slots_fini(&t); /* frees every entry */
    slots_fini(&t); /* twice is harmless */
}

/* Entries in set s (non-empty ways). */
static int taken(struct slots *t, size_t s)
{
    int v[SLOTS_WAYS], n = 0;
    ways_of(t, s, v);
    for (size_t w = 0; w < SLOTS_WAYS; w++)
        n += v[w] != 0;
    return n;
}

static void slots_budget_bounds_the_bytes(void **state)
{
    (void)state;
    struct slots t;
    slots_init_budget(&t, 8 * SLOTS_WAYS, 30); /* room for three entries of 10 bytes */
    /* Under the budget: empty ways fill, in any set. */
    assert_true(slots_put_sized(&t, 1, boxed(1), 10, same_int));
    assert_true(slots_put_sized(&t, 1, boxed(2), 10, same_int));
    assert_true(slots_put_sized(&t, 2, boxed(3), 10, same_int));
    assert_int_equal(slots_bytes(&t), 30);
    /* Full: a key for an empty set is not kept (freed: ASan) ... */
    assert_false(slots_put_sized(&t, 5, boxed(4), 10, same_int));
    assert_int_equal(taken(&t, 5), 0);
    /* ... one for an occupied set replaces an entry instead of adding one. */
    assert_true(slots_put_sized(&t, 1, boxed(5), 10, same_int));
    assert_int_equal(taken(&t, 1), 2);
    assert_int_equal(slots_bytes(&t), 30);
    /* The same key takes its own way, whatever its new size. */
    assert_true(slots_put_sized(&t, 2, boxed(3), 4, same_int));
    assert_int_equal(slots_bytes(&t), 24);
    /* Room again: an empty way is used. */
    assert_true(slots_put_sized(&t, 5, boxed(6), 6, same_int));
    assert_int_equal(slots_bytes(&t), 30);
    /* An entry larger than the whole budget is never kept. */
    assert_false(slots_put_sized(&t, 6, boxed(7), 31, same_int));
    assert_int_equal(slots_bytes(&t), 30);
    slots_fini(&t);

    /* Without a budget the sizes are not counted, and every put is kept. */
    slots_init(&t, 8);
    assert_true(slots_put_sized(&t, 0, boxed(1), 1000, same_int));
    assert_int_equal(slots_bytes(&t), 0);
    slots_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counting_then_copying_fills_the_block_exactly),
        cmocka_unit_test(slots_fill_ways_then_replace_in_turn),
        cmocka_unit_test(slots_budget_bounds_the_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
