/*
 * reset.c - password resets by email (reset.h).
 *
 * No enumeration: reset_request() does the same on the request thread for
 * every address - it copies the address into a job for the mail thread and
 * returns - so neither the answer nor its timing depends on the address.
 * The job (throttle check, random token, SHA-256, user and staff lookups,
 * for an active staff member the reset row and the email, one audit row)
 * runs on the mail thread, in order with the deliveries. The throttle is
 * keyed by the hash of the folded address, so it also counts unknown
 * addresses and keeps no address in memory.
 */
#include "core/reset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/ratelimit.h"
#include "core/staff.h"
#include "core/user.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "mail/mail.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* True if this address may get another email now (counts the attempt). */
static bool throttle_allows(struct server *srv, const char *email_hash, enum reset_audience who)
{
    const struct rate_rule *rule =
        config_rate(&srv->cfg, who == RESET_STAFF ? "admin_reset_email" : "web_reset_email");
    if (rule == NULL)
        return true;
    struct rate_result res;
    ratelimit_hit(srv->limiter, rule->name, email_hash, rule->limit, rule->window_s,
                  server_now(srv), &res);
    if (!res.allowed)
        ratelimit_refused(srv->limiter, rule->name);
    return res.allowed;
}

/* The first name, or the first word of the name (as the admin API shows
 * first_name for users created with a single name). */
static const char *greeting_name(struct arena *a, const struct user *u)
{
    if (u->first_name != NULL && u->first_name[0] != '\0')
        return u->first_name;
    const char *sp = strchr(u->name, ' ');
    return sp != NULL ? arena_strndup(a, u->name, (size_t)(sp - u->name)) : u->name;
}

/* The emailed link for the audience (arena). */
static const char *reset_link(struct server *srv, struct arena *a, const struct user *u,
                              const char *token, enum reset_audience who)
{
    if (who == RESET_STAFF) {
        const char *keys[] = {"token", "email"};
        const char *values[] = {token, u->email};
        return mail_url(a, srv->cfg.public_url, RESET_LINK_PATH, keys, values, 2);
    }
    const char *keys[] = {"email"};
    const char *values[] = {u->email};
    return mail_url(a, srv->cfg.public_url, arena_printf(a, RESET_WEB_LINK_PATH "%s", token), keys,
                    values, 1);
}

/* Stores the reset and queues the email. */
static int send_reset(struct server *srv, struct arena *a, const struct user *u, const char *token,
                      const char *hash, enum reset_audience who)
{
    struct password_reset r = {.email = u->email, .created_at = server_now(srv)};
    memcpy(r.token_hash, hash, TOKEN_HASH_HEX + 1);
    int rc = store_reset_insert(srv->store, &r);
    if (rc != 0)
        return rc;
    struct mail_action act = {
        .to = u->email,
        .to_name = u->name,
        .subject = "Reset Password Notification",
        .greeting = arena_printf(a, "Hello %s,", greeting_name(a, u)),
        .intro = "You are receiving this email because we received a password reset request "
                 "for your account.",
        .action_label = "Reset Password",
        .action_url = reset_link(srv, a, u, token, who),
        .outro = arena_printf(a,
                              "This password reset link will expire in %d minutes.\n\nIf you "
                              "did not request a password reset, no further action is required.",
                              RESET_TTL_S / 60),
        .kind = "password_reset",
    };
    struct mail_message msg;
    mail_render_action(a, &act, &msg);
    return mail_send(srv->mailer, &msg);
}

/* A forgot-password request, handled on the mail thread. */
struct reset_job {
    struct server *srv;
    char email[USER_EMAIL_MAX + 2]; /* longer input is cut, and then unknown */
    char ip[64];
    enum reset_audience who;
};

