/*
 * message.c - RFC 5322 / MIME message text (mail.h: mail_build).
 *
 * Header injection is impossible by construction: addresses must pass
 * mail_address_valid() (no spaces or control characters at all), and every
 * free-text header value (names, subject) has its control characters
 * replaced by spaces, then goes out either as plain printable ASCII or as
 * RFC 2047 base64 encoded-words. Bodies are quoted-printable, so no body
 * line can be mistaken for a header, the end of a part, or SMTP's lone ".".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/mail.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/xalloc.h"

#define QP_LINE_MAX      76
#define SUBJECT_MAX      998 /* bytes, before encoding */
#define NAME_MAX_BYTES   256
#define ENCODED_WORD_MAX 75 /* RFC 2047 section 2 */

bool mail_address_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 254)
        return false;
    const char *at = strchr(s, '@');
    if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
        return false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c >= 0x7f || strchr("<>()[]\\,;:\"", c) != NULL)
            return false;
    }
    return true;
}

static bool boundary_valid(const char *b)
{
    size_t n = strlen(b);
    if (n == 0 || n > 60)
        return false;
    for (const char *p = b; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '=' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

/* A copy of s (at most max bytes, not splitting a UTF-8 sequence) with
 * every control character (C0, DEL) replaced by a space. */
static char *clean_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    char *out = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    out[n] = '\0';
    return out;
}

static bool all_printable_ascii(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    }
    return true;
}

static void base64(struct buf *out, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        buf_putc(out, tab[(v >> 18) & 63]);
        buf_putc(out, tab[(v >> 12) & 63]);
        buf_putc(out, i + 1 < n ? tab[(v >> 6) & 63] : '=');
        buf_putc(out, i + 2 < n ? tab[v & 63] : '=');
    }
}

/* The length of the last (unfinished) line in out. */
static size_t line_len(const struct buf *out)
{
    size_t i = out->len;
    while (i > 0 && out->data[i - 1] != '\n')
        i--;
    return out->len - i;
}

/*
 * s as RFC 2047 "=?UTF-8?B?...?=" words, separated by folding whitespace
 * (CRLF SP), each sized so its line stays within 76 characters (at most 45
 * bytes of input per word, so each word is at most 72 characters), and cut
 * only between UTF-8 sequences so each word decodes on its own.
 */
static void encoded_words(struct buf *out, const char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        if (i > 0)
            buf_puts(out, "\r\n ");
        size_t col = line_len(out);
        size_t room = col + 12 + 4 < 76 ? 76 - col - 12 : 4;
        size_t take = room / 4 * 3;
        if (take > 45)
            take = 45;
        if (take > n - i)
            take = n - i;
        while (take > 1 && i + take < n && ((unsigned char)s[i + take] & 0xC0) == 0x80)
            take--;
        buf_puts(out, "=?UTF-8?B?");
        base64(out, (const unsigned char *)s + i, take);
        buf_puts(out, "?=");
        i += take;
    }
}

/* A display name: as is when it is plain words, else a quoted-string when
 * it is printable ASCII, else encoded-words. */
static void put_name(struct buf *out, const char *raw)
{
    char *name = clean_text(raw, NAME_MAX_BYTES);
    bool atoms = true;
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        bool atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == ' ' || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
        if (!atext)
            atoms = false;
    }
    if (atoms && strstr(name, "=?") == NULL) {
        buf_puts(out, name);
    } else if (all_printable_ascii(name) && strstr(name, "=?") == NULL) {
        buf_putc(out, '"');
        for (const char *p = name; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_putc(out, '\\');
            buf_putc(out, *p);
        }
        buf_putc(out, '"');
    } else {
        encoded_words(out, name);
    }
    free(name);
}

static void put_mailbox(struct buf *out, const char *header, const char *name, const char *addr)
{
    buf_printf(out, "%s: ", header);
    char *clean = name != NULL ? clean_text(name, NAME_MAX_BYTES) : NULL;
    bool has_name = clean != NULL && strspn(clean, " ") != strlen(clean);
    free(clean);
    if (has_name) {
        put_name(out, name);
        /* Fold before the address rather than run past 78 characters. */
        buf_puts(out, line_len(out) + strlen(addr) + 3 > 78 ? "\r\n" : "");
        buf_printf(out, " <%s>\r\n", addr);
    } else {
        buf_printf(out, "%s\r\n", addr);
    }
}

