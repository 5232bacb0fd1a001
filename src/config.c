/*
 * config.c - LATCHKEY_* environment parsing and validation.
 *
 * Every value is checked here, at start-up, so the rest of the program can
 * trust struct config.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/timeutil.h"
#include "util/xalloc.h"
#include "util/numfmt.h"

/* Default buckets (DESIGN section 7). Later surfaces add theirs here. */
static const struct rate_rule default_rates[] = {
    {"token", 10, 60},   /* seed 004: POST /api/v1/auth/token */
    {"login", 5, 60},    /* seed 002: POST /api/v1/auth/login, per IP */
    {"register", 3, 60}, /* seed 002: POST /api/v1/tenants, per IP */
    {"api", 60, 60},     /* seed 002: every other AutoCom route, per user */
    {"travel", 60, 60},  /* seed 004: /auth/user, /auth/profile, /auth/revoke, per user */
    /* seed 001: POST /admin/auth/login, per IP */
    {"admin_login", 5, 60},
    /* seed 001: forgot-password and reset-password, per IP */
    {"admin_password", 6, 60},
    /* seed 001: reset emails per address; over it, silently no email */
    {"admin_reset_email", 1, 60},
    /* seed 001: authenticated /admin routes, per staff user */
    {"admin", 60, 60},
    /* seed 003: the WNCMS API, per user (per IP without one) */
    {"wncms", 60, 60},
    /* seed 000: POST /login failures per lower(email)|ip (Breeze's LoginRequest) */
    {"web_login", 5, 60},
    /* seed 000: POST /reset-password and /forgot-password, per IP */
    {"web_password", 6, 60},
    /* seed 000: reset emails per address; over it, silently no email */
    {"web_reset_email", 1, 60},
    /* issue 16: failed password checks per account (email), every route */
    {"account_login", 10, 300},
};

static const char *env_default(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name);
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

bool config_parse_listen(const char *s, char *host, size_t hostlen, uint16_t *port)
{
    const char *colon;
    const char *h = s;
    size_t hlen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':')
            return false;
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return false;
        hlen = (size_t)(colon - s);
    }
    if (hlen == 0 || hlen >= hostlen)
        return false;
    const char *p = colon + 1;
    if (*p == '\0')
        return false;
    unsigned long v = 0;
    for (; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return false;
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > 65535)
            return false;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (uint16_t)v;
    return true;
}

static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (s == NULL || *s == '\0')
        return false;
    unsigned long long v = 0;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return false;
        if (v > (max - (unsigned long long)(*p - '0')) / 10)
            return false;
        v = v * 10 + (unsigned long long)(*p - '0');
    }
    *out = v;
    return true;
}

/* Percent-decodes s[0..n) into out; false if it does not fit or an escape is bad. */
static bool pct_decode(const char *s, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '%') {
            int hi = i + 2 < n ? num_hex_digit(s[i + 1]) : -1;
            int lo = i + 2 < n ? num_hex_digit(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return false;
            ch = (char)(hi * 16 + lo);
            i += 2;
        }
        if (o + 1 >= outlen)
            return false;
        out[o++] = ch;
    }
    out[o] = '\0';
    return true;
}

/* Parses a decimal in 1..max (or 0..max when zero_ok) from s[0..n). */
static bool parse_span(const char *s, size_t n, unsigned long max, bool zero_ok, unsigned long *out)
{
    if (n == 0 || n > 10)
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > max || (v == 0 && !zero_ok))
        return false;
    *out = v;
    return true;
}

/* The userinfo part "[user]:password" of a Redis URL. */
static bool parse_redis_userinfo(const char *s, size_t n, struct redis_url *out)
{
    const char *colon = memchr(s, ':', n);
    if (colon == NULL)
        return false;
    size_t ul = (size_t)(colon - s);
    if (!pct_decode(s, ul, out->user, sizeof(out->user)))
        return false;
    if (!pct_decode(colon + 1, n - ul - 1, out->password, sizeof(out->password)))
        return false;
    return out->password[0] != '\0';
}