static void reset_job_run(void *arg)
{
    struct reset_job *j = arg;
    struct server *srv = j->srv;
    struct arena *a = arena_new();
    const char *folded = user_email_fold(a, j->email);
    char email_hash[TOKEN_HASH_HEX + 1], hash[TOKEN_HASH_HEX + 1];
    char token[RESET_TOKEN_LEN + 1];
    sha256_hex(folded, strlen(folded), email_hash);
    bool allowed = throttle_allows(srv, email_hash, j->who);
    random_alnum(token, RESET_TOKEN_LEN);
    sha256_hex(token, RESET_TOKEN_LEN, hash);

    struct user u;
    struct role role;
    int rc = user_find_email(srv, a, folded, &u);
    bool found = rc == 0;
    /* The staff lookup runs for every audience and address alike. */
    int staff_rc = staff_role_of(srv, a, found ? u.id : 0, &role);
    bool eligible = found && (staff_rc == 0 || j->who == RESET_USERS) && u.status == USER_ACTIVE;
    const char *outcome = "ignored";
    if (rc != 0 && rc != ERR_NOT_FOUND)
        outcome = "error";
    else if (eligible && !allowed)
        outcome = "throttled";
    else if (eligible) {
        rc = send_reset(srv, a, &u, token, hash, j->who);
        outcome = rc == 0 ? "sent" : "error";
        if (rc != 0)
            log_error("event=reset_not_sent user=%lld err=\"%s\"", (long long)u.id, err_str(rc));
    }
    secure_wipe(token, sizeof(token));
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_str(&d, "outcome", outcome);
    audit_detail_str(&d, "audience", j->who == RESET_STAFF ? "staff" : "users");
    audit_record(srv, 0, found ? u.id : 0, "password.reset_requested", j->ip[0] ? j->ip : NULL, &d);
    arena_free(a);
    free(j);
}

void reset_request(struct server *srv, const char *email, const char *ip, enum reset_audience who)
{
    struct reset_job *j = xcalloc(1, sizeof(*j));
    j->srv = srv;
    j->who = who;
    snprintf(j->email, sizeof(j->email), "%s", email);
    snprintf(j->ip, sizeof(j->ip), "%s", ip != NULL ? ip : "");
    if (mail_defer(srv->mailer, reset_job_run, j) != 0)
        free(j);
}

int reset_check(struct server *srv, struct arena *a, const char *token, const char *email,
                struct password_reset *reset, struct user *user)
{
    char hash[TOKEN_HASH_HEX + 1];
    if (token == NULL || email == NULL || strlen(token) > 512)
        return ERR_INVALID;
    sha256_hex(token, strlen(token), hash);
    int rc = store_reset_by_hash(srv->store, a, hash, reset);
    if (rc == ERR_NOT_FOUND)
        return ERR_INVALID;
    if (rc != 0)
        return rc;
    const char *folded = user_email_fold(a, email);
    if (reset->used_at != 0 || reset->created_at + RESET_TTL_S <= server_now(srv) ||
        strcmp(reset->email, folded) != 0)
        return ERR_INVALID;
    rc = user_find_email(srv, a, folded, user);
    return rc == ERR_NOT_FOUND ? ERR_INVALID : rc;
}

int reset_complete(struct server *srv, const struct password_reset *reset, int64_t user_id,
                   const char *new_hash, const char *ip)
{
    int64_t now = time_now(), tokens = 0, sessions = 0;
    int rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    rc = store_reset_use(srv->store, reset->token_hash, now);
    if (rc == ERR_NOT_FOUND)
        rc = ERR_INVALID;
    if (rc == 0)
        rc = store_user_set_password(srv->store, user_id, new_hash);
    if (rc == 0)
        rc = store_reset_use_email(srv->store, reset->email, now);
    if (rc == 0)
        rc = store_token_revoke_user_except(srv->store, user_id, 0, now, &tokens);
    if (rc == 0)
        rc = store_session_delete_by_user(srv->store, user_id, &sessions);
    if (rc != 0) {
        store_tx_rollback(srv->store);
        return rc;
    }
    rc = store_tx_commit(srv->store);
    if (rc == 0) {
        struct audit_detail d;
        audit_detail_init(&d);
        audit_detail_int(&d, "tokens_revoked", tokens);
        audit_detail_int(&d, "sessions_ended", sessions);
        audit_record(srv, 0, user_id, "password.reset", ip, &d);
    }
    return rc;
}

int reset_begin(struct server *srv, struct arena *a, struct reset_completion *c, const char *token,
                const char *email, const char *password)
{
    memset(c, 0, sizeof(*c));
    c->srv = srv;
    struct user u;
    int rc = reset_check(srv, a, token, email, &c->reset, &u);
    if (rc != 0)
        return rc;
    c->user_id = u.id;
    c->password = xstrdup(password);
    return 0;
}

void reset_work(void *arg)
{
    struct reset_completion *c = arg;
    c->hash_rc = password_hash(&c->srv->pw, c->password, c->hash);
}

int reset_finish(struct reset_completion *c, const char *ip)
{
    if (c->hash_rc != 0)
        return c->hash_rc;
    return reset_complete(c->srv, &c->reset, c->user_id, c->hash, ip);
}

void reset_fini(struct reset_completion *c)
{
    if (c->password != NULL) {
        secure_wipe(c->password, strlen(c->password));
        free(c->password);
        c->password = NULL;
    }
    secure_wipe(c->hash, sizeof(c->hash));
}
