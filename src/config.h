/*
 * config.h - the environment (LATCHKEY_*, DESIGN section 12) as a struct.
 *
 * Loaded once at start-up and constant afterwards. Strings are owned by the
 * config and freed by config_fini().
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/log.h"
#include "util/netaddr.h"

/* A rate-limit bucket: limit requests per window_s seconds. */
struct rate_rule {
    char name[32]; /* bucket name, lower-case: "token", "login", ... */
    uint32_t limit;
    uint32_t window_s;
};

#define CONFIG_MAX_RATE_RULES      16
#define CONFIG_MAX_TRUSTED_PROXIES 32
#define CONFIG_MAX_CORS_ORIGINS    32
#define CONFIG_ORIGIN_MAX          255 /* bytes of one origin */

/* LATCHKEY_REDIS_URL taken apart: redis://[[user]:password@]host[:port][/db]. */
struct redis_url {
    char host[256];     /* name or address, IPv6 without brackets */
    uint16_t port;      /* 6379 when absent */
    unsigned db;        /* 0 when absent */
    char user[128];     /* "" = none (AUTH password only, or no AUTH) */
    char password[256]; /* "" = no AUTH; a secret: never logged */
};

struct config {
    char *listen_host;          /* LATCHKEY_LISTEN, host part ("127.0.0.1") */
    uint16_t listen_port;       /* LATCHKEY_LISTEN, port part (8080; 0 = any free port) */
    char *database_url;         /* LATCHKEY_DATABASE_URL */
    char *redis_url;            /* LATCHKEY_REDIS_URL, NULL if unset */
    struct redis_url redis;     /* redis_url parsed (zeroed when unset) */
    unsigned redis_timeout_ms;  /* LATCHKEY_REDIS_TIMEOUT_MS: connect + command timeout (200) */
    char *public_url;           /* LATCHKEY_PUBLIC_URL, without trailing '/' */
    char *mail_driver;          /* LATCHKEY_MAIL_DRIVER: "log" or "smtp" */
    char *smtp_url;             /* LATCHKEY_SMTP_URL, NULL if unset */
    char *mail_from;            /* LATCHKEY_MAIL_FROM */
    char *admin_email;          /* LATCHKEY_ADMIN_EMAIL */
    unsigned threads;           /* LATCHKEY_THREADS (HTTP workers) */
    enum log_level log_level;   /* LATCHKEY_LOG_LEVEL */
    unsigned log_flush_ms;      /* LATCHKEY_LOG_FLUSH_MS: serve's log buffering (100; 0 = off) */
    enum log_format log_format; /* LATCHKEY_LOG_FORMAT: text (default) or json */
    enum log_access access_log; /* LATCHKEY_ACCESS_LOG: all (default), errors or off */
    char *log_file;             /* LATCHKEY_LOG_FILE: serve logs there, not stderr; NULL */
    /* /metrics (README "Metrics"): LATCHKEY_METRICS_LISTEN, a listener of
     * its own (metrics_host NULL: none), and LATCHKEY_METRICS_TOKEN, a
     * bearer that opens /metrics on the main listener (a secret; NULL). */
    char *metrics_host;
    uint16_t metrics_port;
    char *metrics_token;
    unsigned hash_threads;         /* LATCHKEY_HASH_THREADS: password hashing pool size */
    unsigned hash_queue;           /* LATCHKEY_HASH_QUEUE: max waiting hash jobs */
    unsigned long long argon2_ops; /* LATCHKEY_ARGON2_OPSLIMIT (4) */
    size_t argon2_mem;             /* LATCHKEY_ARGON2_MEMLIMIT_KIB * 1024 (64 MiB) */
    char *token_prefix;            /* LATCHKEY_TOKEN_PREFIX ("" = none) */
    size_t body_limit;             /* LATCHKEY_BODY_LIMIT bytes (65536) */
    unsigned conn_timeout_s;       /* LATCHKEY_CONN_TIMEOUT seconds (30) */
    unsigned head_timeout_ms;      /* LATCHKEY_HEADER_TIMEOUT_MS: a whole request head (10000) */
    unsigned per_ip_connections;   /* LATCHKEY_PER_IP_CONNECTIONS (64) */
    unsigned last_used_flush_ms;   /* LATCHKEY_LAST_USED_FLUSH_MS (5000) */
    size_t auth_cache;             /* LATCHKEY_AUTH_CACHE: most entries per cache table (0 off) */
    size_t auth_cache_bytes;       /* LATCHKEY_AUTH_CACHE_MB in bytes: the cache's budget (0 off) */
    struct rate_rule rates[CONFIG_MAX_RATE_RULES]; /* LATCHKEY_RATE_<BUCKET>=N/SECONDS */
    size_t n_rates;
    unsigned jwt_ttl_s; /* LATCHKEY_JWT_TTL: JWT access token lifetime, seconds (3600) */
    char *jwt_audience; /* LATCHKEY_JWT_AUDIENCE: the JWT "aud" claim ("latchkey") */
    /* LATCHKEY_TRUSTED_PROXIES: peers whose X-Forwarded-For names the client */
    struct netaddr trusted_proxies[CONFIG_MAX_TRUSTED_PROXIES];
    size_t n_trusted_proxies;
    /* LATCHKEY_CORS_ORIGINS: the origins allowed by CORS; none = any ("*") */
    char *cors_origins[CONFIG_MAX_CORS_ORIGINS];
    size_t n_cors_origins;
    /* Mail (src/mail/) and the admin surface (seed 001). */
    char *mail_from_name; /* LATCHKEY_MAIL_FROM_NAME ("latchkey") */
    char *mail_dir;       /* LATCHKEY_MAIL_DIR: the log driver's outbox */
    char *kek_text; /* LATCHKEY_KEY_ENCRYPTION_KEY: base64 of 32 bytes, a secret; NULL if unset */
    char *kek_file; /* LATCHKEY_KEY_ENCRYPTION_KEY_FILE: used when kek_text is NULL */
    char *smtp_tls; /* LATCHKEY_SMTP_TLS: "auto", "require" or "off" */
    char *smtp_ca_file;        /* LATCHKEY_SMTP_CA_FILE, NULL = the system's CAs */
    unsigned smtp_timeout_s;   /* LATCHKEY_SMTP_TIMEOUT: one delivery attempt (30) */
    unsigned mail_retries;     /* LATCHKEY_MAIL_RETRIES: attempts after the first (5) */
    unsigned mail_backoff_ms;  /* LATCHKEY_MAIL_BACKOFF_MS: first retry delay, doubled (2000) */
    unsigned mail_queue;       /* LATCHKEY_MAIL_QUEUE: messages waiting at most (1000) */
    unsigned mail_drain_ms;    /* LATCHKEY_MAIL_DRAIN_MS: delivery time left at stop (5000) */
    int64_t admin_token_ttl_s; /* LATCHKEY_ADMIN_TOKEN_TTL: admin token lifetime (24h) */
    int64_t clock_offset_s;    /* LATCHKEY_TEST_CLOCK_OFFSET: tests only (0) */
    /* Dashboard sessions (seed 000). */
    int64_t session_idle_s;     /* LATCHKEY_SESSION_IDLE_MINUTES * 60 (120 minutes) */
    int64_t session_lifetime_s; /* LATCHKEY_SESSION_LIFETIME_MINUTES * 60 (1440 minutes) */
    /* New passwords (issue 16): LATCHKEY_PASSWORD_BREACHED_CHECK, on|off (on) */
    bool password_breached_check;
    /* Prune (issue 18). */
    int64_t prune_interval_s;  /* LATCHKEY_PRUNE_INTERVAL: serve's schedule (1h; 0 = off) */
    int64_t prune_after_s;     /* LATCHKEY_PRUNE_AFTER: keep ended rows this long (24h) */
    int64_t audit_retention_s; /* LATCHKEY_AUDIT_RETENTION: audit entries (0 = forever) */
    /* Every variable name config_load asked its getter for, set or not:
     * the known names (config_check_env). Owned. */
    char **read_vars;
    size_t n_read_vars;
};

