/*
 * config_show.c - `latchkey config show`: every LATCHKEY_* variable the
 * configuration reads (config.h's read_vars, so a new variable is listed
 * without touching this file), its effective value and whether it came from
 * the environment or is the default. Needs no database.
 *
 * Secrets never appear: a variable whose name ends in _KEY, _TOKEN,
 * _PASSWORD or _SECRET (rate-limit buckets aside) shows "***" when set; one ending in _URL has the
 * password of its user-info replaced (wiring_shown_url).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config.h"
#include "util/netaddr.h"
#include "wiring.h"

#define VALUE_MAX 1024

static const char usage[] =
    "usage: latchkey config show [--json]\n\n"
    "Prints every LATCHKEY_* variable with its effective value and source (env or default).\n"
    "Secrets are masked: the database, Redis and SMTP URLs' passwords, the key encryption\n"
    "key, tokens. Exits 1 when the configuration is invalid (the message names the variable).\n";

enum kind { K_STR, K_UINT, K_ULL, K_SIZE, K_I64, K_BOOL };

/* A variable whose effective value is one field of struct config. */
static const struct field {
    const char *name;
    enum kind kind;
    size_t off;
    unsigned divide; /* the field holds value * divide (KiB, minutes) */
} fields[] = {
#define F(n, k, member, d)                                                                         \
    {                                                                                              \
        "LATCHKEY_" n, k, offsetof(struct config, member), d                                       \
    }
    F("DATABASE_URL", K_STR, database_url, 1),
    F("REDIS_URL", K_STR, redis_url, 1),
    F("REDIS_TIMEOUT_MS", K_UINT, redis_timeout_ms, 1),
    F("PUBLIC_URL", K_STR, public_url, 1),
    F("MAIL_DRIVER", K_STR, mail_driver, 1),
    F("SMTP_URL", K_STR, smtp_url, 1),
    F("MAIL_FROM", K_STR, mail_from, 1),
    F("ADMIN_EMAIL", K_STR, admin_email, 1),
    F("THREADS", K_UINT, threads, 1),
    F("LOG_FLUSH_MS", K_UINT, log_flush_ms, 1),
    F("HASH_THREADS", K_UINT, hash_threads, 1),
    F("HASH_QUEUE", K_UINT, hash_queue, 1),
    F("ARGON2_OPSLIMIT", K_ULL, argon2_ops, 1),
    F("ARGON2_MEMLIMIT_KIB", K_SIZE, argon2_mem, 1024),
    F("TOKEN_PREFIX", K_STR, token_prefix, 1),
    F("BODY_LIMIT", K_SIZE, body_limit, 1),
    F("CONN_TIMEOUT", K_UINT, conn_timeout_s, 1),
    F("HEADER_TIMEOUT_MS", K_UINT, head_timeout_ms, 1),
    F("PER_IP_CONNECTIONS", K_UINT, per_ip_connections, 1),
    F("LAST_USED_FLUSH_MS", K_UINT, last_used_flush_ms, 1),
    F("AUTH_CACHE", K_SIZE, auth_cache, 1),
    F("AUTH_CACHE_MB", K_SIZE, auth_cache_bytes, 1024 * 1024),
    F("JWT_TTL", K_UINT, jwt_ttl_s, 1),
    F("JWT_AUDIENCE", K_STR, jwt_audience, 1),
    F("MAIL_FROM_NAME", K_STR, mail_from_name, 1),
    F("MAIL_DIR", K_STR, mail_dir, 1),
    F("KEY_ENCRYPTION_KEY", K_STR, kek_text, 1),
    F("KEY_ENCRYPTION_KEY_FILE", K_STR, kek_file, 1),
    F("SMTP_TLS", K_STR, smtp_tls, 1),
    F("SMTP_CA_FILE", K_STR, smtp_ca_file, 1),
    F("SMTP_TIMEOUT", K_UINT, smtp_timeout_s, 1),
    F("MAIL_RETRIES", K_UINT, mail_retries, 1),
    F("MAIL_BACKOFF_MS", K_UINT, mail_backoff_ms, 1),
    F("MAIL_QUEUE", K_UINT, mail_queue, 1),
    F("MAIL_DRAIN_MS", K_UINT, mail_drain_ms, 1),
    F("ADMIN_TOKEN_TTL", K_I64, admin_token_ttl_s, 1),
    F("TEST_CLOCK_OFFSET", K_I64, clock_offset_s, 1),
    F("SESSION_IDLE_MINUTES", K_I64, session_idle_s, 60),
    F("SESSION_LIFETIME_MINUTES", K_I64, session_lifetime_s, 60),
    F("PASSWORD_BREACHED_CHECK", K_BOOL, password_breached_check, 1),
#undef F
};

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* A rate-limit bucket is named after its route (LATCHKEY_RATE_TOKEN), not
 * a secret. */
static bool secret_name(const char *name)
{
    if (strncmp(name, "LATCHKEY_RATE_", 14) == 0)
        return false;
    return ends_with(name, "_KEY") || ends_with(name, "_TOKEN") || ends_with(name, "_PASSWORD") ||
           ends_with(name, "_SECRET");
}

