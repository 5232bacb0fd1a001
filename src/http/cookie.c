/*
 * cookie.c - request cookies and Set-Cookie headers.
 *
 * Reading: libmicrohttpd parses the Cookie header into MHD_COOKIE_KIND
 * values. Writing: one Set-Cookie header per cookie, with the attributes
 * every cookie of ours has (Path=/, SameSite=Lax) and those the caller
 * chooses (HttpOnly, Secure, lifetime). Stateless; no locking.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

/* Longest cookie value we write (ours are ids and tokens of 40 characters). */
#define COOKIE_VALUE_MAX 512

const char *http_cookie(struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

/* True if s may be a cookie name (RFC 6265 token; ours are plain). */
static bool name_ok(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* True if s may be a cookie value as is (RFC 6265 cookie-octet). */
static bool value_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\')
            return false;
    }
    return n <= COOKIE_VALUE_MAX;
}

/* "Thu, 01 Jan 1970 00:00:00 GMT" (RFC 7231 IMF-fixdate) into out. */
static void http_date(int64_t t, char out[40])
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL) {
        snprintf(out, 40, "Thu, 01 Jan 1970 00:00:00 GMT");
        return;
    }
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void http_set_cookie(struct request *req, const struct http_cookie *c)
{
    const char *value = c->max_age > 0 ? c->value : "";
    if (!name_ok(c->name) || value == NULL || !value_ok(value)) {
        log_warnx("req=%s msg=\"cookie not set: bad name or value\"", req->id);
        return;
    }
    char date[40];
    struct buf b;
    buf_init(&b);
    buf_printf(&b, "%s=%s; Path=/", c->name, value);
    int64_t max_age = c->max_age > 0 ? c->max_age : 0;
    http_date(max_age > 0 ? time_now() + max_age : 0, date);
    buf_printf(&b, "; Max-Age=%lld; Expires=%s", (long long)max_age, date);
    if (c->http_only)
        buf_puts(&b, "; HttpOnly");
    if (c->secure)
        buf_puts(&b, "; Secure");
    buf_puts(&b, "; SameSite=Lax");
    http_reply_header(req, "Set-Cookie", b.data);
    buf_fini(&b);
}
