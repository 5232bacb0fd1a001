/*
 * apitoken.c - the per-user API token: rotation (see apitoken.h).
 */
#include "core/apitoken.h"

#include "core/audit.h"
#include "core/token.h"
#include "server.h"
#include "store/store.h"
#include "util/err.h"
#include "util/timeutil.h"

/* The user's earliest active membership's tenant, else 0. */
static int default_site(struct server *srv, struct arena *a, int64_t user_id, int64_t *tenant_id)
{
    struct membership *ms;
    size_t n;
    int rc = store_membership_list_by_user(srv->store, a, user_id, &ms, &n);
    for (size_t i = 0; rc == 0 && i < n && *tenant_id == 0; i++) {
        if (ms[i].status == MEMBER_ACTIVE)
            *tenant_id = ms[i].tenant_id;
    }
    return rc;
}

int apitoken_rotate(struct server *srv, struct arena *a, int64_t user_id, int64_t tenant_id,
                    const char *ip, char **plaintext)
{
    int64_t revoked = 0;
    struct token t = {0};
    int rc = tenant_id != 0 ? 0 : default_site(srv, a, user_id, &tenant_id);
    if (rc != 0)
        return rc;
    rc = store_tx_begin(srv->store);
    if (rc != 0)
        return rc;
    rc = store_token_revoke_user_name(srv->store, user_id, tenant_id, API_TOKEN_NAME, time_now(),
                                      &revoked);
    if (rc == 0) {
        struct token_request rq = {
            .user_id = user_id,
            .tenant_id = tenant_id,
            .name = API_TOKEN_NAME,
            .kind = TOKEN_PAT,
            .ip = ip,
        };
        rc = token_issue(srv, a, &rq, &t, plaintext);
    }
    rc = store_tx_end(srv->store, rc);
    if (rc != 0)
        return rc;
    if (revoked > 0) {
        struct audit_detail d;
        audit_detail_init(&d);
        audit_detail_int(&d, "revoked", revoked);
        audit_detail_int(&d, "replaced_by", t.id);
        audit_record(srv, tenant_id, user_id, "api_token.revoke", ip, &d);
    }
    return 0;
}
