/* test_config.c - LATCHKEY_* parsing and validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"

/* A fake environment: NULL-terminated name/value pairs. */
static const char *fake_env(const char *name, void *ctx)
{
    const char *const *kv = ctx;
    for (; kv[0] != NULL; kv += 2) {
        if (strcmp(kv[0], name) == 0)
            return kv[1];
    }
    return NULL;
}

static int load(const char *const *env, struct config *c, char *err)
{
    return config_load(c, fake_env, (void *)(uintptr_t)env, err, 256);
}

/* Each {name, value} alone fails to load, with an error naming it. */
static void refuses_each(const char *const (*bad)[2], size_t n)
{
    struct config c;
    char err[256];
    for (size_t i = 0; i < n; i++) {
        const char *e[] = {bad[i][0], bad[i][1], NULL};
        err[0] = '\0';
        assert_int_not_equal(load(e, &c, err), 0);
        assert_non_null(strstr(err, bad[i][0]));
        config_fini(&c);
    }
}

static void defaults_match_the_design(void **state)
{
    (void)state;
    const char *env[] = {NULL};
    struct config c;
    char err[256];
    assert_int_equal(load(env, &c, err), 0);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_string_equal(c.database_url, "./var/latchkey.db");
    assert_null(c.redis_url);
    assert_string_equal(c.public_url, "http://127.0.0.1:8080");
    assert_string_equal(c.mail_driver, "log");
    assert_string_equal(c.mail_from, "latchkey@localhost");
    assert_string_equal(c.admin_email, "admin@localhost");
    assert_int_equal(c.log_level, LOG_INFO);
    assert_int_equal(c.log_flush_ms, 100);
    assert_int_equal(c.auth_cache, 262144);
    assert_int_equal(c.auth_cache_bytes, (size_t)64 << 20);
    assert_true(c.threads >= 1);
    assert_int_equal(c.body_limit, 65536);
    assert_int_equal(c.argon2_mem, 64 * 1024 * 1024);
    assert_int_equal(c.per_ip_connections, 64);
    assert_int_equal(c.head_timeout_ms, 10000);
    const struct rate_rule *r = config_rate(&c, "token");
    assert_non_null(r);
    assert_int_equal(r->limit, 10);
    assert_int_equal(r->window_s, 60);
    assert_null(config_rate(&c, "nope"));
    config_fini(&c);
}

static void values_are_read(void **state)
{
    (void)state;
    const char *env[] = {"LATCHKEY_LISTEN",
                         "[::1]:9000",
                         "LATCHKEY_RATE_TOKEN",
                         "3/min",
                         "LATCHKEY_PUBLIC_URL",
                         "https://auth.example.com/",
                         "LATCHKEY_THREADS",
                         "4",
                         "LATCHKEY_LOG_LEVEL",
                         "debug",
                         "LATCHKEY_LOG_FLUSH_MS",
                         "0",
                         "LATCHKEY_AUTH_CACHE",
                         "0",
                         "LATCHKEY_AUTH_CACHE_MB",
                         "3",
                         "LATCHKEY_HEADER_TIMEOUT_MS",
                         "2500",
                         NULL};
    struct config c;
    char err[256];
    assert_int_equal(load(env, &c, err), 0);
    assert_string_equal(c.listen_host, "::1");
    assert_int_equal(c.listen_port, 9000);
    assert_string_equal(c.public_url, "https://auth.example.com");
    assert_int_equal(c.threads, 4);
    assert_int_equal(c.log_level, LOG_DEBUG);
    assert_int_equal(c.log_flush_ms, 0);
    assert_int_equal(c.auth_cache, 0);
    assert_int_equal(c.auth_cache_bytes, (size_t)3 << 20);
    assert_int_equal(c.head_timeout_ms, 2500);
    assert_int_equal(config_rate(&c, "token")->limit, 3);
    assert_int_equal(config_rate(&c, "token")->window_s, 60);
    config_fini(&c);
}

