/*
 * redis.c - hiredis connections, their pool, and the counter script.
 *
 * A connection is set up once when it is opened (AUTH, SELECT, SCRIPT
 * LOAD, which also gives the script's SHA1 for EVALSHA), then reused from
 * the pool. hiredis keeps the error of a failed command in the context and
 * a context in error cannot be used again, so a connection that failed on
 * the transport is closed, never put back. An error *reply* (say, a script
 * error) leaves the connection usable.
 *
 * Locking: r->pool_lock guards r->idle and r->n_idle; a connection outside
 * the pool belongs to the one caller that took it.
 */
#include "kv/redis.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "util/err.h"
#include "util/xalloc.h"

/*
 * A refused hit (count already at limit) is not counted, as in the
 * in-memory table. A key without an expiry (written by hand, or by an old
 * client) gets one, so it can never lock a client out for good.
 */
const char redis_counter_script[] = "local limit = tonumber(ARGV[1])\n"
                                    "local n = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
                                    "if n >= limit then\n"
                                    "  local ttl = redis.call('PTTL', KEYS[1])\n"
                                    "  if ttl < 0 then\n"
                                    "    redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
                                    "    ttl = tonumber(ARGV[2])\n"
                                    "  end\n"
                                    "  return {n, ttl, 0}\n"
                                    "end\n"
                                    "n = redis.call('INCR', KEYS[1])\n"
                                    "local ttl = redis.call('PTTL', KEYS[1])\n"
                                    "if ttl < 0 then\n"
                                    "  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
                                    "  ttl = tonumber(ARGV[2])\n"
                                    "end\n"
                                    "return {n, ttl, 1}\n";

struct conn {
    redisContext *ctx;
    char sha[48]; /* SCRIPT LOAD's answer; "" = unknown, use EVAL */
    struct conn *next;
};

struct redis {
    struct redis_url url;
    struct timeval timeout;
    pthread_mutex_t pool_lock; /* guards idle and n_idle */
    struct conn *idle;
    size_t n_idle;
};

/* One operation on a connection: 0, or ERR_UNAVAILABLE / ERR_STORE. */
typedef int (*conn_op)(struct conn *c, void *arg, char *why, size_t whylen);

static void set_why(char *why, size_t whylen, const char *msg)
{
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "%s", msg);
}

static void conn_free(struct conn *c)
{
    if (c == NULL)
        return;
    if (c->ctx != NULL)
        redisFree(c->ctx);
    free(c);
}

struct redis *redis_new(const struct redis_url *url, unsigned timeout_ms)
{
    struct redis *r = xcalloc(1, sizeof(*r));
    r->url = *url;
    r->timeout.tv_sec = (time_t)(timeout_ms / 1000);
    r->timeout.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
    pthread_mutex_init(&r->pool_lock, NULL);
    return r;
}

static void drain(struct redis *r)
{
    pthread_mutex_lock(&r->pool_lock);
    struct conn *c = r->idle;
    r->idle = NULL;
    r->n_idle = 0;
    pthread_mutex_unlock(&r->pool_lock);
    while (c != NULL) {
        struct conn *next = c->next;
        conn_free(c);
        c = next;
    }
}

void redis_free(struct redis *r)
{
    if (r == NULL)
        return;
    drain(r);
    pthread_mutex_destroy(&r->pool_lock);
    secure_wipe(r->url.password, sizeof(r->url.password));
    free(r);
}

/*
 * Runs one command (argv borrowed). Returns the reply (owned), or NULL with
 * the reason in why, *timed_out telling a timeout from a closed or refused
 * connection; the connection is then unusable.
 */
static redisReply *command(struct conn *c, int argc, const char **argv, char *why, size_t whylen,
                           bool *timed_out)
{
    errno = 0;
    redisReply *rep = redisCommandArgv(c->ctx, argc, argv, NULL);
    int saved = errno;
    if (rep == NULL) {
        set_why(why, whylen, c->ctx->errstr[0] != '\0' ? c->ctx->errstr : "no reply");
        if (timed_out != NULL)
            *timed_out = c->ctx->err == REDIS_ERR_IO && (saved == EAGAIN || saved == EWOULDBLOCK);
    }
    return rep;
}

