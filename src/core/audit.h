/*
 * audit.h - the audit log: logins (success and failure), token changes,
 * role and membership changes. A failure to write is logged, never fatal
 * to the request that caused it.
 *
 * An entry's detail is a JSON object built member by member with the
 * audit_detail_* calls, never formatted by hand: every value is escaped
 * (quotes, backslashes, control characters; bytes that are not UTF-8
 * become U+FFFD), nothing is ever cut short, and the result is always one
 * valid JSON object. It must never hold a secret.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/jsonw.h"

struct arena;
struct server;

/* A detail object being built. Embedded: audit_detail_init, then members,
 * then audit_record (which finishes it) or audit_detail_fini. */
struct audit_detail {
    struct buf b;
    struct jw w;
    bool closed;
};

/* Starts an empty object. */
void audit_detail_init(struct audit_detail *d);
/* Adds "key": value; key is a literal of the caller's, value is borrowed
 * (NULL writes null). */
void audit_detail_str(struct audit_detail *d, const char *key, const char *value);
void audit_detail_int(struct audit_detail *d, const char *key, long long value);
void audit_detail_bool(struct audit_detail *d, const char *key, bool value);
/* Closes the object (no member may follow) and returns its text, owned
 * by d until audit_detail_fini. */
const char *audit_detail_json(struct audit_detail *d);
/* Frees the text. Accepts a detail that was already finished. */
void audit_detail_fini(struct audit_detail *d);

/* A page of entries matching f (the store's audit_filter), newest first,
 * and *total over all pages (arena rows). */
int audit_search(struct server *srv, struct arena *a, const struct audit_filter *f,
                 struct audit_entry **out, size_t *n, int64_t *total)
    __attribute__((warn_unused_result));

/* Writes one entry. detail (may be NULL: no detail) is finished and freed
 * (audit_detail_fini) in every case. */
void audit_record(struct server *srv, int64_t tenant_id, int64_t user_id, const char *action,
                  const char *ip, struct audit_detail *detail);