static void bad_values_are_refused_by_name(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"LATCHKEY_LISTEN", "nocolon"},     {"LATCHKEY_LISTEN", "h:99999"},
        {"LATCHKEY_LISTEN", ":80"},         {"LATCHKEY_THREADS", "0"},
        {"LATCHKEY_THREADS", "abc"},        {"LATCHKEY_THREADS", "99999999999999999999"},
        {"LATCHKEY_RATE_TOKEN", "ten/min"}, {"LATCHKEY_RATE_TOKEN", "0/60"},
        {"LATCHKEY_RATE_TOKEN", "5"},       {"LATCHKEY_MAIL_DRIVER", "carrier-pigeon"},
        {"LATCHKEY_LOG_LEVEL", "loud"},     {"LATCHKEY_PUBLIC_URL", "ftp://x"},
        {"LATCHKEY_REDIS_URL", "http://x"}, {"LATCHKEY_TOKEN_PREFIX", "bad prefix"},
        {"LATCHKEY_BODY_LIMIT", "1"},       {"LATCHKEY_ADMIN_EMAIL", "nobody"},
        {"LATCHKEY_LOG_FLUSH_MS", "10001"}, {"LATCHKEY_AUTH_CACHE", "-1"},
        {"LATCHKEY_AUTH_CACHE", "1048577"}, {"LATCHKEY_AUTH_CACHE_MB", "65537"},
        {"LATCHKEY_AUTH_CACHE_MB", "-1"},   {"LATCHKEY_HEADER_TIMEOUT_MS", "99"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *env[] = {cases[i][0], cases[i][1], NULL};
        struct config c;
        char err[256] = "";
        assert_int_not_equal(load(env, &c, err), 0);
        assert_non_null(strstr(err, cases[i][0]));
        config_fini(&c);
    }
}

static void smtp_driver_needs_url(void **state)
{
    (void)state;
    const char *env[] = {"LATCHKEY_MAIL_DRIVER", "smtp", NULL};
    struct config c;
    char err[256] = "";
    assert_int_not_equal(load(env, &c, err), 0);
    assert_non_null(strstr(err, "LATCHKEY_SMTP_URL"));
    config_fini(&c);
}

static void rate_forms(void **state)
{
    (void)state;
    uint32_t l, w;
    assert_true(config_parse_rate("10/60", &l, &w));
    assert_int_equal(l, 10);
    assert_int_equal(w, 60);
    assert_true(config_parse_rate("100/hour", &l, &w));
    assert_int_equal(w, 3600);
    assert_true(config_parse_rate("5/s", &l, &w));
    assert_int_equal(w, 1);
    assert_false(config_parse_rate("/60", &l, &w));
    assert_false(config_parse_rate("10/", &l, &w));
    assert_false(config_parse_rate("10/0", &l, &w));
    assert_false(config_parse_rate("10/fortnight", &l, &w));
}

/* Seed 002: login 5/min, register 3/min, everything else 60/min; JWT
 * lifetime and audience. */
