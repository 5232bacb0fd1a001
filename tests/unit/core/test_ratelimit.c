/* test_ratelimit.c - fixed-window arithmetic and the striped table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/ratelimit.h"
#include "util/err.h"

static void window_counts_down_then_refuses(void **state)
{
    (void)state;
    int64_t start = 0;
    uint32_t count = 0;
    struct rate_result r;
    for (uint32_t i = 1; i <= 3; i++) {
        ratelimit_window(&start, &count, 3, 60, 1000, &r);
        assert_true(r.allowed);
        assert_int_equal(r.limit, 3);
        assert_int_equal(r.remaining, 3 - i);
        assert_int_equal(r.reset_at, 1060);
        assert_int_equal(r.retry_after, 0);
    }
    ratelimit_window(&start, &count, 3, 60, 1010, &r);
    assert_false(r.allowed);
    assert_int_equal(r.remaining, 0);
    assert_int_equal(r.retry_after, 50);
    assert_int_equal(count, 3); /* a refused hit is not counted */
}

static void window_resets_after_expiry(void **state)
{
    (void)state;
    int64_t start = 0;
    uint32_t count = 0;
    struct rate_result r;
    ratelimit_window(&start, &count, 1, 10, 500, &r);
    assert_true(r.allowed);
    ratelimit_window(&start, &count, 1, 10, 509, &r);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after, 1);
    ratelimit_window(&start, &count, 1, 10, 510, &r);
    assert_true(r.allowed);
    assert_int_equal(r.reset_at, 520);
}

static void clock_going_backwards_starts_a_new_window(void **state)
{
    (void)state;
    int64_t start = 0;
    uint32_t count = 0;
    struct rate_result r;
    ratelimit_window(&start, &count, 1, 60, 1000, &r);
    ratelimit_window(&start, &count, 1, 60, 900, &r);
    assert_true(r.allowed);
    assert_int_equal(r.reset_at, 960);
}

static void table_keys_are_independent(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    struct rate_result r;
    ratelimit_hit(rl, "login", "ip:1.2.3.4", 1, 60, 100, &r);
    assert_true(r.allowed);
    ratelimit_hit(rl, "login", "ip:1.2.3.4", 1, 60, 100, &r);
    assert_false(r.allowed);
    ratelimit_hit(rl, "login", "ip:1.2.3.5", 1, 60, 100, &r);
    assert_true(r.allowed);
    ratelimit_hit(rl, "token", "ip:1.2.3.4", 1, 60, 100, &r);
    assert_true(r.allowed);
    ratelimit_free(rl);
}

/* Laravel's LoginRequest: peek before the attempt, hit on a failure,
 * clear on success. */
static void peek_and_clear(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    struct rate_result r;
    ratelimit_peek(rl, "web_login", "a@x|1.2.3.4", 2, 60, 100, &r);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 2);
    ratelimit_peek(rl, "web_login", "a@x|1.2.3.4", 2, 60, 100, &r);
    assert_int_equal(r.remaining, 2); /* a peek counts nothing */
    ratelimit_hit(rl, "web_login", "a@x|1.2.3.4", 2, 60, 100, &r);
    ratelimit_peek(rl, "web_login", "a@x|1.2.3.4", 2, 60, 110, &r);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 1);
    ratelimit_hit(rl, "web_login", "a@x|1.2.3.4", 2, 60, 110, &r);
    ratelimit_peek(rl, "web_login", "a@x|1.2.3.4", 2, 60, 120, &r);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after, 40);
    ratelimit_peek(rl, "web_login", "b@x|1.2.3.4", 2, 60, 120, &r);
    assert_true(r.allowed);
    ratelimit_clear(rl, "web_login", "a@x|1.2.3.4");
    ratelimit_clear(rl, "web_login", "never@x|1.2.3.4");
    ratelimit_peek(rl, "web_login", "a@x|1.2.3.4", 2, 60, 121, &r);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 2);
    ratelimit_hit(rl, "web_login", "a@x|1.2.3.4", 2, 60, 121, &r);
    assert_int_equal(r.remaining, 1);
    ratelimit_free(rl);
}

