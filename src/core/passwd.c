/*
 * passwd.c - password change with revocation of the user's other
 * credentials (see passwd.h).
 *
 * The new hash and the revocations commit together: after a successful
 * answer no token or session made before the change works, except the one
 * the change was made with.
 */
#include "core/passwd.h"

#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

void passwd_begin(struct server *srv, struct arena *a, struct passwd_change *pc,
                  const struct principal *p, const char *current, const char *new_password,
                  const char *ip)
{
    memset(pc, 0, sizeof(*pc));
    pc->srv = srv;
    pc->user_id = p->user.id;
    pc->tenant_id = p->has_tenant ? p->tenant.id : 0;
    pc->keep_token_id = p->token.id;
    pc->keep_session = p->via == VIA_SESSION ? arena_strdup(a, p->session.id_hash) : NULL;
    pc->ip = ip;
    pc->old_hash = arena_strdup(a, p->user.password_hash);
    pc->current = xstrdup(current);
    pc->new_password = xstrdup(new_password);
}

void passwd_work(void *arg)
{
    struct passwd_change *pc = arg;
    pc->verified = pc->old_hash != NULL && password_verify(pc->current, pc->old_hash);
    if (pc->verified)
        pc->hash_rc = password_hash(&pc->srv->pw, pc->new_password, pc->new_hash);
}

/* The writes, inside one transaction. */
static int apply(struct passwd_change *pc, int64_t now, int64_t *tokens, int64_t *sessions)
{
    struct store *st = pc->srv->store;
    int rc = store_tx_begin(st);
    if (rc != 0)
        return rc;
    rc = store_user_set_password(st, pc->user_id, pc->new_hash);
    if (rc == 0)
        rc = store_token_revoke_user_except(st, pc->user_id, pc->keep_token_id, now, tokens);
    if (rc == 0 && pc->keep_session != NULL)
        rc = store_session_delete_user_except(st, pc->user_id, pc->keep_session, sessions);
    else if (rc == 0)
        rc = store_session_delete_by_user(st, pc->user_id, sessions);
    if (rc != 0) {
        store_tx_rollback(st);
        return rc;
    }
    return store_tx_commit(st);
}

int passwd_finish(struct passwd_change *pc, int64_t *revoked)
{
    int64_t tokens = 0, sessions = 0;
    if (revoked != NULL)
        *revoked = 0;
    struct audit_detail d;
    if (!pc->verified) {
        audit_detail_init(&d);
        audit_detail_str(&d, "reason", "current_password");
        audit_record(pc->srv, pc->tenant_id, pc->user_id, "password.change_failure", pc->ip, &d);
        return ERR_UNAUTHENTICATED;
    }
    if (pc->hash_rc != 0)
        return pc->hash_rc;
    int rc = apply(pc, time_now(), &tokens, &sessions);
    if (rc != 0)
        return rc;
    audit_detail_init(&d);
    audit_detail_int(&d, "revoked_tokens", tokens);
    audit_detail_int(&d, "deleted_sessions", sessions);
    audit_record(pc->srv, pc->tenant_id, pc->user_id, "password.change", pc->ip, &d);
    if (revoked != NULL)
        *revoked = tokens;
    return 0;
}

void passwd_fini(struct passwd_change *pc)
{
    if (pc->current != NULL) {
        secure_wipe(pc->current, strlen(pc->current));
        free(pc->current);
        pc->current = NULL;
    }
    if (pc->new_password != NULL) {
        secure_wipe(pc->new_password, strlen(pc->new_password));
        free(pc->new_password);
        pc->new_password = NULL;
    }
    secure_wipe(pc->new_hash, sizeof(pc->new_hash));
}