/* The "host[:port]" part of a Redis URL. */
static bool parse_redis_hostport(const char *s, size_t n, struct redis_url *out)
{
    const char *host = s, *port = NULL;
    size_t hl;
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (close == NULL)
            return false;
        host = s + 1;
        hl = (size_t)(close - host);
        if (close + 1 < s + n) {
            if (close[1] != ':')
                return false;
            port = close + 2;
        }
        for (size_t i = 0; i < hl; i++) {
            if (!isxdigit((unsigned char)host[i]) && host[i] != ':' && host[i] != '.')
                return false;
        }
    } else {
        const char *colon = memchr(s, ':', n);
        hl = colon != NULL ? (size_t)(colon - s) : n;
        port = colon != NULL ? colon + 1 : NULL;
        for (size_t i = 0; i < hl; i++) {
            if (!isalnum((unsigned char)host[i]) && host[i] != '.' && host[i] != '-' &&
                host[i] != '_')
                return false;
        }
    }
    if (hl == 0 || hl >= sizeof(out->host))
        return false;
    memcpy(out->host, host, hl);
    out->host[hl] = '\0';
    unsigned long v = 6379;
    if (port != NULL && !parse_span(port, (size_t)(s + n - port), 65535, false, &v))
        return false;
    out->port = (uint16_t)v;
    return true;
}

bool config_parse_redis_url(const char *s, struct redis_url *out)
{
    memset(out, 0, sizeof(*out));
    if (strncmp(s, "redis://", 8) != 0)
        return false;
    const char *auth = s + 8;
    size_t al = strcspn(auth, "/?#");
    const char *path = auth + al;
    const char *at = NULL;
    for (size_t i = 0; i < al; i++) {
        if (auth[i] == '@')
            at = auth + i;
    }
    bool ok = true;
    if (at != NULL) {
        ok = parse_redis_userinfo(auth, (size_t)(at - auth), out);
        auth = at + 1;
        al = (size_t)(path - auth);
    }
    ok = ok && parse_redis_hostport(auth, al, out);
    unsigned long db = 0;
    if (ok && *path != '\0') {
        /* "" or "/" is db 0; otherwise "/N" and nothing after it. */
        ok = path[0] == '/' &&
             (path[1] == '\0' || parse_span(path + 1, strlen(path + 1), 65535, true, &db));
    }
    out->db = (unsigned)db;
    if (!ok)
        memset(out, 0, sizeof(*out));
    return ok;
}

/*
 * One entry of a comma-separated list: *b and *e get the entry at *s
 * trimmed of spaces and tabs; *s moves past its comma. Returns false after
 * the last entry.
 */
static bool list_next(const char **s, const char **b, size_t *e)
{
    if (*s == NULL)
        return false;
    size_t len = strcspn(*s, ",");
    *b = *s;
    *e = len;
    while (*e > 0 && (**b == ' ' || **b == '\t')) {
        (*b)++;
        (*e)--;
    }
    while (*e > 0 && ((*b)[*e - 1] == ' ' || (*b)[*e - 1] == '\t'))
        (*e)--;
    *s = (*s)[len] == '\0' ? NULL : *s + len + 1;
    return true;
}

bool config_parse_proxies(const char *s, struct netaddr *list, size_t max, size_t *n)
{
    const char *b;
    size_t e;
    *n = 0;
    if (s[strspn(s, " \t")] == '\0')
        return true; /* blank: an empty list */
    while (list_next(&s, &b, &e)) {
        if (e == 0 || *n >= max || !netaddr_parse(b, e, &list[*n]))
            return false;
        (*n)++;
    }
    return true;
}

/* True if s[0..n) is a serialised origin: scheme "://" host [":" port]. */
static bool origin_ok(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '.' || s[i] == '-'))
        i++;
    if (i == 0 || n - i <= 3 || memcmp(s + i, "://", 3) != 0)
        return false;
    for (i += 3; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']' && c != '_')
            return false;
    }
    return true;
}

bool config_parse_origins(const char *s, char **list, size_t max, size_t *n)
{
    const char *b;
    size_t e;
    *n = 0;
    if (s[strspn(s, " \t")] == '\0' || strcmp(s, "*") == 0)
        return true; /* any origin */
    while (list_next(&s, &b, &e)) {
        if (e == 0 || e > CONFIG_ORIGIN_MAX || *n >= max || !origin_ok(b, e)) {
            for (size_t i = 0; i < *n; i++)
                free(list[i]);
            *n = 0;
            return false;
        }
        list[(*n)++] = xstrndup(b, e);
    }
    return true;
}