static void autocom_defaults_and_overrides(void **state)
{
    (void)state;
    const char *none[] = {NULL};
    struct config c;
    char err[256] = "";
    assert_int_equal(load(none, &c, err), 0);
    assert_int_equal(config_rate(&c, "login")->limit, 5);
    assert_int_equal(config_rate(&c, "login")->window_s, 60);
    assert_int_equal(config_rate(&c, "register")->limit, 3);
    assert_int_equal(config_rate(&c, "api")->limit, 60);
    assert_int_equal(c.jwt_ttl_s, 3600);
    assert_string_equal(c.jwt_audience, "latchkey");
    config_fini(&c);

    const char *env[] = {"LATCHKEY_RATE_LOGIN",
                         "7/min",
                         "LATCHKEY_RATE_API",
                         "100/hour",
                         "LATCHKEY_JWT_TTL",
                         "900",
                         "LATCHKEY_JWT_AUDIENCE",
                         "shop-api",
                         NULL};
    assert_int_equal(load(env, &c, err), 0);
    assert_int_equal(config_rate(&c, "login")->limit, 7);
    assert_int_equal(config_rate(&c, "api")->window_s, 3600);
    assert_int_equal(c.jwt_ttl_s, 900);
    assert_string_equal(c.jwt_audience, "shop-api");
    config_fini(&c);

    static const char *const bad[][2] = {
        {"LATCHKEY_JWT_TTL", "0"},
        {"LATCHKEY_JWT_TTL", "99999999"},
        {"LATCHKEY_JWT_AUDIENCE", "bad\x01aud"},
        {"LATCHKEY_RATE_REGISTER", "x"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *e[] = {bad[i][0], bad[i][1], NULL};
        assert_int_not_equal(load(e, &c, err), 0);
        assert_non_null(strstr(err, bad[i][0]));
        config_fini(&c);
    }
}

static void redis_url_forms(void **state)
{
    (void)state;
    struct redis_url u;
    assert_true(config_parse_redis_url("redis://127.0.0.1:6380/2", &u));
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 6380);
    assert_int_equal(u.db, 2);
    assert_string_equal(u.user, "");
    assert_string_equal(u.password, "");
    assert_true(config_parse_redis_url("redis://cache.internal", &u));
    assert_string_equal(u.host, "cache.internal");
    assert_int_equal(u.port, 6379);
    assert_int_equal(u.db, 0);
    assert_true(config_parse_redis_url("redis://localhost:6379/", &u));
    assert_int_equal(u.db, 0);
    assert_true(config_parse_redis_url("redis://[::1]:7000/15", &u));
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 7000);
    assert_int_equal(u.db, 15);
    assert_true(config_parse_redis_url("redis://[::1]", &u));
    assert_int_equal(u.port, 6379);
    assert_true(config_parse_redis_url("redis://:s3cr%40t@h:1/0", &u));
    assert_string_equal(u.user, "");
    assert_string_equal(u.password, "s3cr@t");
    assert_string_equal(u.host, "h");
    assert_true(config_parse_redis_url("redis://app:p:w@h/3", &u));
    assert_string_equal(u.user, "app");
    assert_string_equal(u.password, "p:w");
    assert_int_equal(u.db, 3);

    static const char *const bad[] = {
        "redis://",        "redis://:6379",  "redis://h:0",     "redis://h:65536",
        "redis://h:abc",   "redis://h:",     "redis://h/x",     "redis://h/1/2",
        "redis://h/65536", "redis://h/-1",   "redis://h?db=1",  "redis://h#x",
        "redis://user@h",  "redis://:@h",    "redis://:a%zz@h", "redis://:a%00@h",
        "redis://[::1",    "redis://[::1]x", "redis://[zz]:1",  "redis://h h",
        "rediss://h",      "http://h",       "redis://h:1:2",   "redis://h/99999999999",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (config_parse_redis_url(bad[i], &u))
            fail_msg("accepted %s", bad[i]);
        assert_string_equal(u.password, "");
    }
}

static void redis_variables(void **state)
{
    (void)state;
    const char *env[] = {"LATCHKEY_REDIS_URL", "redis://:pw@10.0.0.5:6390/4",
                         "LATCHKEY_REDIS_TIMEOUT_MS", "150", NULL};
    struct config c;
    char err[256] = "";
    assert_int_equal(load(env, &c, err), 0);
    assert_string_equal(c.redis_url, "redis://:pw@10.0.0.5:6390/4");
    assert_string_equal(c.redis.host, "10.0.0.5");
    assert_int_equal(c.redis.port, 6390);
    assert_int_equal(c.redis.db, 4);
    assert_string_equal(c.redis.password, "pw");
    assert_int_equal(c.redis_timeout_ms, 150);
    config_fini(&c);

    const char *none[] = {NULL};
    assert_int_equal(load(none, &c, err), 0);
    assert_int_equal(c.redis_timeout_ms, 200);
    assert_string_equal(c.redis.host, "");
    config_fini(&c);

    static const char *const bad[][2] = {
        {"LATCHKEY_REDIS_URL", "redis://h:99999/0"},
        {"LATCHKEY_REDIS_URL", "redis://h/abc"},
        {"LATCHKEY_REDIS_TIMEOUT_MS", "5"},
        {"LATCHKEY_REDIS_TIMEOUT_MS", "60001"},
    };
    refuses_each(bad, sizeof(bad) / sizeof(bad[0]));
}

