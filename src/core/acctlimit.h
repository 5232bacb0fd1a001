/*
 * acctlimit.h - password guessing limited per account, across addresses
 * and routes (issue 16): every password check of an email (the travel,
 * AutoCom, admin and WedoCOD logins, WNCMS Basic auth) counts a failure
 * against that email in one bucket, LATCHKEY_RATE_ACCOUNT_LOGIN (10 per
 * 300 s by default, in memory or in Redis like every limit). Once it is
 * reached, the email's password is not checked again until the window
 * ends (429 with Retry-After) - except from an address (IPv6: its /64)
 * that signed in to that account with its password in the last 30 days:
 * an attacker can hold a lock on an account, but not against its owner's
 * usual address. A correct password clears the failures and marks the
 * address as known. Unknown emails count like known ones, so the limit
 * tells nothing about which exist. Thread-safe (the limiter's locks).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct server;

#define ACCTLIMIT_BUCKET  "account_login"
#define ACCTLIMIT_KNOWN_S (30 * 86400) /* how long a signed-in address stays known */

/*
 * True if email (folded) is locked for the client address ip: too many
 * failures and ip is not a known address of the account. *retry_after
 * receives the seconds until the lock ends.
 */
bool acctlimit_locked(struct server *srv, const char *email, const char *ip, uint32_t *retry_after);
/* Records the outcome of a password check of email from ip. */
void acctlimit_record(struct server *srv, const char *email, const char *ip, bool ok);