bool config_parse_rate(const char *s, uint32_t *limit, uint32_t *window_s)
{
    const char *slash = strchr(s, '/');
    if (slash == NULL || slash == s || (size_t)(slash - s) > 10)
        return false;
    char num[16];
    memcpy(num, s, (size_t)(slash - s));
    num[slash - s] = '\0';
    unsigned long long l, w;
    if (!parse_uint(num, 1000000000ULL, &l) || l == 0)
        return false;
    const char *unit = slash + 1;
    if (strcmp(unit, "sec") == 0 || strcmp(unit, "s") == 0)
        w = 1;
    else if (strcmp(unit, "min") == 0 || strcmp(unit, "m") == 0)
        w = 60;
    else if (strcmp(unit, "hour") == 0 || strcmp(unit, "h") == 0)
        w = 3600;
    else if (!parse_uint(unit, 86400ULL * 7, &w) || w == 0)
        return false;
    *limit = (uint32_t)l;
    *window_s = (uint32_t)w;
    return true;
}

/* True if s holds only printable ASCII. */
static bool printable(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    }
    return true;
}

static char *str_or(const char *v, const char *def)
{
    return xstrdup(v != NULL && *v != '\0' ? v : def);
}

struct num_var {
    const char *name;
    unsigned long long min, max, def;
};

static int load_num(config_getenv_fn ge, void *ctx, const struct num_var *v,
                    unsigned long long *out, char *err, size_t errlen)
{
    const char *s = ge(v->name, ctx);
    if (s == NULL || *s == '\0') {
        *out = v->def;
        return 0;
    }
    unsigned long long n;
    if (!parse_uint(s, v->max, &n) || n < v->min) {
        seterr(err, errlen, "%s must be an integer from %llu to %llu", v->name, v->min, v->max);
        return ERR_INVALID;
    }
    *out = n;
    return 0;
}

static unsigned cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 1024 ? (unsigned)n : 1;
}

static int load_rates(struct config *c, config_getenv_fn ge, void *ctx, char *err, size_t errlen)
{
    c->n_rates = 0;
    for (size_t i = 0; i < sizeof(default_rates) / sizeof(default_rates[0]); i++) {
        struct rate_rule r = default_rates[i];
        char var[64];
        char upper[32];
        size_t j = 0;
        for (; j < sizeof(upper) - 1 && r.name[j]; j++)
            upper[j] = (char)toupper((unsigned char)r.name[j]);
        upper[j] = '\0';
        snprintf(var, sizeof(var), "LATCHKEY_RATE_%s", upper);
        const char *s = ge(var, ctx);
        if (s != NULL && *s != '\0' && !config_parse_rate(s, &r.limit, &r.window_s)) {
            seterr(err, errlen, "%s must look like 10/60, 10/min or 100/hour", var);
            return ERR_INVALID;
        }
        c->rates[c->n_rates++] = r;
    }
    return 0;
}

