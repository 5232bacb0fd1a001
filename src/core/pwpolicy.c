/*
 * pwpolicy.c - refusing common and personal passwords (see pwpolicy.h).
 *
 * The list is a static sorted array of string literals; a lookup
 * lower-cases the candidate (ASCII only: the list is ASCII) into a stack
 * buffer and bsearches it, about 15 comparisons. A candidate longer than
 * the longest entry cannot match and is not copied.
 */
#include "core/pwpolicy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"

static const char *const common[] = {
#include "core/common_passwords.inc"
};

#define N_COMMON  (sizeof(common) / sizeof(common[0]))
#define ENTRY_MAX 64 /* longer than any entry (the longest has 20 bytes) */

static int cmp_entry(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool pwpolicy_is_common(const char *password)
{
    char lower[ENTRY_MAX];
    size_t n = strnlen(password, ENTRY_MAX);
    if (n >= ENTRY_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = password[i];
        lower[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    lower[n] = '\0';
    return bsearch(lower, common, N_COMMON, sizeof(common[0]), cmp_entry) != NULL;
}

/* One character (byte) repeated: "aaaaaaaa", "11111111". */
static bool repeated(const char *password)
{
    if (password[0] == '\0')
        return false;
    for (const char *c = password + 1; *c; c++) {
        if (*c != password[0])
            return false;
    }
    return true;
}

/* True if password equals s[0..n) ignoring ASCII case. */
static bool equals_n(const char *password, const char *s, size_t n)
{
    return n > 0 && strlen(password) == n && strncasecmp(password, s, n) == 0;
}

static bool personal(const char *password, const char *email, const char *name)
{
    if (email != NULL) {
        const char *at = strchr(email, '@');
        if (equals_n(password, email, strlen(email)) ||
            (at != NULL && equals_n(password, email, (size_t)(at - email))))
            return true;
    }
    return name != NULL && equals_n(password, name, strlen(name));
}

enum pwpolicy_result pwpolicy_check(const struct server *srv, const char *password,
                                    const char *email, const char *name)
{
    if (password == NULL)
        return PWPOLICY_OK;
    if (personal(password, email, name))
        return PWPOLICY_PERSONAL;
    bool list = srv == NULL || srv->cfg.password_breached_check;
    if (list && (repeated(password) || pwpolicy_is_common(password)))
        return PWPOLICY_COMMON;
    return PWPOLICY_OK;
}

const char *pwpolicy_message(enum pwpolicy_result r)
{
    switch (r) {
    case PWPOLICY_COMMON: return PWPOLICY_COMMON_MESSAGE;
    case PWPOLICY_PERSONAL: return PWPOLICY_PERSONAL_MESSAGE;
    default: return NULL;
    }
}
