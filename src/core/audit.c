/*
 * audit.c - writes audit_log rows. A failed write is logged and dropped:
 * the audited action has already happened and must not be reported as
 * failed because its record could not be written.
 */
#include "core/audit.h"

#include "server.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"

void audit_record(struct server *srv, int64_t tenant_id, int64_t user_id, const char *action,
                  const char *ip, const char *detail)
{
    struct audit_entry e = {
        .at = time_now(),
        .tenant_id = tenant_id,
        .user_id = user_id,
        .action = action,
        .ip = ip,
        .detail = detail,
    };
    if (store_audit_insert(srv->store, &e) != 0)
        log_error("event=audit_write_failed action=%s user=%lld", action, (long long)user_id);
}