static int load_strings(struct config *c, config_getenv_fn ge, void *ctx, char *err, size_t errlen)
{
    char host[256];
    const char *listen = ge("LATCHKEY_LISTEN", ctx);
    if (listen == NULL || *listen == '\0')
        listen = "127.0.0.1:8080";
    if (!config_parse_listen(listen, host, sizeof(host), &c->listen_port)) {
        seterr(err, errlen, "LATCHKEY_LISTEN must be host:port, e.g. 127.0.0.1:8080");
        return ERR_INVALID;
    }
    c->listen_host = xstrdup(host);
    c->database_url = str_or(ge("LATCHKEY_DATABASE_URL", ctx), "./var/latchkey.db");
    const char *redis = ge("LATCHKEY_REDIS_URL", ctx);
    c->redis_url = redis != NULL && *redis != '\0' ? xstrdup(redis) : NULL;
    if (c->redis_url != NULL && strncmp(c->redis_url, "redis://", 8) != 0) {
        seterr(err, errlen, "LATCHKEY_REDIS_URL must start with redis://");
        return ERR_INVALID;
    }
    if (c->redis_url != NULL && !config_parse_redis_url(c->redis_url, &c->redis)) {
        seterr(err, errlen,
               "LATCHKEY_REDIS_URL must look like redis://host:port/db "
               "(or redis://:password@host:port/db; port 1-65535, db 0-65535)");
        return ERR_INVALID;
    }
    c->public_url = str_or(ge("LATCHKEY_PUBLIC_URL", ctx), "http://127.0.0.1:8080");
    size_t pl = strlen(c->public_url);
    while (pl > 0 && c->public_url[pl - 1] == '/')
        c->public_url[--pl] = '\0';
    if (strncmp(c->public_url, "http://", 7) != 0 && strncmp(c->public_url, "https://", 8) != 0) {
        seterr(err, errlen, "LATCHKEY_PUBLIC_URL must start with http:// or https://");
        return ERR_INVALID;
    }
    c->mail_driver = str_or(ge("LATCHKEY_MAIL_DRIVER", ctx), "log");
    if (strcmp(c->mail_driver, "log") != 0 && strcmp(c->mail_driver, "smtp") != 0) {
        seterr(err, errlen, "LATCHKEY_MAIL_DRIVER must be log or smtp");
        return ERR_INVALID;
    }
    const char *smtp = ge("LATCHKEY_SMTP_URL", ctx);
    c->smtp_url = smtp != NULL && *smtp != '\0' ? xstrdup(smtp) : NULL;
    if (strcmp(c->mail_driver, "smtp") == 0 && c->smtp_url == NULL) {
        seterr(err, errlen, "LATCHKEY_MAIL_DRIVER=smtp needs LATCHKEY_SMTP_URL");
        return ERR_INVALID;
    }
    c->mail_from = str_or(ge("LATCHKEY_MAIL_FROM", ctx), "latchkey@localhost");
    c->admin_email = str_or(ge("LATCHKEY_ADMIN_EMAIL", ctx), "admin@localhost");
    if (strchr(c->admin_email, '@') == NULL) {
        seterr(err, errlen, "LATCHKEY_ADMIN_EMAIL must be an email address");
        return ERR_INVALID;
    }
    const char *prefix = ge("LATCHKEY_TOKEN_PREFIX", ctx);
    c->token_prefix = xstrdup(prefix != NULL ? prefix : "");
    if (strlen(c->token_prefix) > 32) {
        seterr(err, errlen, "LATCHKEY_TOKEN_PREFIX must be at most 32 characters");
        return ERR_INVALID;
    }
    for (const char *p = c->token_prefix; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') {
            seterr(err, errlen, "LATCHKEY_TOKEN_PREFIX may hold only A-Z a-z 0-9 _ -");
            return ERR_INVALID;
        }
    }
    c->jwt_audience = str_or(ge("LATCHKEY_JWT_AUDIENCE", ctx), "latchkey");
    if (strlen(c->jwt_audience) > 255 || !printable(c->jwt_audience)) {
        seterr(err, errlen, "LATCHKEY_JWT_AUDIENCE must be at most 255 printable characters");
        return ERR_INVALID;
    }
    const char *level = ge("LATCHKEY_LOG_LEVEL", ctx);
    c->log_level = LOG_INFO;
    if (level != NULL && *level != '\0' && !log_level_parse(level, &c->log_level)) {
        seterr(err, errlen, "LATCHKEY_LOG_LEVEL must be debug, info, warn or error");
        return ERR_INVALID;
    }
    return 0;
}

/* Index of s in names[0..n), or -1. */
static int pick(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(s, names[i]) == 0)
            return i;
    }
    return -1;
}

/* Logs and metrics (README "Logs", "Metrics"). */
static int load_ops(struct config *c, config_getenv_fn ge, void *ctx, char *err, size_t errlen)
{
    static const char *const formats[] = {"text", "json"};
    static const char *const access[] = {"all", "errors", "off"};
    const char *v = ge("LATCHKEY_LOG_FORMAT", ctx);
    int i = v != NULL && *v != '\0' ? pick(v, formats, 2) : 0;
    if (i < 0) {
        seterr(err, errlen, "LATCHKEY_LOG_FORMAT must be text or json");
        return ERR_INVALID;
    }
    c->log_format = (enum log_format)i;
    v = ge("LATCHKEY_ACCESS_LOG", ctx);
    i = v != NULL && *v != '\0' ? pick(v, access, 3) : 0;
    if (i < 0) {
        seterr(err, errlen, "LATCHKEY_ACCESS_LOG must be all, errors or off");
        return ERR_INVALID;
    }
    c->access_log = (enum log_access)i;
    v = ge("LATCHKEY_LOG_FILE", ctx);
    c->log_file = v != NULL && *v != '\0' ? xstrdup(v) : NULL;
    v = ge("LATCHKEY_METRICS_LISTEN", ctx);
    char host[256];
    if (v != NULL && *v != '\0') {
        if (!config_parse_listen(v, host, sizeof(host), &c->metrics_port)) {
            seterr(err, errlen, "LATCHKEY_METRICS_LISTEN must be host:port, e.g. 127.0.0.1:9464");
            return ERR_INVALID;
        }
        c->metrics_host = xstrdup(host);
    }
    v = ge("LATCHKEY_METRICS_TOKEN", ctx);
    if (v != NULL && *v != '\0') {
        if (strlen(v) < 16 || strlen(v) > 256 || !printable(v) || strchr(v, ' ') != NULL) {
            seterr(err, errlen,
                   "LATCHKEY_METRICS_TOKEN must be 16 to 256 printable characters without spaces");
            return ERR_INVALID;
        }
        c->metrics_token = xstrdup(v);
    }
    return 0;
}