static void table_grows_and_keeps_counts(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    struct rate_result r;
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "ip:%d", i);
        ratelimit_hit(rl, "b", key, 2, 60, 100, &r);
        assert_true(r.allowed);
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "ip:%d", i);
        ratelimit_hit(rl, "b", key, 2, 60, 100, &r);
        assert_true(r.allowed);
        assert_int_equal(r.remaining, 0);
        ratelimit_hit(rl, "b", key, 2, 60, 100, &r);
        assert_false(r.allowed);
    }
    /* After the window, expired entries are dropped when the table grows. */
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "new:%d", i);
        ratelimit_hit(rl, "b", key, 2, 60, 1000, &r);
        assert_true(r.allowed);
    }
    ratelimit_free(rl);
}

static void long_keys_are_truncated_safely(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new();
    struct rate_result r;
    char key[1024];
    for (size_t i = 0; i < sizeof(key) - 1; i++)
        key[i] = 'k';
    key[sizeof(key) - 1] = '\0';
    ratelimit_hit(rl, "a-very-long-bucket-name-that-goes-on-and-on", key, 1, 60, 1, &r);
    assert_true(r.allowed);
    ratelimit_free(rl);
}

static void remote_answer_becomes_headers(void **state)
{
    (void)state;
    struct rate_result r;
    struct rate_remote_reply rep = {.count = 3, .ttl_ms = 1500, .allowed = true};
    ratelimit_from_remote(&rep, 5, 1000000400, &r);
    assert_true(r.allowed);
    assert_int_equal(r.limit, 5);
    assert_int_equal(r.remaining, 2);
    assert_int_equal(r.reset_at, 1000002); /* 1000001.9 rounded up: never early */
    assert_int_equal(r.retry_after, 0);

    rep = (struct rate_remote_reply){.count = 5, .ttl_ms = 1500, .allowed = false};
    ratelimit_from_remote(&rep, 5, 1000000400, &r);
    assert_false(r.allowed);
    assert_int_equal(r.remaining, 0);
    assert_int_equal(r.retry_after, 2);

    rep = (struct rate_remote_reply){.count = 5, .ttl_ms = 60000, .allowed = false};
    ratelimit_from_remote(&rep, 5, 1000000000, &r);
    assert_int_equal(r.reset_at, 1000060);
    assert_int_equal(r.retry_after, 60);

    /* An expiry in the same millisecond still asks for one second. */
    rep = (struct rate_remote_reply){.count = 9, .ttl_ms = 0, .allowed = false};
    ratelimit_from_remote(&rep, 5, 1000000000, &r);
    assert_int_equal(r.retry_after, 1);
    assert_int_equal(r.remaining, 0);

    /* The last allowed hit leaves 0; a count past the limit never wraps. */
    rep = (struct rate_remote_reply){.count = 7, .ttl_ms = 10, .allowed = true};
    ratelimit_from_remote(&rep, 5, 0, &r);
    assert_int_equal(r.remaining, 0);
}

/* A shared store the test switches on and off. */
struct fake_store {
    bool up;
    int hits;  /* calls to hit() */
    int pings; /* calls to ping() */
    int64_t count;
    char last_key[256];
};

static int fake_hit(void *ctx, const char *key, uint32_t limit, uint32_t window_ms,
                    struct rate_remote_reply *out)
{
    struct fake_store *f = ctx;
    f->hits++;
    if (!f->up) {
        snprintf(out->why, sizeof(out->why), "Connection \"refused\"");
        return ERR_UNAVAILABLE;
    }
    snprintf(f->last_key, sizeof(f->last_key), "%s", key);
    out->ttl_ms = window_ms;
    out->allowed = f->count < (int64_t)limit;
    if (out->allowed)
        f->count++;
    out->count = f->count;
    return 0;
}

static int fake_ping(void *ctx, char *why, size_t whylen)
{
    struct fake_store *f = ctx;
    f->pings++;
    if (!f->up)
        snprintf(why, whylen, "down");
    return f->up ? 0 : ERR_UNAVAILABLE;
}

/* A shared store that counts like the Redis script (a refused hit counts
 * nothing), for peek (a hit with limit 0) and clear. */
struct script_store {
    int64_t count;
    int clears;
};

static int script_hit(void *ctx, const char *key, uint32_t limit, uint32_t window_ms,
                      struct rate_remote_reply *out)
{
    (void)key;
    (void)window_ms;
    struct script_store *st = ctx;
    out->allowed = st->count < (int64_t)limit;
    if (out->allowed)
        st->count++;
    out->count = st->count;
    out->ttl_ms = 30000;
    return 0;
}

