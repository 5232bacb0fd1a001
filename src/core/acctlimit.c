/*
 * acctlimit.c - the per-account guessing limit (see acctlimit.h).
 *
 * Keys hash the folded email (the first 32 hex digits of its SHA-256), so
 * a long email fits the limiter's keys and no email is stored in it. The
 * known-address mark is a counter of limit 1 in the bucket
 * "account_known": present (refused) means known; its window starts at
 * the first sign-in and is renewed by the first one after it ends.
 */
#include "core/acctlimit.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "core/ratelimit.h"
#include "crypto/hash.h"
#include "server.h"

#define KNOWN_BUCKET "account_known"
#define EMAIL_KEY    33

static void email_key(const char *email, char out[EMAIL_KEY])
{
    char hex[65];
    sha256_hex(email, strlen(email), hex);
    snprintf(out, EMAIL_KEY, "%.32s", hex);
}

/* "<email key>|<address key>" */
static void known_key(const char *email, const char *ip, char *out, size_t n)
{
    char ek[EMAIL_KEY], ak[RATELIMIT_ADDR_MAX];
    email_key(email, ek);
    ratelimit_addr_key(ip, ak);
    snprintf(out, n, "%s|%s", ek, ak);
}

static bool known(struct server *srv, const char *email, const char *ip)
{
    char k[EMAIL_KEY + RATELIMIT_ADDR_MAX + 1];
    struct rate_result res;
    known_key(email, ip, k, sizeof(k));
    ratelimit_peek(srv->limiter, KNOWN_BUCKET, k, 1, ACCTLIMIT_KNOWN_S, server_now(srv), &res);
    return !res.allowed;
}

bool acctlimit_locked(struct server *srv, const char *email, const char *ip, uint32_t *retry_after)
{
    const struct rate_rule *rule = config_rate(&srv->cfg, ACCTLIMIT_BUCKET);
    char ek[EMAIL_KEY];
    struct rate_result res;
    *retry_after = 0;
    if (rule == NULL || email == NULL)
        return false;
    email_key(email, ek);
    ratelimit_peek(srv->limiter, rule->name, ek, rule->limit, rule->window_s, server_now(srv),
                   &res);
    if (res.allowed || known(srv, email, ip))
        return false;
    ratelimit_refused(srv->limiter, rule->name);
    *retry_after = res.retry_after > 0 ? res.retry_after : 1;
    return true;
}

void acctlimit_record(struct server *srv, const char *email, const char *ip, bool ok)
{
    const struct rate_rule *rule = config_rate(&srv->cfg, ACCTLIMIT_BUCKET);
    char ek[EMAIL_KEY];
    struct rate_result res;
    if (rule == NULL || email == NULL)
        return;
    email_key(email, ek);
    if (!ok) {
        ratelimit_hit(srv->limiter, rule->name, ek, rule->limit, rule->window_s, server_now(srv),
                      &res);
        return;
    }
    ratelimit_clear(srv->limiter, rule->name, ek);
    char k[EMAIL_KEY + RATELIMIT_ADDR_MAX + 1];
    known_key(email, ip, k, sizeof(k));
    ratelimit_hit(srv->limiter, KNOWN_BUCKET, k, 1, ACCTLIMIT_KNOWN_S, server_now(srv), &res);
}