static int load_redis_timeout(struct config *c, config_getenv_fn ge, void *ctx, char *err,
                              size_t errlen)
{
    static const struct num_var var = {"LATCHKEY_REDIS_TIMEOUT_MS", 10, 60000, 200};
    unsigned long long v;
    int rc = load_num(ge, ctx, &var, &v, err, errlen);
    if (rc == 0)
        c->redis_timeout_ms = (unsigned)v;
    return rc;
}

/* The dashboard sessions' lifetimes (seed 000), in minutes as Laravel's
 * SESSION_LIFETIME: idle expiry and the absolute end. */
static int load_sessions(struct config *c, config_getenv_fn ge, void *ctx, char *err, size_t errlen)
{
    static const struct num_var vars[] = {
        {"LATCHKEY_SESSION_IDLE_MINUTES", 1, 525600, 120},
        {"LATCHKEY_SESSION_LIFETIME_MINUTES", 1, 525600, 1440},
    };
    unsigned long long v[2];
    for (size_t i = 0; i < 2; i++) {
        int rc = load_num(ge, ctx, &vars[i], &v[i], err, errlen);
        if (rc != 0)
            return rc;
    }
    c->session_idle_s = (int64_t)v[0] * 60;
    c->session_lifetime_s = (int64_t)v[1] * 60;
    const char *check = ge("LATCHKEY_PASSWORD_BREACHED_CHECK", ctx);
    c->password_breached_check = check == NULL || strcmp(check, "on") == 0;
    if (check != NULL && strcmp(check, "on") != 0 && strcmp(check, "off") != 0) {
        seterr(err, errlen, "LATCHKEY_PASSWORD_BREACHED_CHECK must be on or off");
        return ERR_INVALID;
    }
    return 0;
}

/* A file of ours beside the SQLite file (name in its directory), else
 * ./var/name (PostgreSQL has no data directory of ours). */
static char *beside_database(const char *database_url, const char *name)
{
    size_t nl = strlen(name);
    if (strncmp(database_url, "postgres://", 11) == 0 ||
        strncmp(database_url, "postgresql://", 13) == 0) {
        char *p = xmalloc(nl + sizeof("./var/"));
        snprintf(p, nl + sizeof("./var/"), "./var/%s", name);
        return p;
    }
    const char *path = strncmp(database_url, "sqlite:", 7) == 0 ? database_url + 7 : database_url;
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return xstrdup(name);
    size_t n = (size_t)(slash - path);
    char *dir = xmalloc(n + nl + 2);
    snprintf(dir, n + nl + 2, "%.*s/%s", (int)n, path, name);
    return dir;
}

/* The log driver's outbox: LATCHKEY_MAIL_DIR, else "mail" beside the SQLite
 * file, else ./var/mail. */
static char *default_mail_dir(const char *database_url)
{
    return beside_database(database_url, "mail");
}

/* The JWT key encryption key (crypto/jwt.h): its text, else its file,
 * by default key-encryption.key beside the SQLite file (./var/ with
 * PostgreSQL). Parsed and read by wiring.c, which knows whether the
 * command may create the file. */
static void load_kek(struct config *c, config_getenv_fn ge, void *ctx)
{
    const char *text = ge("LATCHKEY_KEY_ENCRYPTION_KEY", ctx);
    c->kek_text = text != NULL && *text != '\0' ? xstrdup(text) : NULL;
    const char *file = ge("LATCHKEY_KEY_ENCRYPTION_KEY_FILE", ctx);
    c->kek_file = file != NULL && *file != '\0'
                      ? xstrdup(file)
                      : beside_database(c->database_url, "key-encryption.key");
}

