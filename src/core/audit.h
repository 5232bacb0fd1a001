/*
 * audit.h - the audit log: logins (success and failure), token changes,
 * role and membership changes. A failure to write is logged, never fatal
 * to the request that caused it. detail is a JSON object text or NULL and
 * must never hold a secret.
 */
#pragma once
#include <stdint.h>

struct server;

void audit_record(struct server *srv, int64_t tenant_id, int64_t user_id, const char *action,
                  const char *ip, const char *detail);