static int script_clear(void *ctx, const char *key, char *why, size_t whylen)
{
    (void)key;
    (void)why;
    (void)whylen;
    struct script_store *st = ctx;
    st->count = 0;
    st->clears++;
    return 0;
}

static void remote_peek_and_clear(void **state)
{
    (void)state;
    struct script_store st = {0};
    const struct rate_remote remote = {
        .name = "fake", .hit = script_hit, .clear = script_clear, .ctx = &st};
    struct ratelimit *rl = ratelimit_new();
    ratelimit_set_remote(rl, &remote, 1000);
    struct rate_result r;
    ratelimit_peek(rl, "web_login", "k", 2, 60, 0, &r);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 2);
    assert_int_equal(st.count, 0);
    ratelimit_hit(rl, "web_login", "k", 2, 60, 0, &r);
    ratelimit_hit(rl, "web_login", "k", 2, 60, 0, &r);
    ratelimit_peek(rl, "web_login", "k", 2, 60, 0, &r);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after, 30);
    assert_int_equal(st.count, 2);
    ratelimit_clear(rl, "web_login", "k");
    assert_int_equal(st.clears, 1);
    ratelimit_peek(rl, "web_login", "k", 2, 60, 0, &r);
    assert_true(r.allowed);
    ratelimit_free(rl);
}