static int load_duration(config_getenv_fn ge, void *ctx, const char *name, int64_t min, int64_t max,
                         int64_t def, int64_t *out, char *err, size_t errlen)
{
    const char *s = ge(name, ctx);
    *out = def;
    if (s == NULL || *s == '\0')
        return 0;
    if (!time_parse_duration(s, out) || *out < min || *out > max) {
        seterr(err, errlen, "%s must be a duration from %lld to %lld seconds (e.g. 3600, 24h, 7d)",
               name, (long long)min, (long long)max);
        return ERR_INVALID;
    }
    return 0;
}

/* The mail module's and the admin surface's variables. */
static int load_mail_admin(struct config *c, config_getenv_fn ge, void *ctx, char *err,
                           size_t errlen)
{
    if (c->smtp_url != NULL && strncmp(c->smtp_url, "smtp://", 7) != 0 &&
        strncmp(c->smtp_url, "smtps://", 8) != 0) {
        seterr(err, errlen, "LATCHKEY_SMTP_URL must start with smtp:// or smtps://");
        return ERR_INVALID;
    }
    if (strchr(c->mail_from, '@') == NULL || strpbrk(c->mail_from, " <>\r\n\"") != NULL) {
        seterr(err, errlen, "LATCHKEY_MAIL_FROM must be a bare email address");
        return ERR_INVALID;
    }
    c->mail_from_name = str_or(ge("LATCHKEY_MAIL_FROM_NAME", ctx), "latchkey");
    const char *dir = ge("LATCHKEY_MAIL_DIR", ctx);
    c->mail_dir = dir != NULL && *dir != '\0' ? xstrdup(dir) : default_mail_dir(c->database_url);
    c->smtp_tls = str_or(ge("LATCHKEY_SMTP_TLS", ctx), "auto");
    if (strcmp(c->smtp_tls, "auto") != 0 && strcmp(c->smtp_tls, "require") != 0 &&
        strcmp(c->smtp_tls, "off") != 0) {
        seterr(err, errlen, "LATCHKEY_SMTP_TLS must be auto, require or off");
        return ERR_INVALID;
    }
    const char *ca = ge("LATCHKEY_SMTP_CA_FILE", ctx);
    c->smtp_ca_file = ca != NULL && *ca != '\0' ? xstrdup(ca) : NULL;
    const struct num_var vars[] = {
        {"LATCHKEY_SMTP_TIMEOUT", 1, 600, 30},           {"LATCHKEY_MAIL_RETRIES", 0, 20, 5},
        {"LATCHKEY_MAIL_BACKOFF_MS", 10, 3600000, 2000}, {"LATCHKEY_MAIL_QUEUE", 1, 1000000, 1000},
        {"LATCHKEY_MAIL_DRAIN_MS", 0, 600000, 5000},
    };
    unsigned long long v[sizeof(vars) / sizeof(vars[0])];
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        int rc = load_num(ge, ctx, &vars[i], &v[i], err, errlen);
        if (rc != 0)
            return rc;
    }
    c->smtp_timeout_s = (unsigned)v[0];
    c->mail_retries = (unsigned)v[1];
    c->mail_backoff_ms = (unsigned)v[2];
    c->mail_queue = (unsigned)v[3];
    c->mail_drain_ms = (unsigned)v[4];
    int rc = load_duration(ge, ctx, "LATCHKEY_ADMIN_TOKEN_TTL", 1, 366 * 86400LL, 86400,
                           &c->admin_token_ttl_s, err, errlen);
    if (rc == 0)
        rc = load_duration(ge, ctx, "LATCHKEY_TEST_CLOCK_OFFSET", 0, 3660 * 86400LL, 0,
                           &c->clock_offset_s, err, errlen);
    return rc;
}

/* Prune's variables (issue 18): the schedule and how long ended rows stay. */
static int load_prune(struct config *c, config_getenv_fn ge, void *ctx, char *err, size_t errlen)
{
    int rc = load_duration(ge, ctx, "LATCHKEY_PRUNE_INTERVAL", 0, 366 * 86400LL, 3600,
                           &c->prune_interval_s, err, errlen);
    if (rc == 0)
        rc = load_duration(ge, ctx, "LATCHKEY_PRUNE_AFTER", 0, 3660 * 86400LL, 86400,
                           &c->prune_after_s, err, errlen);
    if (rc == 0)
        rc = load_duration(ge, ctx, "LATCHKEY_AUDIT_RETENTION", 0, 36600 * 86400LL, 0,
                           &c->audit_retention_s, err, errlen);
    return rc;
}