static void put_subject(struct buf *out, const char *raw)
{
    char *subject = clean_text(raw, SUBJECT_MAX);
    buf_puts(out, "Subject: ");
    /* Plain ASCII up to a comfortable length goes as is; anything else
     * (or a value that would need folding) as encoded-words. */
    if (all_printable_ascii(subject) && strlen(subject) <= 68 && strstr(subject, "=?") == NULL)
        buf_puts(out, subject);
    else
        encoded_words(out, subject);
    buf_puts(out, "\r\n");
    free(subject);
}

static void put_hex(struct buf *out, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    buf_putc(out, '=');
    buf_putc(out, hex[c >> 4]);
    buf_putc(out, hex[c & 15]);
}

/* Encodes one line (no line end inside) with soft breaks. */
static void qp_line(struct buf *out, const char *s, size_t n)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool last = i + 1 == n;
        bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
        size_t width = literal ? 1 : 3;
        /* Keep room for the "=" of a soft break unless this is the end. */
        size_t limit = last ? QP_LINE_MAX : QP_LINE_MAX - 1;
        if (col > 0 && col + width > limit) {
            buf_puts(out, "=\r\n");
            col = 0;
        }
        if (col == 0 && c == '.') {
            literal = false;
            width = 3;
        }
        if (literal)
            buf_putc(out, (char)c);
        else
            put_hex(out, c);
        col += width;
    }
    buf_puts(out, "\r\n");
}

void mail_qp_encode(struct buf *out, const char *s)
{
    const char *p = s;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
        size_t len = n;
        if (len > 0 && p[len - 1] == '\r')
            len--;
        if (nl == NULL && n == 0)
            break;
        qp_line(out, p, len);
        if (nl == NULL)
            break;
        p = nl + 1;
    }
}

static void put_part(struct buf *out, const char *type, const char *body)
{
    buf_printf(out, "Content-Type: %s; charset=UTF-8\r\n", type);
    buf_puts(out, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    mail_qp_encode(out, body);
}

static void put_date(struct buf *out, int64_t t)
{
    char date[64];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    /* RFC 5322 wants English names whatever the locale: format them here. */
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    snprintf(date, sizeof(date), "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
    buf_printf(out, "Date: %s\r\n", date);
}

int mail_build(const struct mail_message *msg, const struct mail_envelope *env, struct buf *out)
{
    if (msg->to == NULL || !mail_address_valid(msg->to) || env->from == NULL ||
        !mail_address_valid(env->from))
        return ERR_INVALID;
    if (msg->subject == NULL || msg->text == NULL || env->message_id == NULL ||
        strpbrk(env->message_id, "<> \r\n") != NULL)
        return ERR_INVALID;
    if (msg->html != NULL && (env->boundary == NULL || !boundary_valid(env->boundary)))
        return ERR_INVALID;
    put_date(out, env->date);
    put_mailbox(out, "From", env->from_name, env->from);
    put_mailbox(out, "To", msg->to_name, msg->to);
    put_subject(out, msg->subject);
    buf_printf(out, "Message-ID: <%s>\r\n", env->message_id);
    buf_puts(out, "MIME-Version: 1.0\r\n");
    if (msg->html == NULL) {
        put_part(out, "text/plain", msg->text);
        return 0;
    }
    buf_printf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", env->boundary);
    buf_puts(out, "This is a multi-part message in MIME format.\r\n");
    buf_printf(out, "\r\n--%s\r\n", env->boundary);
    put_part(out, "text/plain", msg->text);
    buf_printf(out, "\r\n--%s\r\n", env->boundary);
    put_part(out, "text/html", msg->html);
    buf_printf(out, "\r\n--%s--\r\n", env->boundary);
    return 0;
}
