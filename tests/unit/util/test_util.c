/* test_util.c - arena, buf, strlist, durations, ISO-8601 (both forms). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/strlist.h"
#include "util/timeutil.h"

static void arena_allocates_and_resets(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    char *s = arena_printf(a, "%s-%d", "x", 42);
    assert_string_equal(s, "x-42");
    void *big = arena_alloc(a, 100000);
    memset(big, 1, 100000);
    assert_null(arena_strdup(a, NULL));
    assert_string_equal(arena_strndup(a, "hello", 3), "hel");
    arena_reset(a);
    assert_string_equal(arena_strdup(a, "again"), "again");
    arena_free(a);
    arena_free(NULL);
}

static void buf_grows(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i);
    assert_true(b.len > 3000);
    assert_int_equal(b.data[b.len], '\0');
    char *s = buf_steal(&b);
    assert_int_equal(strncmp(s, "0,1,2,", 6), 0);
    free(s);
    assert_null(b.data);
    buf_fini(&b);
}

static void strlist_split_trims_and_bounds(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct strlist l;
    assert_true(strlist_split(a, " hotel, activity,,flight ,deals", 10, &l));
    assert_int_equal(l.n, 4);
    assert_string_equal(l.items[0], "hotel");
    assert_string_equal(l.items[2], "flight");
    assert_true(strlist_contains(&l, "deals"));
    assert_false(strlist_contains(&l, "deal"));
    assert_false(strlist_split(a, "a,b,c", 2, &l));
    assert_true(strlist_split(a, NULL, 2, &l));
    assert_int_equal(l.n, 0);
    assert_true(strlist_split(a, " , ", 2, &l));
    assert_int_equal(l.n, 0);
    arena_free(a);
}

static void durations(void **state)
{
    (void)state;
    int64_t s;
    assert_true(time_parse_duration("30d", &s));
    assert_int_equal(s, 30 * 86400);
    assert_true(time_parse_duration("45s", &s));
    assert_int_equal(s, 45);
    assert_true(time_parse_duration("15m", &s));
    assert_int_equal(s, 900);
    assert_true(time_parse_duration("2w", &s));
    assert_int_equal(s, 14 * 86400);
    assert_true(time_parse_duration("120", &s));
    assert_int_equal(s, 120);
    assert_false(time_parse_duration("", &s));
    assert_false(time_parse_duration("d", &s));
    assert_false(time_parse_duration("10x", &s));
    assert_false(time_parse_duration("10dd", &s));
    assert_false(time_parse_duration("-5s", &s));
    assert_false(time_parse_duration("99999999999999999999d", &s));
}

static void times_parsed(void **state)
{
    (void)state;
    int64_t t;
    assert_true(time_parse("2026-12-05", &t));
    assert_int_equal(t, 1796428800);
    assert_true(time_parse("2026-12-05T22:33:13Z", &t));
    assert_int_equal(t, 1796428800 + 22 * 3600 + 33 * 60 + 13);
    assert_true(time_parse("2026-12-05T22:33:13.000000Z", &t));
    assert_int_equal(t, 1796428800 + 22 * 3600 + 33 * 60 + 13);
    assert_true(time_parse("2026-12-05T23:33:13+01:00", &t));
    assert_int_equal(t, 1796428800 + 22 * 3600 + 33 * 60 + 13);
    assert_true(time_parse("1700000000", &t));
    assert_int_equal(t, 1700000000);
    assert_false(time_parse("2026-13-05", &t));
    assert_false(time_parse("2026-12-05T22:33", &t));
    assert_false(time_parse("2026-12-05T22:33:13.Z", &t));
    assert_false(time_parse("tomorrow", &t));
    assert_false(time_parse("", &t));
}

static void iso8601(void **state)
{
    (void)state;
    char buf[32];
    time_iso8601(1777572601, buf);
    assert_string_equal(buf, "2026-04-30T18:10:01+00:00");
    time_iso8601(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00+00:00");
}

/* The hand-written formatter agrees with gmtime_r + strftime: leap days,
 * century years, the ends of its range and a spread of other seconds. */