/* config_load's getter: records each name in c->read_vars, then asks the
 * caller's getter, so the known names are exactly the names read. */
struct recorder {
    struct config *c;
    config_getenv_fn ge;
    void *ctx;
};

static const char *record(const char *name, void *ctx)
{
    struct recorder *r = ctx;
    struct config *c = r->c;
    size_t i = 0;
    while (i < c->n_read_vars && strcmp(c->read_vars[i], name) != 0)
        i++;
    if (i == c->n_read_vars) {
        c->read_vars = xrealloc(c->read_vars, (c->n_read_vars + 1) * sizeof(c->read_vars[0]));
        c->read_vars[c->n_read_vars++] = xstrdup(name);
    }
    return r->ge(name, r->ctx);
}

int config_load(struct config *c, config_getenv_fn getenv_fn, void *getenv_ctx, char *err,
                size_t errlen)
{
    memset(c, 0, sizeof(*c));
    struct recorder rec = {
        .c = c, .ge = getenv_fn != NULL ? getenv_fn : env_default, .ctx = getenv_ctx};
    config_getenv_fn ge = record;
    void *ctx = &rec;
    int rc = load_strings(c, ge, ctx, err, errlen);
    if (rc != 0)
        return rc;
    unsigned n = cores();
    const struct num_var vars[] = {
        {"LATCHKEY_THREADS", 1, 256, n},
        {"LATCHKEY_HASH_THREADS", 1, 64, n},
        {"LATCHKEY_HASH_QUEUE", 1, 100000, 64},
        {"LATCHKEY_ARGON2_OPSLIMIT", 1, 64, 4},
        {"LATCHKEY_ARGON2_MEMLIMIT_KIB", 8, 4194304, 65536},
        {"LATCHKEY_BODY_LIMIT", 256, 64 * 1024 * 1024, 65536},
        {"LATCHKEY_CONN_TIMEOUT", 1, 3600, 30},
        {"LATCHKEY_PER_IP_CONNECTIONS", 1, 1000000, 64},
        {"LATCHKEY_LAST_USED_FLUSH_MS", 10, 3600000, 5000},
        {"LATCHKEY_JWT_TTL", 1, 30 * 86400, 3600},
        {"LATCHKEY_AUTH_CACHE", 0, 1048576, 262144},
        {"LATCHKEY_LOG_FLUSH_MS", 0, 10000, 100},
        {"LATCHKEY_HEADER_TIMEOUT_MS", 100, 3600000, 10000},
        {"LATCHKEY_AUTH_CACHE_MB", 0, 65536, 64},
    };
    unsigned long long v[sizeof(vars) / sizeof(vars[0])];
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        rc = load_num(ge, ctx, &vars[i], &v[i], err, errlen);
        if (rc != 0)
            return rc;
    }
    c->threads = (unsigned)v[0];
    c->hash_threads = (unsigned)v[1];
    c->hash_queue = (unsigned)v[2];
    c->argon2_ops = v[3];
    c->argon2_mem = (size_t)v[4] * 1024;
    c->body_limit = (size_t)v[5];
    c->conn_timeout_s = (unsigned)v[6];
    c->per_ip_connections = (unsigned)v[7];
    c->last_used_flush_ms = (unsigned)v[8];
    c->jwt_ttl_s = (unsigned)v[9];
    c->auth_cache = (size_t)v[10];
    c->log_flush_ms = (unsigned)v[11];
    c->head_timeout_ms = (unsigned)v[12];
    c->auth_cache_bytes = (size_t)v[13] * 1024 * 1024;
    rc = load_redis_timeout(c, ge, ctx, err, errlen);
    if (rc != 0)
        return rc;
    const char *proxies = ge("LATCHKEY_TRUSTED_PROXIES", ctx);
    if (proxies != NULL &&
        !config_parse_proxies(proxies, c->trusted_proxies, CONFIG_MAX_TRUSTED_PROXIES,
                              &c->n_trusted_proxies)) {
        seterr(err, errlen,
               "LATCHKEY_TRUSTED_PROXIES must be a comma-separated list of at most %d addresses "
               "or networks, e.g. 127.0.0.1,10.0.0.0/8",
               CONFIG_MAX_TRUSTED_PROXIES);
        return ERR_INVALID;
    }
    const char *origins = ge("LATCHKEY_CORS_ORIGINS", ctx);
    if (origins != NULL && !config_parse_origins(origins, c->cors_origins, CONFIG_MAX_CORS_ORIGINS,
                                                 &c->n_cors_origins)) {
        seterr(err, errlen,
               "LATCHKEY_CORS_ORIGINS must be * or a comma-separated list of at most %d origins "
               "such as https://app.example.com,http://localhost:3000",
               CONFIG_MAX_CORS_ORIGINS);
        return ERR_INVALID;
    }
    rc = load_mail_admin(c, ge, ctx, err, errlen);
    if (rc == 0)
        rc = load_sessions(c, ge, ctx, err, errlen);
    if (rc == 0)
        rc = load_prune(c, ge, ctx, err, errlen);
    if (rc == 0)
        rc = load_ops(c, ge, ctx, err, errlen);
    if (rc == 0)
        load_kek(c, ge, ctx);
    if (rc != 0)
        return rc;
    return load_rates(c, ge, ctx, err, errlen);
}

