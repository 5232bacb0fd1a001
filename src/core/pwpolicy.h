/*
 * pwpolicy.h - which new passwords are refused (issue 16; NIST SP 800-63B
 * section 5.1.1.2): those found in a list of common, breached passwords,
 * one character repeated, and those equal to the account's email, its
 * local part or the name. Length rules stay with each surface's
 * validation; this is checked after them, everywhere a password is set
 * (register, reset, change, invitation accept, admin create, CLI).
 *
 * The list is the 30,000 most common passwords of zxcvbn 4.4.2 (MIT),
 * embedded at build time (common_passwords.inc, made by
 * scripts/gen-common-passwords.sh), sorted, searched with bsearch after
 * ASCII lower-casing. LATCHKEY_PASSWORD_BREACHED_CHECK=off turns the list
 * (and the repeated-character rule) off; the personal rule stays.
 * Stateless and thread-safe; nothing here logs.
 */
#pragma once
#include <stdbool.h>

struct server;

enum pwpolicy_result {
    PWPOLICY_OK = 0,
    PWPOLICY_COMMON,   /* in the list, or one character repeated */
    PWPOLICY_PERSONAL, /* the email, its local part or the name */
};

/* Laravel's Password::uncompromised() wording, for PWPOLICY_COMMON. */
#define PWPOLICY_COMMON_MESSAGE                                                                    \
    "The given password has appeared in a data leak. Please choose a different password."
#define PWPOLICY_PERSONAL_MESSAGE "The password must not be your email address or your name."

/*
 * Checks a new password; email and name (may be NULL) are the account's.
 * srv gives the setting; NULL checks everything.
 */
enum pwpolicy_result pwpolicy_check(const struct server *srv, const char *password,
                                    const char *email, const char *name);
/* The message for a refusal, NULL for PWPOLICY_OK. */
const char *pwpolicy_message(enum pwpolicy_result r);
/* True if password, lower-cased, is in the embedded list. */
bool pwpolicy_is_common(const char *password);