static void iso8601_matches_strftime(void **state)
{
    (void)state;
    static const int64_t fixed[] = {
        0,          59,         86399,      86400,      951782400,      951868799,      951868800,
        4107542399, 4107542400, 1709164800, 1709251199, 253402300799LL, 253402300800LL, -1,
    };
    char got[32], want[32];
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 20000; i++) {
        int64_t t = i < sizeof(fixed) / sizeof(fixed[0])
                        ? fixed[i]
                        : (int64_t)(i * 12345679ULL % 253402300800ULL);
        time_t tt = (time_t)t;
        struct tm tm;
        assert_non_null(gmtime_r(&tt, &tm));
        assert_int_not_equal(strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S+00:00", &tm), 0);
        time_iso8601(t, got);
        assert_string_equal(got, want);
    }
}

/* Both forms of one second against gmtime_r + strftime, the reference:
 * "+00:00" (seed 004) and "Z" (seed 002, null where gmtime_r fails). */
static void check_both_forms(int64_t t)
{
    char got[32], want[32];
    time_t tt = (time_t)t;
    struct tm tm;
    bool ok = gmtime_r(&tt, &tm) != NULL;
    if (!ok) {
        time_iso8601(t, got);
        assert_string_equal(got, "");
    } else {
        assert_int_not_equal(strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S+00:00", &tm), 0);
        time_iso8601(t, got);
        if (strcmp(got, want) != 0)
            fail_msg("%lld: got %s, strftime %s", (long long)t, got, want);
        assert_int_not_equal(strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm), 0);
    }
    bool z = time_iso8601_z(t, got);
    assert_int_equal(z, ok);
    if (ok && strcmp(got, want) != 0)
        fail_msg("%lld: got %s, strftime %s", (long long)t, got, want);
    if (!ok)
        assert_string_equal(got, "");
    /* Laravel's form: the same seconds and ".000000Z" (only for four-digit
     * years, which is all a JSON time of the seeds holds). */
    char lv[40];
    bool l = time_laravel(t, lv);
    if (l) {
        assert_int_equal(strlen(lv), 27);
        assert_memory_equal(lv, got, 19);
        assert_string_equal(lv + 19, ".000000Z");
    } else {
        assert_string_equal(lv, "");
        assert_true(!ok || strlen(got) != 20);
    }
}

/* The edges the day arithmetic must get right (1970, leap days of 2000,
 * 2024 and not 2100, 2038, the end of 9999), the forms it leaves to
 * gmtime_r (before 1970, after 9999, beyond gmtime_r), and pseudo-random
 * seconds over the whole range. */
static void iso8601_z_matches_strftime(void **state)
{
    (void)state;
    static const int64_t fixed[] = {
        0,
        1,
        59,
        86399,
        86400,
        31535999,       /* 1970-12-31T23:59:59 */
        31536000,       /* 1971-01-01 */
        68169600,       /* 1972-02-29, the first leap day */
        951782400,      /* 2000-02-29 */
        951868799,      /* 2000-02-29T23:59:59 */
        951868800,      /* 2000-03-01 */
        978307199,      /* 2000-12-31T23:59:59 */
        1709164800,     /* 2024-02-29 */
        1709251199,     /* 2024-02-29T23:59:59 */
        2147483647,     /* 2038-01-19T03:14:07 */
        2147483648,     /* one second later */
        4102444800,     /* 2100-01-01 */
        4107542399,     /* 2100-02-28T23:59:59 (no leap day) */
        4107542400,     /* 2100-03-01 */
        13569465600LL,  /* 2400-01-01 */
        13574649600LL,  /* 2400-03-01, after a leap day */
        253402300799LL, /* 9999-12-31T23:59:59, the last fast second */
        253402300800LL, /* 10000-01-01: gmtime_r */
        -1,
        -86400,
        -86401,
        -2208988800LL,  /* 1900-01-01 */
        -62135596800LL, /* 0001-01-01 */
        -62167219200LL, /* 0000-01-01 */
        67767976233532799LL,
        INT64_MAX, /* beyond gmtime_r: null */
        INT64_MIN,
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        check_both_forms(fixed[i]);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        uint64_t r = x * 0x2545F4914F6CDD1DULL;
        check_both_forms((int64_t)(r % 253402300800ULL));
        if (i % 16 == 0)
            check_both_forms(-(int64_t)(r % 62167219200ULL));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_allocates_and_resets),
        cmocka_unit_test(buf_grows),
        cmocka_unit_test(times_parsed),
        cmocka_unit_test(strlist_split_trims_and_bounds),
        cmocka_unit_test(durations),
        cmocka_unit_test(iso8601),
        cmocka_unit_test(iso8601_matches_strftime),
        cmocka_unit_test(iso8601_z_matches_strftime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