/* Sends stderr (where the log goes) to a temporary file until stderr_end. */
static int stderr_begin(char path[64])
{
    snprintf(path, 64, "/tmp/latchkey-test-log.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fd, 2) >= 0);
    close(fd);
    return saved;
}

/* Restores stderr; returns what was written (owned). */
static char *stderr_end(int saved, const char *path)
{
    fflush(stderr);
    assert_true(dup2(saved, 2) >= 0);
    close(saved);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *text = calloc(1, 65536);
    assert_non_null(text);
    size_t n = fread(text, 1, 65535, f);
    text[n] = '\0';
    fclose(f);
    unlink(path);
    return text;
}

static int occurrences(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Counts in the store, falls back to memory when it fails (one log line),
 * retries it only every retry_ms, and goes back to it (one log line). */
static void fallback_state_machine(void **state)
{
    (void)state;
    struct fake_store f = {.up = true, .count = 50};
    const struct rate_remote remote = {
        .name = "fake", .hit = fake_hit, .ping = fake_ping, .ctx = &f};
    struct ratelimit *rl = ratelimit_new();
    ratelimit_set_remote(rl, &remote, 500);
    struct rate_result r;
    char path[64];
    int saved = stderr_begin(path);

    /* Up: the store counts (its count started at 50). */
    ratelimit_hit(rl, "login", "ip:1", 100, 60, 100, &r);
    assert_int_equal(f.hits, 1);
    assert_string_equal(f.last_key, "latchkey:rl:login|ip:1");
    assert_int_equal(r.remaining, 49);
    assert_int_equal(ratelimit_store(rl, false), RATE_STORE_REMOTE);

    /* Down: this hit tried the store, then memory counted it. */
    f.up = false;
    ratelimit_hit(rl, "login", "ip:1", 100, 60, 100, &r);
    assert_int_equal(f.hits, 2);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 99);
    assert_int_equal(ratelimit_store(rl, false), RATE_STORE_FALLBACK);

    /* Before the retry is due, nothing waits on the store. */
    for (int i = 0; i < 10; i++)
        ratelimit_hit(rl, "login", "ip:1", 100, 60, 100, &r);
    assert_int_equal(f.hits, 2);
    assert_int_equal(r.remaining, 89);
    assert_int_equal(ratelimit_store(rl, true), RATE_STORE_FALLBACK);
    assert_int_equal(f.pings, 0);

    /* Due: one hit retries, still down, still memory, no new log line. */
    usleep(550 * 1000);
    ratelimit_hit(rl, "login", "ip:1", 100, 60, 100, &r);
    ratelimit_hit(rl, "login", "ip:1", 100, 60, 100, &r);
    assert_int_equal(f.hits, 3);
    assert_int_equal(r.remaining, 87);

    /* Back up: noticed at the next due retry, then the store counts again. */
    f.up = true;
    ratelimit_hit(rl, "login", "ip:1", 100, 60, 100, &r);
    assert_int_equal(f.hits, 3);
    assert_int_equal(r.remaining, 86);
    usleep(550 * 1000);
    ratelimit_hit(rl, "login", "ip:1", 100, 60, 100, &r);
    assert_int_equal(f.hits, 4);
    assert_int_equal(r.remaining, 48);
    assert_int_equal(ratelimit_store(rl, false), RATE_STORE_REMOTE);
    ratelimit_hit(rl, "login", "ip:1", 100, 60, 100, &r);
    assert_int_equal(f.hits, 5);
    assert_int_equal(r.remaining, 47);

    char *log = stderr_end(saved, path);
    assert_int_equal(occurrences(log, "event=ratelimit_store_down"), 1);
    assert_int_equal(occurrences(log, "event=ratelimit_store_up"), 1);
    assert_int_equal(occurrences(log, "\n"), 2);
    assert_non_null(strstr(log, "level=warn event=ratelimit_store_down store=fake "
                                "err=\"Connection 'refused'\" fallback=memory retry_ms=500"));
    assert_non_null(strstr(log, "level=info event=ratelimit_store_up store=fake"));
    free(log);
    ratelimit_free(rl);
}

/* ratelimit_store(probe) pings a store that is up, and one that is down only
 * when its retry is due; a failed ping switches to memory like a failed hit. */
static void probe_follows_the_same_rules(void **state)
{
    (void)state;
    struct fake_store f = {.up = true};
    const struct rate_remote remote = {
        .name = "fake", .hit = fake_hit, .ping = fake_ping, .ctx = &f};
    struct ratelimit *rl = ratelimit_new();
    assert_int_equal(ratelimit_store(rl, true), RATE_STORE_MEMORY);
    assert_string_equal(ratelimit_store_str(RATE_STORE_MEMORY), "memory");
    ratelimit_set_remote(rl, &remote, 500);
    char path[64];
    int saved = stderr_begin(path);
    assert_int_equal(ratelimit_store(rl, true), RATE_STORE_REMOTE);
    assert_int_equal(f.pings, 1);
    f.up = false;
    assert_int_equal(ratelimit_store(rl, true), RATE_STORE_FALLBACK);
    assert_int_equal(ratelimit_store(rl, true), RATE_STORE_FALLBACK);
    assert_int_equal(f.pings, 2);
    struct rate_result r;
    ratelimit_hit(rl, "b", "k", 5, 60, 100, &r);
    assert_int_equal(f.hits, 0);
    f.up = true;
    usleep(550 * 1000);
    assert_int_equal(ratelimit_store(rl, true), RATE_STORE_REMOTE);
    assert_int_equal(f.pings, 3);
    char *log = stderr_end(saved, path);
    assert_int_equal(occurrences(log, "event=ratelimit_store_down"), 1);
    assert_int_equal(occurrences(log, "event=ratelimit_store_up"), 1);
    assert_string_equal(ratelimit_store_str(RATE_STORE_REMOTE), "up");
    assert_string_equal(ratelimit_store_str(RATE_STORE_FALLBACK), "down");
    free(log);
    ratelimit_free(rl);
}

/* Per-IP keys (issue 16): an IPv6 client counts as its /64. */
static void addresses_bucket_ipv6_by_64(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"192.0.2.1", "192.0.2.1"},
        {"2001:db8:1:2::1", "2001:db8:1:2::/64"},
        {"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
        {"2001:DB8:1:2::abcd", "2001:db8:1:2::/64"},
        {"2001:db8:1:3::1", "2001:db8:1:3::/64"},
        {"::1", "::/64"},
        {"::ffff:192.0.2.7", "192.0.2.7"},
        {"not an address", "not an address"},
        {"", ""},
    };
    char out[RATELIMIT_ADDR_MAX];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ratelimit_addr_key(cases[i][0], out);
        assert_string_equal(out, cases[i][1]);
    }
    ratelimit_addr_key(NULL, out);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(window_counts_down_then_refuses),
        cmocka_unit_test(window_resets_after_expiry),
        cmocka_unit_test(clock_going_backwards_starts_a_new_window),
        cmocka_unit_test(table_keys_are_independent),
        cmocka_unit_test(peek_and_clear),
        cmocka_unit_test(remote_peek_and_clear),
        cmocka_unit_test(table_grows_and_keeps_counts),
        cmocka_unit_test(long_keys_are_truncated_safely),
        cmocka_unit_test(remote_answer_becomes_headers),
        cmocka_unit_test(fallback_state_machine),
        cmocka_unit_test(probe_follows_the_same_rules),
        cmocka_unit_test(addresses_bucket_ipv6_by_64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