/* Runs a set-up command that must not answer an error. */
static int setup_command(struct conn *c, int argc, const char **argv, const char *what, char *why,
                         size_t whylen)
{
    redisReply *rep = command(c, argc, argv, why, whylen, NULL);
    if (rep == NULL)
        return ERR_UNAVAILABLE;
    int rc = 0;
    if (rep->type == REDIS_REPLY_ERROR) {
        /* Redis's own words, e.g. "WRONGPASS ..." or "ERR DB index is out of range";
         * they never echo the password. */
        char msg[160];
        snprintf(msg, sizeof(msg), "%s: %.120s", what, rep->str);
        set_why(why, whylen, msg);
        rc = ERR_UNAVAILABLE;
    }
    freeReplyObject(rep);
    return rc;
}

static struct conn *conn_open(struct redis *r, int *rc, char *why, size_t whylen)
{
    struct conn *c = xcalloc(1, sizeof(*c));
    *rc = ERR_UNAVAILABLE;
    c->ctx = redisConnectWithTimeout(r->url.host, r->url.port, r->timeout);
    if (c->ctx == NULL || c->ctx->err != 0) {
        set_why(why, whylen, c->ctx != NULL ? c->ctx->errstr : "cannot allocate a connection");
        goto out;
    }
    if (redisSetTimeout(c->ctx, r->timeout) != REDIS_OK) {
        set_why(why, whylen, "cannot set the socket timeout");
        goto out;
    }
    (void)redisEnableKeepAlive(c->ctx);
    if (r->url.password[0] != '\0') {
        const char *with_user[] = {"AUTH", r->url.user, r->url.password};
        const char *plain[] = {"AUTH", r->url.password};
        bool user = r->url.user[0] != '\0';
        if (setup_command(c, user ? 3 : 2, user ? with_user : plain, "AUTH", why, whylen) != 0)
            goto out;
    }
    if (r->url.db != 0) {
        char db[16];
        snprintf(db, sizeof(db), "%u", r->url.db);
        const char *argv[] = {"SELECT", db};
        if (setup_command(c, 2, argv, "SELECT", why, whylen) != 0)
            goto out;
    }
    /* Best effort: without a SHA every hit sends the script (EVAL). */
    const char *load[] = {"SCRIPT", "LOAD", redis_counter_script};
    redisReply *rep = command(c, 3, load, why, whylen, NULL);
    if (rep == NULL)
        goto out;
    if (rep->type == REDIS_REPLY_STRING && rep->len < sizeof(c->sha))
        memcpy(c->sha, rep->str, rep->len + 1);
    freeReplyObject(rep);
    *rc = 0;
    return c;
out:
    conn_free(c);
    return NULL;
}

/* An idle connection, or a new one (*fresh = true) if none or if want_new. */
static struct conn *acquire(struct redis *r, bool want_new, bool *fresh, int *rc, char *why,
                            size_t whylen)
{
    struct conn *c = NULL;
    if (!want_new) {
        pthread_mutex_lock(&r->pool_lock);
        c = r->idle;
        if (c != NULL) {
            r->idle = c->next;
            r->n_idle--;
        }
        pthread_mutex_unlock(&r->pool_lock);
    }
    *fresh = c == NULL;
    if (c != NULL) {
        c->next = NULL;
        return c;
    }
    return conn_open(r, rc, why, whylen);
}

static void release(struct redis *r, struct conn *c)
{
    pthread_mutex_lock(&r->pool_lock);
    if (r->n_idle < REDIS_POOL_IDLE_MAX) {
        c->next = r->idle;
        r->idle = c;
        r->n_idle++;
        c = NULL;
    }
    pthread_mutex_unlock(&r->pool_lock);
    conn_free(c);
}

/*
 * Runs op on a pooled connection. A pooled connection that fails on the
 * transport (not by timing out) was most likely closed by a Redis restart,
 * as are its idle siblings: they are all dropped and op is retried once on
 * a fresh connection.
 */
static int with_conn(struct redis *r, conn_op op, void *arg, char *why, size_t whylen,
                     bool *timed_out)
{
    int rc = ERR_UNAVAILABLE;
    bool want_new = false;
    for (int attempt = 0; attempt < 2; attempt++) {
        bool fresh;
        struct conn *c = acquire(r, want_new, &fresh, &rc, why, whylen);
        if (c == NULL)
            return rc;
        *timed_out = false;
        rc = op(c, arg, why, whylen);
        if (rc != ERR_UNAVAILABLE) {
            release(r, c);
            return rc;
        }
        conn_free(c);
        if (fresh || *timed_out)
            return rc;
        drain(r);
        want_new = true;
    }
    return rc;
}