static void session_variables(void **state)
{
    (void)state;
    struct config c;
    char err[256] = "";
    const char *none[] = {NULL};
    assert_int_equal(load(none, &c, err), 0);
    assert_int_equal(c.session_idle_s, 120 * 60);
    assert_int_equal(c.session_lifetime_s, 1440 * 60);
    assert_non_null(config_rate(&c, "web_login"));
    assert_int_equal(config_rate(&c, "web_login")->limit, 5);
    config_fini(&c);
    const char *env[] = {"LATCHKEY_SESSION_IDLE_MINUTES", "5", "LATCHKEY_SESSION_LIFETIME_MINUTES",
                         "30", NULL};
    assert_int_equal(load(env, &c, err), 0);
    assert_int_equal(c.session_idle_s, 300);
    assert_int_equal(c.session_lifetime_s, 1800);
    config_fini(&c);
    static const char *const bad[][2] = {
        {"LATCHKEY_SESSION_IDLE_MINUTES", "0"},
        {"LATCHKEY_SESSION_IDLE_MINUTES", "2h"},
        {"LATCHKEY_SESSION_LIFETIME_MINUTES", "525601"},
    };
    refuses_each(bad, sizeof(bad) / sizeof(bad[0]));
}

/* Prune's schedule and retentions (issue 18): defaults, durations, 0 = off. */
static void prune_variables(void **state)
{
    (void)state;
    struct config c;
    char err[256] = "";
    const char *none[] = {NULL};
    assert_int_equal(load(none, &c, err), 0);
    assert_int_equal(c.prune_interval_s, 3600);
    assert_int_equal(c.prune_after_s, 86400);
    assert_int_equal(c.audit_retention_s, 0);
    config_fini(&c);
    const char *env[] = {"LATCHKEY_PRUNE_INTERVAL",
                         "0",
                         "LATCHKEY_PRUNE_AFTER",
                         "7d",
                         "LATCHKEY_AUDIT_RETENTION",
                         "90d",
                         NULL};
    assert_int_equal(load(env, &c, err), 0);
    assert_int_equal(c.prune_interval_s, 0);
    assert_int_equal(c.prune_after_s, 7 * 86400);
    assert_int_equal(c.audit_retention_s, 90 * 86400);
    config_fini(&c);
    static const char *const bad[][2] = {
        {"LATCHKEY_PRUNE_INTERVAL", "1y"},
        {"LATCHKEY_PRUNE_INTERVAL", "-1"},
        {"LATCHKEY_PRUNE_AFTER", "soon"},
        {"LATCHKEY_AUDIT_RETENTION", "90 days"},
    };
    refuses_each(bad, sizeof(bad) / sizeof(bad[0]));
}

static void trusted_proxies_list(void **state)
{
    (void)state;
    struct netaddr list[CONFIG_MAX_TRUSTED_PROXIES];
    size_t n = 99;
    assert_true(config_parse_proxies("", list, 4, &n));
    assert_int_equal(n, 0);
    assert_true(config_parse_proxies("  ", list, 4, &n));
    assert_int_equal(n, 0);
    assert_true(config_parse_proxies("127.0.0.1, 10.0.0.0/8 ,::1", list, 4, &n));
    assert_int_equal(n, 3);
    assert_int_equal(list[1].bits, 8);
    assert_false(config_parse_proxies("127.0.0.1,", list, 4, &n));
    assert_false(config_parse_proxies(",127.0.0.1", list, 4, &n));
    assert_false(config_parse_proxies("127.0.0.1,,::1", list, 4, &n));
    assert_false(config_parse_proxies("127.0.0.1 ::1", list, 4, &n));
    assert_false(config_parse_proxies("proxy.internal", list, 4, &n));
    assert_false(config_parse_proxies("1.1.1.1,2.2.2.2,3.3.3.3", list, 2, &n));

    const char *env[] = {"LATCHKEY_TRUSTED_PROXIES", "10.0.0.0/8,fd00::/8", NULL};
    struct config c;
    char err[256] = "";
    assert_int_equal(load(env, &c, err), 0);
    assert_int_equal(c.n_trusted_proxies, 2);
    config_fini(&c);
    const char *none[] = {NULL};
    assert_int_equal(load(none, &c, err), 0);
    assert_int_equal(c.n_trusted_proxies, 0);
    config_fini(&c);
    const char *bad[] = {"LATCHKEY_TRUSTED_PROXIES", "10.0.0.0/33", NULL};
    assert_int_not_equal(load(bad, &c, err), 0);
    assert_non_null(strstr(err, "LATCHKEY_TRUSTED_PROXIES"));
    config_fini(&c);
}

