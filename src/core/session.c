/*
 * session.c - dashboard sessions (session.h).
 *
 * The cookie value and the CSRF token are 40 random [A-Za-z0-9]
 * characters; the row is found by the SHA-256 of the cookie, and the
 * token compared with its stored SHA-256 in constant time. Expiry is
 * decided here, at every lookup, from the row's times: the store keeps
 * them, core judges them, so changing LATCHKEY_SESSION_IDLE_MINUTES
 * applies to existing sessions at once.
 */
#include "core/session.h"

#include <string.h>

#include "core/audit.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "server.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Longest User-Agent kept with a session. */
#define SESSION_UA_MAX 255

/* True if s is a well-formed value of ours (so nothing else is hashed and
 * looked up). */
static bool value_ok(const char *s, size_t len)
{
    if (s == NULL || strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

/* Whether s has ended at now: idle too long, or past its absolute end. */
static bool ended(const struct server *srv, const struct session *s, int64_t now)
{
    int64_t seen = s->last_seen_at != 0 ? s->last_seen_at : s->created_at;
    return s->expires_at <= now || seen + srv->cfg.session_idle_s <= now;
}

/* Deletes a few ended sessions (guests left behind, forgotten logins). */
static void prune(struct server *srv, int64_t now)
{
    int64_t n = 0;
    int rc = store_session_prune(srv->store, now, now - srv->cfg.session_idle_s,
                                 SESSION_PRUNE_BATCH, &n);
    if (rc != 0)
        log_warnx("event=session_prune_failed err=\"%s\"", err_str(rc));
    else if (n > 0)
        log_debug("event=session_pruned count=%lld", (long long)n);
}

int session_find(struct server *srv, struct arena *a, const char *cookie, struct session *out)
{
    if (!value_ok(cookie, SESSION_ID_LEN))
        return ERR_NOT_FOUND;
    char hash[TOKEN_HASH_HEX + 1];
    sha256_hex(cookie, SESSION_ID_LEN, hash);
    int rc = store_session_get(srv->store, a, hash, out);
    if (rc != 0)
        return rc;
    int64_t now = server_now(srv);
    if (ended(srv, out, now)) {
        rc = store_session_delete(srv->store, hash);
        return rc == 0 || rc == ERR_NOT_FOUND ? ERR_NOT_FOUND : rc;
    }
    /* Written at most once a minute: the row read tells whether it is due,
     * so a busy session costs a read, not a write; the statement's own
     * condition settles two requests that find it due together. */
    if (out->last_seen_at > now - SESSION_TOUCH_S)
        return 0;
    bool written = false;
    rc = store_session_touch(srv->store, hash, now, SESSION_TOUCH_S, &written);
    if (rc != 0)
        return rc;
    if (written)
        out->last_seen_at = now;
    return 0;
}

/* New random values in *ck and their hashes in *s. */
static void fresh_values(struct session *s, struct session_cookies *ck, bool new_csrf)
{
    random_alnum(ck->id, SESSION_ID_LEN);
    sha256_hex(ck->id, SESSION_ID_LEN, s->id_hash);
    if (!new_csrf)
        return;
    random_alnum(ck->csrf, SESSION_CSRF_LEN);
    sha256_hex(ck->csrf, SESSION_CSRF_LEN, s->csrf_hash);
}

/* Fills the client and the times of a session starting at now. */
static void start_times(struct server *srv, struct session *s, const char *ip, const char *ua,
                        int64_t now)
{
    s->ip = ip;
    s->user_agent = ua != NULL && strlen(ua) <= SESSION_UA_MAX ? ua : NULL;
    s->created_at = now;
    s->last_seen_at = now;
    s->expires_at = now + srv->cfg.session_lifetime_s;
}

int session_start_guest(struct server *srv, const char *ip, const char *ua, struct session *out,
                        struct session_cookies *ck)
{
    int64_t now = server_now(srv);
    *out = (struct session){0};
    fresh_values(out, ck, true);
    start_times(srv, out, ip, ua, now);
    prune(srv, now);
    return store_session_insert(srv->store, out);
}

bool session_csrf_ok(const struct session *s, const char *token)
{
    if (token == NULL || strlen(token) > 512)
        return false;
    char hash[TOKEN_HASH_HEX + 1];
    sha256_hex(token, strlen(token), hash);
    return ct_equal(hash, s->csrf_hash, TOKEN_HASH_HEX);
}

int session_refresh_csrf(struct server *srv, struct session *s, const char *cookie,
                         const char *presented, struct session_cookies *ck)
{
    memcpy(ck->id, cookie, SESSION_ID_LEN + 1);
    if (value_ok(presented, SESSION_CSRF_LEN) && session_csrf_ok(s, presented)) {
        memcpy(ck->csrf, presented, SESSION_CSRF_LEN + 1);
        return 0;
    }
    random_alnum(ck->csrf, SESSION_CSRF_LEN);
    sha256_hex(ck->csrf, SESSION_CSRF_LEN, s->csrf_hash);
    return store_session_set_csrf(srv->store, s->id_hash, s->csrf_hash);
}

int session_login(struct server *srv, const struct session *current, const char *csrf,
                  const struct principal *p, const char *ip, const char *ua, struct session *out,
                  struct session_cookies *ck)
{
    int64_t now = server_now(srv);
    bool keep = current != NULL && value_ok(csrf, SESSION_CSRF_LEN);
    *out = (struct session){.user_id = p->user.id, .tenant_id = p->has_tenant ? p->tenant.id : 0};
    fresh_values(out, ck, !keep);
    start_times(srv, out, ip, ua, now);
    int rc = ERR_NOT_FOUND;
    if (keep) {
        memcpy(ck->csrf, csrf, SESSION_CSRF_LEN + 1);
        memcpy(out->csrf_hash, current->csrf_hash, TOKEN_HASH_HEX + 1);
        rc = store_session_move(srv->store, current->id_hash, out);
    }
    if (rc == ERR_NOT_FOUND) {
        /* No session, or it ended meanwhile (a logout in another tab). */
        if (keep)
            fresh_values(out, ck, true);
        prune(srv, now);
        rc = store_session_insert(srv->store, out);
    }
    return rc;
}

int session_principal(struct server *srv, struct arena *a, const struct session *s,
                      struct principal *p)
{
    memset(p, 0, sizeof(*p));
    p->via = VIA_SESSION;
    p->has_session = true;
    p->session = *s;
    if (s->user_id == 0)
        return ERR_UNAUTHENTICATED;
    int rc = store_user_by_id(srv->store, a, s->user_id, &p->user);
    if (rc == ERR_NOT_FOUND)
        return ERR_UNAUTHENTICATED;
    if (rc != 0)
        return rc;
    if (s->tenant_id != 0)
        rc = principal_bind_tenant(srv, a, p, NULL, s->tenant_id);
    else
        rc = principal_check_user(p);
    if (rc == ERR_FORBIDDEN && p->refusal != REFUSE_TENANT_SUSPENDED) {
        int drc = store_session_delete(srv->store, s->id_hash);
        if (drc != 0 && drc != ERR_NOT_FOUND)
            log_warnx("event=session_delete_failed err=\"%s\"", err_str(drc));
        struct audit_detail d;
        audit_detail_init(&d);
        audit_detail_str(&d, "reason", "refused");
        audit_record(srv, s->tenant_id, s->user_id, "session.ended", NULL, &d);
    }
    return rc;
}

int session_switch_tenant(struct server *srv, struct arena *a, const struct principal *p,
                          int64_t tenant_id, const char *ip)
{
    if (!p->has_session || p->session.user_id == 0 || tenant_id <= 0)
        return ERR_FORBIDDEN;
    struct principal target = *p;
    int rc = principal_bind_tenant(srv, a, &target, NULL, tenant_id);
    if (rc == ERR_NOT_FOUND)
        rc = ERR_FORBIDDEN;
    if (rc != 0)
        return rc;
    /* The row keeps its id, token, client and times: a move onto itself
     * with another tenant. */
    struct session moved = p->session;
    moved.tenant_id = tenant_id;
    rc = store_session_move(srv->store, p->session.id_hash, &moved);
    if (rc != 0)
        return rc;
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, "from_tenant_id", p->session.tenant_id);
    audit_record(srv, tenant_id, p->session.user_id, "session.tenant_switched", ip, &d);
    return 0;
}

int session_logout(struct server *srv, const struct session *s, const char *ip)
{
    int rc = store_session_delete(srv->store, s->id_hash);
    if (rc == ERR_NOT_FOUND)
        rc = 0; /* ended meanwhile: the same outcome */
    if (rc == 0 && s->user_id != 0)
        audit_record(srv, s->tenant_id, s->user_id, "logout", ip, NULL);
    return rc;
}

int session_list_user(struct server *srv, struct arena *a, int64_t user_id, struct session **out,
                      size_t *n)
{
    *out = NULL;
    *n = 0;
    struct session *rows = NULL;
    size_t count = 0;
    int rc = store_session_list_by_user(srv->store, a, user_id, &rows, &count);
    if (rc != 0)
        return rc;
    int64_t now = server_now(srv);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        if (!ended(srv, &rows[i], now))
            rows[kept++] = rows[i];
    }
    *out = rows;
    *n = kept;
    return 0;
}

int session_end_others(struct server *srv, const struct session *s, const char *ip, int64_t *n)
{
    int64_t count = 0;
    int rc = store_session_delete_user_except(srv->store, s->user_id, s->id_hash, &count);
    if (rc != 0)
        return rc;
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, "sessions_ended", count);
    audit_record(srv, s->tenant_id, s->user_id, "session.others_ended", ip, &d);
    if (n != NULL)
        *n = count;
    return 0;
}
