/*
 * test_redis.c - the Redis client and its counter script against a real
 * redis-server (LATCHKEY_TEST_REDIS_URL; scripts/run-tests.sh starts a
 * private one when it is unset). Without it the tests that need a server
 * are skipped (reported as skipped, not passed). The timeout tests need no
 * server.
 *
 * Keys carry the pid and a start time, so runs never see each other's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "core/ratelimit.h"
#include "kv/redis.h"
#include "util/err.h"
#include "util/timeutil.h"

static struct redis_url test_url;
static bool have_redis;
static char run_id[64];

/* A key unique to this run: "lktest:<pid>:<t>:<name>". */
static void key_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "lktest:%s:%s", run_id, name);
}

/* Skips the calling test when there is no test server. */
#define NEED_REDIS()                                                                               \
    do {                                                                                           \
        if (!have_redis) {                                                                         \
            print_message("LATCHKEY_TEST_REDIS_URL unset: skipped\n");                             \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* A plain hiredis connection to the test server's db, to look behind the client. */
static redisContext *raw_connect(unsigned db)
{
    struct timeval tv = {1, 0};
    redisContext *c = redisConnectWithTimeout(test_url.host, test_url.port, tv);
    assert_non_null(c);
    assert_int_equal(c->err, 0);
    if (test_url.password[0] != '\0') {
        redisReply *r = test_url.user[0] != '\0'
                            ? redisCommand(c, "AUTH %s %s", test_url.user, test_url.password)
                            : redisCommand(c, "AUTH %s", test_url.password);
        assert_non_null(r);
        freeReplyObject(r);
    }
    redisReply *r = redisCommand(c, "SELECT %u", db);
    assert_non_null(r);
    assert_int_not_equal(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    return c;
}

static long long raw_int(redisContext *c, const char *cmd, const char *key)
{
    redisReply *r = redisCommand(c, "%s %s", cmd, key);
    assert_non_null(r);
    long long v = -999;
    if (r->type == REDIS_REPLY_INTEGER)
        v = r->integer;
    else if (r->type == REDIS_REPLY_STRING)
        v = atoll(r->str);
    else if (r->type == REDIS_REPLY_NIL)
        v = -1;
    freeReplyObject(r);
    return v;
}

static void raw_do(redisContext *c, const char *cmd)
{
    redisReply *r = redisCommand(c, cmd);
    assert_non_null(r);
    assert_int_not_equal(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
}

static void script_counts_to_the_limit_then_refuses(void **state)
{
    (void)state;
    NEED_REDIS();
    char key[128];
    key_of(key, sizeof(key), "count");
    struct redis *r = redis_new(&test_url, 500);
    struct redis_counter c;
    int64_t last_ttl = 5001;
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(redis_counter_hit(r, key, 3, 5000, &c, NULL, 0), 0);
        assert_true(c.allowed);
        assert_int_equal(c.count, i);
        assert_true(c.ttl_ms > 4000 && c.ttl_ms <= last_ttl);
        last_ttl = c.ttl_ms;
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(redis_counter_hit(r, key, 3, 5000, &c, NULL, 0), 0);
        assert_false(c.allowed);
        assert_int_equal(c.count, 3);
        assert_true(c.ttl_ms > 0 && c.ttl_ms <= last_ttl);
    }
    redisContext *raw = raw_connect(test_url.db);
    assert_int_equal(raw_int(raw, "GET", key), 3); /* refused hits were not counted */
    long long pttl = raw_int(raw, "PTTL", key);
    assert_true(pttl > 0 && pttl <= 5000);
    raw_do(raw, "PING");
    redisFree(raw);
    redis_free(r);
}

/* The login throttle's peek is a hit with limit 0 (never counted, never
 * creating the key); its clear is DEL. */
static void peek_with_limit_zero_and_del(void **state)
{
    (void)state;
    NEED_REDIS();
    char key[128];
    key_of(key, sizeof(key), "peek");
    struct redis *r = redis_new(&test_url, 500);
    struct redis_counter c;
    redisContext *raw = raw_connect(test_url.db);
    assert_int_equal(redis_counter_hit(r, key, 0, 5000, &c, NULL, 0), 0);
    assert_false(c.allowed);
    assert_int_equal(c.count, 0);
    assert_int_equal(raw_int(raw, "EXISTS", key), 0);
    assert_int_equal(redis_counter_hit(r, key, 5, 5000, &c, NULL, 0), 0);
    assert_int_equal(redis_counter_hit(r, key, 5, 5000, &c, NULL, 0), 0);
    assert_int_equal(redis_counter_hit(r, key, 0, 5000, &c, NULL, 0), 0);
    assert_int_equal(c.count, 2);
    assert_true(c.ttl_ms > 0 && c.ttl_ms <= 5000);
    assert_int_equal(raw_int(raw, "GET", key), 2);
    assert_int_equal(redis_del(r, key, NULL, 0), 0);
    assert_int_equal(raw_int(raw, "EXISTS", key), 0);
    assert_int_equal(redis_del(r, key, NULL, 0), 0); /* deleting nothing is fine */
    redisFree(raw);
    redis_free(r);
}

static void window_ends_with_the_key(void **state)
{
    (void)state;
    NEED_REDIS();
    char key[128];
    key_of(key, sizeof(key), "window");
    struct redis *r = redis_new(&test_url, 500);
    struct redis_counter c;
    assert_int_equal(redis_counter_hit(r, key, 1, 300, &c, NULL, 0), 0);
    assert_true(c.allowed);
    assert_true(c.ttl_ms > 0 && c.ttl_ms <= 300);
    assert_int_equal(redis_counter_hit(r, key, 1, 300, &c, NULL, 0), 0);
    assert_false(c.allowed);
    usleep(400 * 1000);
    assert_int_equal(redis_counter_hit(r, key, 1, 300, &c, NULL, 0), 0);
    assert_true(c.allowed);
    assert_int_equal(c.count, 1);
    redis_free(r);
}

/* A counter left without an expiry (by hand, or a crashed client) gets one. */
static void key_without_expiry_is_repaired(void **state)
{
    (void)state;
    NEED_REDIS();
    char key[128];
    key_of(key, sizeof(key), "noexpiry");
    redisContext *raw = raw_connect(test_url.db);
    redisReply *rep = redisCommand(raw, "SET %s 7", key);
    freeReplyObject(rep);
    assert_int_equal(raw_int(raw, "PTTL", key), -1);
    struct redis *r = redis_new(&test_url, 500);
    struct redis_counter c;
    assert_int_equal(redis_counter_hit(r, key, 3, 3000, &c, NULL, 0), 0);
    assert_false(c.allowed);
    assert_int_equal(c.count, 7);
    assert_int_equal(c.ttl_ms, 3000);
    long long pttl = raw_int(raw, "PTTL", key);
    assert_true(pttl > 0 && pttl <= 3000);

    /* Below the limit, the same repair happens on the increment. */
    rep = redisCommand(raw, "SET %s 1", key);
    freeReplyObject(rep);
    assert_int_equal(redis_counter_hit(r, key, 3, 3000, &c, NULL, 0), 0);
    assert_true(c.allowed);
    assert_int_equal(c.count, 2);
    assert_true(raw_int(raw, "PTTL", key) > 0);
    redisFree(raw);
    redis_free(r);
}

/* After SCRIPT FLUSH (or a Redis restart), EVALSHA answers NOSCRIPT and the
 * client falls back to EVAL, which caches the script again. */
static void noscript_falls_back_to_eval(void **state)
{
    (void)state;
    NEED_REDIS();
    char key[128];
    key_of(key, sizeof(key), "noscript");
    struct redis *r = redis_new(&test_url, 500);
    struct redis_counter c;
    assert_int_equal(redis_counter_hit(r, key, 10, 5000, &c, NULL, 0), 0);
    redisContext *raw = raw_connect(test_url.db);
    redisReply *rep = redisCommand(raw, "SCRIPT LOAD %s", redis_counter_script);
    assert_int_equal(rep->type, REDIS_REPLY_STRING);
    char sha[48];
    snprintf(sha, sizeof(sha), "%s", rep->str);
    freeReplyObject(rep);
    raw_do(raw, "SCRIPT FLUSH");
    rep = redisCommand(raw, "SCRIPT EXISTS %s", sha);
    assert_int_equal(rep->element[0]->integer, 0);
    freeReplyObject(rep);

    assert_int_equal(redis_counter_hit(r, key, 10, 5000, &c, NULL, 0), 0);
    assert_true(c.allowed);
    assert_int_equal(c.count, 2);
    rep = redisCommand(raw, "SCRIPT EXISTS %s", sha);
    assert_int_equal(rep->element[0]->integer, 1);
    freeReplyObject(rep);
    redisFree(raw);
    redis_free(r);
}

/* The db of the URL is the one written to. */
static void db_of_the_url_is_selected(void **state)
{
    (void)state;
    NEED_REDIS();
    char key[128];
    key_of(key, sizeof(key), "db");
    struct redis_url u = test_url;
    u.db = test_url.db == 9 ? 10 : 9;
    struct redis *r = redis_new(&u, 500);
    struct redis_counter c;
    assert_int_equal(redis_counter_hit(r, key, 10, 5000, &c, NULL, 0), 0);
    redisContext *raw = raw_connect(u.db);
    assert_int_equal(raw_int(raw, "GET", key), 1);
    redisFree(raw);
    raw = raw_connect(test_url.db);
    assert_int_equal(raw_int(raw, "EXISTS", key), 0);
    redisFree(raw);
    redis_free(r);

    /* A db the server does not have is an error with Redis's reason. */
    u.db = 65000;
    r = redis_new(&u, 500);
    char why[128] = "";
    assert_int_equal(redis_counter_hit(r, key, 10, 5000, &c, why, sizeof(why)), ERR_UNAVAILABLE);
    assert_non_null(strstr(why, "SELECT"));
    redis_free(r);
}

/* AUTH user password (an ACL user made for the test); a wrong password fails
 * with Redis's reason, which never contains the password. */
static void auth_with_user_and_password(void **state)
{
    (void)state;
    NEED_REDIS();
    if (test_url.password[0] != '\0')
        skip(); /* the server already has its own AUTH set-up */
    char user[96], key[128];
    snprintf(user, sizeof(user), "lktest-%s", run_id);
    key_of(key, sizeof(key), "auth");
    redisContext *raw = raw_connect(test_url.db);
    redisReply *rep = redisCommand(raw, "ACL SETUSER %s on >Sekret-Pw1 ~lktest:* +@all", user);
    assert_non_null(rep);
    assert_int_not_equal(rep->type, REDIS_REPLY_ERROR);
    freeReplyObject(rep);

    struct redis_url u = test_url;
    snprintf(u.user, sizeof(u.user), "%s", user);
    snprintf(u.password, sizeof(u.password), "Sekret-Pw1");
    struct redis *r = redis_new(&u, 500);
    struct redis_counter c;
    char why[128] = "";
    assert_int_equal(redis_counter_hit(r, key, 10, 5000, &c, why, sizeof(why)), 0);
    assert_int_equal(c.count, 1);
    redis_free(r);

    snprintf(u.password, sizeof(u.password), "Wrong-Pw-42");
    r = redis_new(&u, 500);
    assert_int_equal(redis_counter_hit(r, key, 10, 5000, &c, why, sizeof(why)), ERR_UNAVAILABLE);
    assert_non_null(strstr(why, "AUTH"));
    assert_null(strstr(why, "Wrong-Pw-42"));
    assert_int_equal(redis_ping(r, why, sizeof(why)), ERR_UNAVAILABLE);
    redis_free(r);

    rep = redisCommand(raw, "ACL DELUSER %s", user);
    freeReplyObject(rep);
    redisFree(raw);
}

/* rate_remote.hit over the client, as server.c wires it. */
static int rate_hit(void *ctx, const char *key, uint32_t limit, uint32_t window_ms,
                    struct rate_remote_reply *out)
{
    struct redis_counter c;
    int rc = redis_counter_hit(ctx, key, limit, window_ms, &c, out->why, sizeof(out->why));
    if (rc == 0) {
        out->count = c.count;
        out->ttl_ms = c.ttl_ms;
        out->allowed = c.allowed;
    }
    return rc;
}

struct race {
    struct redis *r;
    const char *key;
    int allowed;
};

static void *racer(void *arg)
{
    struct race *ra = arg;
    for (int i = 0; i < 50; i++) {
        struct redis_counter c;
        if (redis_counter_hit(ra->r, ra->key, 100, 10000, &c, NULL, 0) == 0 && c.allowed)
            ra->allowed++;
    }
    return NULL;
}

/* Four threads, 200 hits, limit 100: exactly 100 get through (one atomic
 * script per hit, no lost or double counts), over a shared pool. */
static void concurrent_hits_are_atomic(void **state)
{
    (void)state;
    NEED_REDIS();
    char key[128];
    key_of(key, sizeof(key), "race");
    struct redis *r = redis_new(&test_url, 1000);
    pthread_t t[4];
    struct race ra[4];
    for (int i = 0; i < 4; i++) {
        ra[i] = (struct race){.r = r, .key = key};
        assert_int_equal(pthread_create(&t[i], NULL, racer, &ra[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        total += ra[i].allowed;
    }
    assert_int_equal(total, 100);
    redisContext *raw = raw_connect(test_url.db);
    assert_int_equal(raw_int(raw, "GET", key), 100);
    redisFree(raw);
    redis_free(r);
}

/* Two limiters (two instances) over the same Redis count together, and
 * their headers come from Redis's TTL. */
static void two_instances_share_counts(void **state)
{
    (void)state;
    NEED_REDIS();
    char bucket[32];
    snprintf(bucket, sizeof(bucket), "t%d", (int)getpid());
    struct redis *r1 = redis_new(&test_url, 500);
    struct redis *r2 = redis_new(&test_url, 500);
    const struct rate_remote rem1 = {.name = "redis", .hit = rate_hit, .ctx = r1};
    const struct rate_remote rem2 = {.name = "redis", .hit = rate_hit, .ctx = r2};
    struct ratelimit *a = ratelimit_new(), *b = ratelimit_new();
    ratelimit_set_remote(a, &rem1, RATELIMIT_RETRY_MS);
    ratelimit_set_remote(b, &rem2, RATELIMIT_RETRY_MS);
    char key[80];
    snprintf(key, sizeof(key), "ip:%s", run_id);
    struct rate_result res;
    int64_t before = time_now();
    for (uint32_t i = 0; i < 5; i++) {
        ratelimit_hit(i % 2 ? b : a, bucket, key, 5, 60, time_now(), &res);
        assert_true(res.allowed);
        assert_int_equal(res.remaining, 4 - i);
        assert_true(res.reset_at >= before + 59 && res.reset_at <= time_now() + 61);
    }
    ratelimit_hit(b, bucket, key, 5, 60, time_now(), &res);
    assert_false(res.allowed);
    assert_true(res.retry_after >= 59 && res.retry_after <= 60);
    ratelimit_hit(a, bucket, key, 5, 60, time_now(), &res);
    assert_false(res.allowed);
    assert_int_equal(ratelimit_store(a, false), RATE_STORE_REMOTE);

    redisContext *raw = raw_connect(test_url.db);
    char rk[160];
    snprintf(rk, sizeof(rk), "%s%s|%s", RATELIMIT_KEY_PREFIX, bucket, key);
    assert_int_equal(raw_int(raw, "GET", rk), 5);
    redisFree(raw);
    ratelimit_free(a);
    ratelimit_free(b);
    redis_free(r1);
    redis_free(r2);
}

/* A port nothing listens on: refused at once. */
static void unreachable_fails_fast(void **state)
{
    (void)state;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
    close(s);
    struct redis_url u = {.host = "127.0.0.1", .port = ntohs(sa.sin_port)};
    struct redis *r = redis_new(&u, 200);
    struct redis_counter c;
    char why[128] = "";
    int64_t t0 = time_mono_ms();
    assert_int_equal(redis_counter_hit(r, "k", 1, 1000, &c, why, sizeof(why)), ERR_UNAVAILABLE);
    assert_true(time_mono_ms() - t0 < 200);
    assert_true(why[0] != '\0');
    assert_int_equal(redis_ping(r, why, sizeof(why)), ERR_UNAVAILABLE);
    redis_free(r);
}

/* A server that accepts (the kernel's backlog does) but never answers: the
 * command times out after timeout_ms instead of stalling the request. */
static void silent_server_times_out(void **state)
{
    (void)state;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(s, 8), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
    struct redis_url u = {.host = "127.0.0.1", .port = ntohs(sa.sin_port)};
    struct redis *r = redis_new(&u, 150);
    struct redis_counter c;
    char why[128] = "";
    int64_t t0 = time_mono_ms();
    assert_int_equal(redis_counter_hit(r, "k", 1, 1000, &c, why, sizeof(why)), ERR_UNAVAILABLE);
    int64_t ms = time_mono_ms() - t0;
    assert_true(ms >= 140 && ms < 1000);
    redis_free(r);
    close(s);
}

/* With the ratelimit in front: a dead Redis means memory counts, fast. */
static void dead_redis_falls_back_to_memory(void **state)
{
    (void)state;
    struct redis_url u = {.host = "127.0.0.1", .port = 1};
    struct redis *r = redis_new(&u, 200);
    struct rate_remote rem = {.name = "redis", .hit = rate_hit, .ctx = r};
    struct ratelimit *rl = ratelimit_new();
    ratelimit_set_remote(rl, &rem, RATELIMIT_RETRY_MS);
    struct rate_result res;
    for (uint32_t i = 0; i < 3; i++) {
        ratelimit_hit(rl, "b", "k", 3, 60, 1000, &res);
        assert_true(res.allowed);
        assert_int_equal(res.remaining, 2 - i);
        assert_int_equal(res.reset_at, 1060); /* memory: the caller's clock */
    }
    ratelimit_hit(rl, "b", "k", 3, 60, 1000, &res);
    assert_false(res.allowed);
    assert_int_equal(ratelimit_store(rl, false), RATE_STORE_FALLBACK);
    ratelimit_free(rl);
    redis_free(r);
}

static int setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    snprintf(run_id, sizeof(run_id), "%d:%lld", (int)getpid(), (long long)time_now_ms());
    const char *url = getenv("LATCHKEY_TEST_REDIS_URL");
    have_redis = url != NULL && *url != '\0';
    if (have_redis && !config_parse_redis_url(url, &test_url)) {
        fprintf(stderr, "LATCHKEY_TEST_REDIS_URL is not a redis:// URL: %s\n", url);
        return -1;
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(script_counts_to_the_limit_then_refuses),
        cmocka_unit_test(window_ends_with_the_key),
        cmocka_unit_test(peek_with_limit_zero_and_del),
        cmocka_unit_test(key_without_expiry_is_repaired),
        cmocka_unit_test(noscript_falls_back_to_eval),
        cmocka_unit_test(db_of_the_url_is_selected),
        cmocka_unit_test(auth_with_user_and_password),
        cmocka_unit_test(concurrent_hits_are_atomic),
        cmocka_unit_test(two_instances_share_counts),
        cmocka_unit_test(unreachable_fails_fast),
        cmocka_unit_test(silent_server_times_out),
        cmocka_unit_test(dead_redis_falls_back_to_memory),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