struct hit_args {
    const char *key;
    char limit[16];
    char window[16];
    struct redis_counter *out;
    bool *timed_out;
};

static bool is_noscript(const redisReply *rep)
{
    return rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "NOSCRIPT", 8) == 0;
}

static int parse_counter(const redisReply *rep, struct redis_counter *out, char *why, size_t whylen)
{
    if (rep->type == REDIS_REPLY_ERROR) {
        char msg[160];
        snprintf(msg, sizeof(msg), "script: %.120s", rep->str);
        set_why(why, whylen, msg);
        return ERR_STORE;
    }
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3) {
        set_why(why, whylen, "script: unexpected reply");
        return ERR_STORE;
    }
    for (size_t i = 0; i < 3; i++) {
        if (rep->element[i]->type != REDIS_REPLY_INTEGER) {
            set_why(why, whylen, "script: unexpected reply");
            return ERR_STORE;
        }
    }
    out->count = rep->element[0]->integer;
    out->ttl_ms = rep->element[1]->integer;
    out->allowed = rep->element[2]->integer != 0;
    return 0;
}

static int hit_op(struct conn *c, void *arg, char *why, size_t whylen)
{
    struct hit_args *a = arg;
    const char *argv[] = {"EVALSHA", c->sha, "1", a->key, a->limit, a->window};
    redisReply *rep = NULL;
    if (c->sha[0] != '\0') {
        rep = command(c, 6, argv, why, whylen, a->timed_out);
        if (rep == NULL)
            return ERR_UNAVAILABLE;
    }
    /* Not cached (SCRIPT FLUSH, a restarted or failed-over Redis): EVAL caches it again. */
    if (rep == NULL || is_noscript(rep)) {
        freeReplyObject(rep);
        argv[0] = "EVAL";
        argv[1] = redis_counter_script;
        rep = command(c, 6, argv, why, whylen, a->timed_out);
        if (rep == NULL)
            return ERR_UNAVAILABLE;
    }
    int rc = parse_counter(rep, a->out, why, whylen);
    freeReplyObject(rep);
    return rc;
}

int redis_counter_hit(struct redis *r, const char *key, uint32_t limit, uint32_t window_ms,
                      struct redis_counter *out, char *why, size_t whylen)
{
    bool timed_out = false;
    struct hit_args a = {.key = key, .out = out, .timed_out = &timed_out};
    snprintf(a.limit, sizeof(a.limit), "%u", limit);
    snprintf(a.window, sizeof(a.window), "%u", window_ms > 0 ? window_ms : 1);
    return with_conn(r, hit_op, &a, why, whylen, &timed_out);
}

struct del_args {
    const char *key;
    bool timed_out;
};

static int del_op(struct conn *c, void *arg, char *why, size_t whylen)
{
    struct del_args *a = arg;
    const char *argv[] = {"DEL", a->key};
    redisReply *rep = command(c, 2, argv, why, whylen, &a->timed_out);
    if (rep == NULL)
        return ERR_UNAVAILABLE;
    int rc = 0;
    if (rep->type != REDIS_REPLY_INTEGER) {
        set_why(why, whylen, "DEL: unexpected reply");
        rc = ERR_STORE;
    }
    freeReplyObject(rep);
    return rc;
}

int redis_del(struct redis *r, const char *key, char *why, size_t whylen)
{
    struct del_args a = {.key = key};
    return with_conn(r, del_op, &a, why, whylen, &a.timed_out);
}

static int ping_op(struct conn *c, void *arg, char *why, size_t whylen)
{
    const char *argv[] = {"PING"};
    redisReply *rep = command(c, 1, argv, why, whylen, arg);
    if (rep == NULL)
        return ERR_UNAVAILABLE;
    int rc = 0;
    if (rep->type != REDIS_REPLY_STATUS || strcmp(rep->str, "PONG") != 0) {
        set_why(why, whylen, "PING: unexpected reply");
        rc = ERR_STORE;
    }
    freeReplyObject(rep);
    return rc;
}

int redis_ping(struct redis *r, char *why, size_t whylen)
{
    bool timed_out = false;
    return with_conn(r, ping_op, &timed_out, why, whylen, &timed_out);
}