/* Looks up one variable; returns NULL when unset. */
typedef const char *(*config_getenv_fn)(const char *name, void *ctx);

/*
 * Fills c from the variables (getenv_fn NULL = the process environment).
 * Every value is validated; on failure returns ERR_INVALID with a message
 * naming the variable in err. c must be config_fini()ed either way.
 */
int config_load(struct config *c, config_getenv_fn getenv_fn, void *ctx, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void config_fini(struct config *c);
/*
 * For each LATCHKEY_* variable of env ("NAME=value" strings, NULL
 * terminated, e.g. environ) that config_load did not read, calls
 * warn(ctx, name, nearest) with the nearest name it did read (Levenshtein
 * distance; the value is never passed on). Returns how many it found.
 */
size_t config_check_env(const struct config *c, char *const *env,
                        void (*warn)(void *ctx, const char *name, const char *nearest), void *ctx);

/* The rule for a bucket, or NULL if the bucket is unknown. */
const struct rate_rule *config_rate(const struct config *c, const char *bucket);

/* Parses "host:port" (port 0..65535; "[::1]:80" for IPv6). */
bool config_parse_listen(const char *s, char *host, size_t hostlen, uint16_t *port);
/*
 * Parses redis://[[user]:password@]host[:port][/db] ("[::1]" for IPv6; port
 * 1..65535, default 6379; db 0..65535, default 0; user and password
 * percent-decoded). Returns false on anything else.
 */
bool config_parse_redis_url(const char *s, struct redis_url *out);
/*
 * Parses a comma-separated list of addresses and CIDR networks
 * ("127.0.0.1, 10.0.0.0/8, ::1"; spaces around commas allowed; "" is an
 * empty list) into list[max]. Returns false on a bad entry or too many.
 */
bool config_parse_proxies(const char *s, struct netaddr *list, size_t max, size_t *n);
/*
 * Parses LATCHKEY_CORS_ORIGINS: "*" or blank (any origin: *n = 0), or a
 * comma-separated list of origins ("https://app.example.com,
 * http://localhost:3000": scheme://host[:port], no path) into list[max],
 * each owned (free them). Returns false on a bad entry or too many.
 */
bool config_parse_origins(const char *s, char **list, size_t max, size_t *n);
/* Parses "N/SECONDS" or "N/min" / "N/hour" style: "10/60", "10/min". */
bool config_parse_rate(const char *s, uint32_t *limit, uint32_t *window_s);