/* Writes the field's value into buf; false if the field is unset (NULL). */
static bool field_value(const struct config *c, const struct field *f, char *buf, size_t size)
{
    const char *p = (const char *)c + f->off;
    switch (f->kind) {
    case K_STR: {
        const char *s = *(char *const *)(const void *)p;
        if (s == NULL)
            return false;
        snprintf(buf, size, "%s", s);
        break;
    }
    case K_UINT: snprintf(buf, size, "%u", *(const unsigned *)(const void *)p / f->divide); break;
    case K_ULL:
        snprintf(buf, size, "%llu", *(const unsigned long long *)(const void *)p / f->divide);
        break;
    case K_SIZE: snprintf(buf, size, "%zu", *(const size_t *)(const void *)p / f->divide); break;
    case K_I64:
        snprintf(buf, size, "%" PRId64, *(const int64_t *)(const void *)p / (int64_t)f->divide);
        break;
    case K_BOOL: snprintf(buf, size, "%s", *(const bool *)(const void *)p ? "on" : "off"); break;
    }
    return true;
}

static void list_value(char *buf, size_t size, const char *item, size_t i)
{
    size_t used = strlen(buf);
    if (used < size)
        snprintf(buf + used, size - used, "%s%s", i > 0 ? "," : "", item);
}

/* The values that are not one plain field; false if name is none of them. */
static bool special_value(const struct config *c, const char *name, char *buf, size_t size)
{
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    buf[0] = '\0';
    if (strcmp(name, "LATCHKEY_LISTEN") == 0) {
        bool v6 = strchr(c->listen_host, ':') != NULL;
        snprintf(buf, size, v6 ? "[%s]:%u" : "%s:%u", c->listen_host, c->listen_port);
    } else if (strcmp(name, "LATCHKEY_LOG_LEVEL") == 0) {
        snprintf(buf, size, "%s", levels[c->log_level]);
    } else if (strcmp(name, "LATCHKEY_TRUSTED_PROXIES") == 0) {
        for (size_t i = 0; i < c->n_trusted_proxies; i++) {
            char a[64], item[72];
            netaddr_str(&c->trusted_proxies[i], a, sizeof(a));
            snprintf(item, sizeof(item), "%s/%u", a, c->trusted_proxies[i].bits);
            list_value(buf, size, item, i);
        }
    } else if (strcmp(name, "LATCHKEY_CORS_ORIGINS") == 0) {
        for (size_t i = 0; i < c->n_cors_origins; i++)
            list_value(buf, size, c->cors_origins[i], i);
        if (c->n_cors_origins == 0)
            snprintf(buf, size, "*");
    } else if (strncmp(name, "LATCHKEY_RATE_", 14) == 0) {
        for (size_t i = 0; i < c->n_rates; i++) {
            char upper[sizeof(c->rates[i].name)];
            size_t j = 0;
            for (; c->rates[i].name[j] != '\0'; j++)
                upper[j] = (char)toupper((unsigned char)c->rates[i].name[j]);
            upper[j] = '\0';
            if (strcmp(name + 14, upper) == 0)
                snprintf(buf, size, "%u/%u", c->rates[i].limit, c->rates[i].window_s);
        }
    } else {
        return false;
    }
    return true;
}

/*
 * The shown value of name: the parsed value when this file knows the
 * variable, else what the environment holds (or "" when unset); then
 * masked. *set tells whether the environment has it.
 */
static const char *shown(const struct config *c, const char *name, char *buf, size_t size,
                         bool *set)
{
    const char *env = getenv(name);
    *set = env != NULL && env[0] != '\0';
    bool known = special_value(c, name, buf, size);
    for (size_t i = 0; !known && i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strcmp(fields[i].name, name) == 0) {
            known = true;
            if (!field_value(c, &fields[i], buf, size))
                buf[0] = '\0';
        }
    }
    if (!known)
        snprintf(buf, size, "%s", *set ? env : "");
    if (secret_name(name))
        return *set ? "***" : "";
    if (ends_with(name, "_URL")) {
        char masked[VALUE_MAX];
        const char *m = wiring_shown_url(buf, masked, sizeof(masked));
        if (m != buf)
            snprintf(buf, size, "%s", m);
    }
    return buf;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_config(int argc, char **argv)
{
    struct cli_opt none[] = {{NULL, false, NULL}};
    const char *pos[1];
    int n_pos;
    bool json, help;
    int rc = cli_parse(argc, argv, none, pos, 1, &n_pos, &json, &help);
    if (rc == CLI_OK && !help && (n_pos != 1 || strcmp(pos[0], "show") != 0))
        rc = cli_error(CLI_USAGE, "config: expected show");
    if (rc != CLI_OK || help) {
        fputs(usage, rc != CLI_OK ? stderr : stdout);
        return rc;
    }
    struct config c;
    char err[256] = "";
    memset(&c, 0, sizeof(c));
    if (config_load(&c, NULL, NULL, err, sizeof(err)) != 0) {
        config_fini(&c);
        return cli_error(CLI_FAIL, "configuration: %s", err);
    }
    qsort(c.read_vars, c.n_read_vars, sizeof(c.read_vars[0]), by_name);
    json_t *out = json ? json_array() : NULL;
    for (size_t i = 0; i < c.n_read_vars; i++) {
        char buf[VALUE_MAX];
        bool set;
        const char *v = shown(&c, c.read_vars[i], buf, sizeof(buf), &set);
        const char *source = set ? "env" : "default";
        if (out != NULL)
            json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "name", c.read_vars[i], "value",
                                                 v, "source", source));
        else
            printf("%-36s %-8s %s\n", c.read_vars[i], source, v);
    }
    if (out != NULL)
        cli_print_json(out);
    config_fini(&c);
    return CLI_OK;
}
