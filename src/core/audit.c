/*
 * audit.c - builds audit details and writes audit_log rows. A failed write
 * is logged and dropped: the audited action has already happened and must
 * not be reported as failed because its record could not be written.
 */
#include "core/audit.h"

#include <stddef.h>
#include <string.h>

#include "server.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timeutil.h"

/* U+FFFD, written for each byte that does not start a valid sequence. */
static const char replacement[] = "\xEF\xBF\xBD";

/* The length of the UTF-8 sequence lead announces (1 for a stray byte). */
static size_t seq_len(unsigned char lead)
{
    if (lead >= 0xF0)
        return 4;
    if (lead >= 0xE0)
        return 3;
    if (lead >= 0xC0)
        return 2;
    return 1;
}

/* s with every byte that is not part of a valid UTF-8 sequence replaced
 * by U+FFFD, in out (reset first). */
static void utf8_repair(const char *s, size_t n, struct buf *out)
{
    buf_reset(out);
    size_t i = 0;
    while (i < n) {
        size_t len = seq_len((unsigned char)s[i]);
        if (i + len <= n && utf8_valid(s + i, len)) {
            buf_append(out, s + i, len);
            i += len;
        } else {
            buf_puts(out, replacement);
            i++;
        }
    }
}

void audit_detail_init(struct audit_detail *d)
{
    buf_init(&d->b);
    jw_init(&d->w, &d->b);
    jw_obj_begin(&d->w);
    d->closed = false;
}

void audit_detail_str(struct audit_detail *d, const char *key, const char *value)
{
    jw_key(&d->w, key);
    if (value == NULL) {
        jw_null(&d->w);
        return;
    }
    size_t n = strlen(value);
    if (utf8_valid(value, n)) {
        jw_str(&d->w, value);
        return;
    }
    struct buf fixed;
    buf_init(&fixed);
    utf8_repair(value, n, &fixed);
    jw_str(&d->w, fixed.data != NULL ? fixed.data : "");
    buf_fini(&fixed);
}

void audit_detail_int(struct audit_detail *d, const char *key, long long value)
{
    jw_key(&d->w, key);
    jw_int(&d->w, value);
}

void audit_detail_bool(struct audit_detail *d, const char *key, bool value)
{
    jw_key(&d->w, key);
    jw_bool(&d->w, value);
}

const char *audit_detail_json(struct audit_detail *d)
{
    if (!d->closed) {
        jw_obj_end(&d->w);
        d->closed = true;
    }
    return d->b.data;
}

void audit_detail_fini(struct audit_detail *d)
{
    buf_fini(&d->b);
    d->closed = true;
}

/* Counts the actions /metrics shows (struct server_counters). */
static void count_action(struct server *srv, const char *action)
{
    static const struct {
        const char *action;
        size_t offset;
    } counted[] = {
        {"login.success", offsetof(struct server_counters, logins_ok)},
        {"login.failure", offsetof(struct server_counters, logins_failed)},
        {"token.create", offsetof(struct server_counters, tokens_issued)},
        {"token.refresh", offsetof(struct server_counters, tokens_issued)},
        {"token.revoke", offsetof(struct server_counters, tokens_revoked)},
        {"api_token.revoke", offsetof(struct server_counters, tokens_revoked)},
    };
    for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++) {
        if (strcmp(action, counted[i].action) == 0) {
            atomic_uint_fast64_t *n =
                (atomic_uint_fast64_t *)((char *)&srv->counters + counted[i].offset);
            atomic_fetch_add_explicit(n, 1, memory_order_relaxed);
            return;
        }
    }
}

void audit_record(struct server *srv, int64_t tenant_id, int64_t user_id, const char *action,
                  const char *ip, struct audit_detail *detail)
{
    struct audit_entry e = {
        .at = time_now(),
        .tenant_id = tenant_id,
        .user_id = user_id,
        .action = action,
        .ip = ip,
        .detail = detail != NULL ? audit_detail_json(detail) : NULL,
    };
    count_action(srv, action);
    if (store_audit_insert(srv->store, &e) != 0)
        log_error("event=audit_write_failed action=%s user=%lld", action, (long long)user_id);
    if (detail != NULL)
        audit_detail_fini(detail);
}

int audit_search(struct server *srv, struct arena *a, const struct audit_filter *f,
                 struct audit_entry **out, size_t *n, int64_t *total)
{
    return store_audit_search(srv->store, a, f, out, n, total);
}