void config_fini(struct config *c)
{
    free(c->listen_host);
    free(c->database_url);
    if (c->redis_url != NULL)
        secure_wipe(c->redis_url, strlen(c->redis_url)); /* may hold a password */
    free(c->redis_url);
    free(c->public_url);
    free(c->mail_driver);
    free(c->smtp_url);
    free(c->mail_from);
    free(c->admin_email);
    free(c->token_prefix);
    free(c->jwt_audience);
    secure_wipe(c->redis.password, sizeof(c->redis.password));
    free(c->mail_from_name);
    free(c->mail_dir);
    if (c->kek_text != NULL)
        secure_wipe(c->kek_text, strlen(c->kek_text));
    free(c->kek_text);
    free(c->kek_file);
    free(c->smtp_tls);
    free(c->smtp_ca_file);
    free(c->log_file);
    free(c->metrics_host);
    if (c->metrics_token != NULL)
        secure_wipe(c->metrics_token, strlen(c->metrics_token));
    free(c->metrics_token);
    for (size_t i = 0; i < c->n_cors_origins; i++)
        free(c->cors_origins[i]);
    for (size_t i = 0; i < c->n_read_vars; i++)
        free(c->read_vars[i]);
    free(c->read_vars);
    memset(c, 0, sizeof(*c));
}

#define VAR_NAME_MAX 128 /* longer names are compared by their first 128 bytes */

/* Levenshtein distance between a[0..n) and b[0..m), n, m <= VAR_NAME_MAX. */
static size_t distance(const char *a, size_t n, const char *b, size_t m)
{
    size_t prev[VAR_NAME_MAX + 1], cur[VAR_NAME_MAX + 1];
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (m + 1) * sizeof(prev[0]));
    }
    return prev[m];
}

size_t config_check_env(const struct config *c, char *const *env,
                        void (*warn)(void *ctx, const char *name, const char *nearest), void *ctx)
{
    size_t found = 0;
    for (; env != NULL && *env != NULL; env++) {
        if (strncmp(*env, "LATCHKEY_", 9) != 0)
            continue;
        char name[VAR_NAME_MAX + 1];
        size_t n = strcspn(*env, "=");
        n = n < VAR_NAME_MAX ? n : VAR_NAME_MAX;
        memcpy(name, *env, n);
        name[n] = '\0';
        const char *nearest = NULL;
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < c->n_read_vars && best > 0; i++) {
            const char *known = c->read_vars[i];
            size_t m = strlen(known);
            size_t d = distance(name, n, known, m < VAR_NAME_MAX ? m : VAR_NAME_MAX);
            if (d < best) {
                best = d;
                nearest = known;
            }
        }
        if (best > 0 && nearest != NULL) {
            warn(ctx, name, nearest);
            found++;
        }
    }
    return found;
}

const struct rate_rule *config_rate(const struct config *c, const char *bucket)
{
    for (size_t i = 0; i < c->n_rates; i++) {
        if (strcmp(c->rates[i].name, bucket) == 0)
            return &c->rates[i];
    }
    return NULL;
}