static void mail_and_admin_variables(void **state)
{
    (void)state;
    struct config c;
    char err[256];
    const char *none[] = {NULL};
    assert_int_equal(load(none, &c, err), 0);
    assert_string_equal(c.mail_dir, "./var/mail");
    assert_string_equal(c.mail_from_name, "latchkey");
    assert_string_equal(c.smtp_tls, "auto");
    assert_null(c.smtp_ca_file);
    assert_int_equal(c.smtp_timeout_s, 30);
    assert_int_equal(c.mail_retries, 5);
    assert_int_equal(c.admin_token_ttl_s, 86400);
    assert_int_equal(c.clock_offset_s, 0);
    const struct rate_rule *r = config_rate(&c, "admin_login");
    assert_non_null(r);
    assert_int_equal(r->limit, 5);
    assert_non_null(config_rate(&c, "admin_reset_email"));
    config_fini(&c);

    const char *env[] = {"LATCHKEY_DATABASE_URL",
                         "sqlite:/data/lk/auth.db",
                         "LATCHKEY_MAIL_DRIVER",
                         "smtp",
                         "LATCHKEY_SMTP_URL",
                         "smtps://u:p@mail.example.com:465",
                         "LATCHKEY_SMTP_TLS",
                         "require",
                         "LATCHKEY_ADMIN_TOKEN_TTL",
                         "12h",
                         "LATCHKEY_TEST_CLOCK_OFFSET",
                         "1d",
                         NULL};
    assert_int_equal(load(env, &c, err), 0);
    assert_string_equal(c.mail_dir, "/data/lk/mail");
    assert_string_equal(c.smtp_tls, "require");
    assert_int_equal(c.admin_token_ttl_s, 12 * 3600);
    assert_int_equal(c.clock_offset_s, 86400);
    config_fini(&c);

    const char *pg[] = {"LATCHKEY_DATABASE_URL", "postgres://x@y/z", "LATCHKEY_MAIL_DIR", "/m",
                        NULL};
    assert_int_equal(load(pg, &c, err), 0);
    assert_string_equal(c.mail_dir, "/m");
    config_fini(&c);

    const char *bad[][3] = {
        {"LATCHKEY_SMTP_URL", "http://mail.example.com", "LATCHKEY_SMTP_URL"},
        {"LATCHKEY_SMTP_TLS", "maybe", "LATCHKEY_SMTP_TLS"},
        {"LATCHKEY_ADMIN_TOKEN_TTL", "0", "LATCHKEY_ADMIN_TOKEN_TTL"},
        {"LATCHKEY_ADMIN_TOKEN_TTL", "forever", "LATCHKEY_ADMIN_TOKEN_TTL"},
        {"LATCHKEY_MAIL_FROM", "Latchkey <a@b.c>", "LATCHKEY_MAIL_FROM"},
        {"LATCHKEY_MAIL_RETRIES", "99", "LATCHKEY_MAIL_RETRIES"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *e[] = {bad[i][0], bad[i][1], NULL};
        assert_int_not_equal(load(e, &c, err), 0);
        assert_non_null(strstr(err, bad[i][2]));
        config_fini(&c);
    }
}

static void cors_origins_list(void **state)
{
    (void)state;
    char *list[CONFIG_MAX_CORS_ORIGINS];
    size_t n = 99;

    assert_true(config_parse_origins("*", list, 4, &n));
    assert_int_equal(n, 0);
    assert_true(config_parse_origins(" ", list, 4, &n));
    assert_int_equal(n, 0);
    assert_true(config_parse_origins("https://app.example.com , http://[::1]:3000", list, 4, &n));
    assert_int_equal(n, 2);
    assert_string_equal(list[0], "https://app.example.com");
    assert_string_equal(list[1], "http://[::1]:3000");
    free(list[0]);
    free(list[1]);
    assert_false(config_parse_origins("app.example.com", list, 4, &n));
    assert_false(config_parse_origins("https://a.example/", list, 4, &n));
    assert_false(config_parse_origins("https://a.example,,https://b.example", list, 4, &n));
    assert_false(config_parse_origins("https://a.example,*", list, 4, &n));
    assert_false(config_parse_origins("https://a,https://b,https://c", list, 2, &n));
    assert_int_equal(n, 0);

    const char *env[] = {"LATCHKEY_CORS_ORIGINS", "https://a.example,https://b.example", NULL};
    struct config c;
    char err[256] = "";
    assert_int_equal(load(env, &c, err), 0);
    assert_int_equal(c.n_cors_origins, 2);
    config_fini(&c);
    const char *bad[] = {"LATCHKEY_CORS_ORIGINS", "https://a.example/path", NULL};
    assert_int_not_equal(load(bad, &c, err), 0);
    assert_non_null(strstr(err, "LATCHKEY_CORS_ORIGINS"));
    config_fini(&c);
}

/* config_check_env's findings, for the tests below. */
struct unknown_seen {
    size_t n;
    char name[8][160];
    char nearest[8][64];
};

static void seen(void *ctx, const char *name, const char *nearest)
{
    struct unknown_seen *u = ctx;
    if (u->n < 8) {
        snprintf(u->name[u->n], sizeof(u->name[0]), "%s", name);
        snprintf(u->nearest[u->n], sizeof(u->nearest[0]), "%s", nearest);
    }
    u->n++;
}

static void unknown_variables_name_the_nearest(void **state)
{
    (void)state;
    const char *env[] = {NULL};
    struct config c;
    char err[256];
    assert_int_equal(load(env, &c, err), 0);
    /* Every name config_load reads is known, set or not, including the
     * generated LATCHKEY_RATE_<BUCKET> names and the tests-only one. */
    char *const known[] = {"LATCHKEY_DATABASE_URL=x.db",
                           "LATCHKEY_LISTEN=127.0.0.1:0",
                           "LATCHKEY_RATE_TOKEN=1/60",
                           "LATCHKEY_RATE_ADMIN_RESET_EMAIL=1/60",
                           "LATCHKEY_TEST_CLOCK_OFFSET=0",
                           "LATCHKEY_LOG_FLUSH_MS",
                           "PATH=/usr/bin",
                           "LATCHKEYS=1",
                           NULL};
    struct unknown_seen u = {0};
    assert_int_equal(config_check_env(&c, known, seen, &u), 0);
    assert_int_equal(u.n, 0);

    char long_name[300];
    memset(long_name, 'A', sizeof(long_name) - 1);
    memcpy(long_name, "LATCHKEY_", 9);
    long_name[sizeof(long_name) - 1] = '\0';
    char *const typos[] = {"LATCHKEY_DATABSE_URL=secret-value", "LATCHKEY_RATE_TOKNE=1/60",
                           "LATCHKEY_THREAD=4", long_name, NULL};
    assert_int_equal(config_check_env(&c, typos, seen, &u), 4);
    assert_string_equal(u.name[0], "LATCHKEY_DATABSE_URL");
    assert_string_equal(u.nearest[0], "LATCHKEY_DATABASE_URL");
    assert_string_equal(u.name[1], "LATCHKEY_RATE_TOKNE");
    assert_string_equal(u.nearest[1], "LATCHKEY_RATE_TOKEN");
    assert_string_equal(u.name[2], "LATCHKEY_THREAD");
    assert_string_equal(u.nearest[2], "LATCHKEY_THREADS");
    assert_int_equal(strlen(u.name[3]), 128); /* cut, not overflowed */
    assert_non_null(u.nearest[3]);
    config_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_match_the_design),
        cmocka_unit_test(values_are_read),
        cmocka_unit_test(bad_values_are_refused_by_name),
        cmocka_unit_test(smtp_driver_needs_url),
        cmocka_unit_test(rate_forms),
        cmocka_unit_test(autocom_defaults_and_overrides),
        cmocka_unit_test(redis_url_forms),
        cmocka_unit_test(redis_variables),
        cmocka_unit_test(session_variables),
        cmocka_unit_test(prune_variables),
        cmocka_unit_test(trusted_proxies_list),
        cmocka_unit_test(cors_origins_list),
        cmocka_unit_test(mail_and_admin_variables),
        cmocka_unit_test(unknown_variables_name_the_nearest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
