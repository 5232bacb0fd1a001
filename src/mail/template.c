/*
 * template.c - the text and HTML of transactional emails, and the links in
 * them (mail.h: mail_render_action, mail_url, mail_html_escape).
 *
 * One layout serves every message: greeting, paragraphs, a button with its
 * link, paragraphs, and the raw link again for mail clients that do not
 * show buttons. Every value is HTML-escaped in the HTML part; the text part
 * is the same words without markup.
 */
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/xalloc.h"

void mail_html_escape(struct buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        default: buf_putc(out, *s);
        }
    }
}

static void percent_encode(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            buf_putc(out, (char)c);
        } else {
            buf_putc(out, '%');
            buf_putc(out, hex[c >> 4]);
            buf_putc(out, hex[c & 15]);
        }
    }
}

char *mail_url(struct arena *a, const char *base, const char *path, const char *const *keys,
               const char *const *values, size_t n)
{
    struct buf b;
    buf_init(&b);
    buf_puts(&b, base);
    buf_puts(&b, path);
    for (size_t i = 0; i < n; i++) {
        buf_putc(&b, i == 0 ? '?' : '&');
        percent_encode(&b, keys[i]);
        buf_putc(&b, '=');
        percent_encode(&b, values[i]);
    }
    char *s = arena_strdup(a, b.data != NULL ? b.data : "");
    buf_fini(&b);
    return s;
}

/* Appends each paragraph of text (split on blank lines), as HTML or text. */
static void paragraphs(const char *text, struct buf *out, bool html)
{
    if (text == NULL)
        return;
    const char *p = text;
    while (*p) {
        const char *end = strstr(p, "\n\n");
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        char *para = xmalloc(n + 1);
        memcpy(para, p, n);
        para[n] = '\0';
        if (html) {
            buf_puts(out, "<p style=\"margin:0 0 16px\">");
            mail_html_escape(out, para);
            buf_puts(out, "</p>\n");
        } else {
            buf_puts(out, para);
            buf_puts(out, "\n\n");
        }
        free(para);
        p += n;
        while (*p == '\n')
            p++;
    }
}

static char *render_text(const struct mail_action *act)
{
    struct buf b;
    buf_init(&b);
    if (act->greeting != NULL)
        buf_printf(&b, "%s\n\n", act->greeting);
    paragraphs(act->intro, &b, false);
    buf_printf(&b, "%s: %s\n\n", act->action_label, act->action_url);
    paragraphs(act->outro, &b, false);
    return buf_steal(&b);
}

static char *render_html(const struct mail_action *act)
{
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
    mail_html_escape(&b, act->subject);
    buf_puts(&b, "</title>\n</head>\n<body style=\"margin:0;padding:24px;background:#f4f5f7;"
                 "font-family:Helvetica,Arial,sans-serif;color:#1f2933\">\n"
                 "<div style=\"max-width:560px;margin:0 auto;background:#ffffff;"
                 "padding:32px;border-radius:6px\">\n");
    if (act->greeting != NULL) {
        buf_puts(&b, "<p style=\"margin:0 0 16px;font-weight:bold\">");
        mail_html_escape(&b, act->greeting);
        buf_puts(&b, "</p>\n");
    }
    paragraphs(act->intro, &b, true);
    buf_puts(&b, "<p style=\"margin:24px 0;text-align:center\"><a href=\"");
    mail_html_escape(&b, act->action_url);
    buf_puts(&b, "\" style=\"display:inline-block;padding:12px 24px;background:#2d3748;"
                 "color:#ffffff;text-decoration:none;border-radius:4px\">");
    mail_html_escape(&b, act->action_label);
    buf_puts(&b, "</a></p>\n");
    paragraphs(act->outro, &b, true);
    buf_puts(&b, "<p style=\"margin:24px 0 0;font-size:12px;color:#52606d\">If the button does "
                 "not work, copy this link into your browser:<br>\n<span style=\"word-break:"
                 "break-all\">");
    mail_html_escape(&b, act->action_url);
    buf_puts(&b, "</span></p>\n</div>\n</body>\n</html>\n");
    return buf_steal(&b);
}

void mail_render_action(struct arena *a, const struct mail_action *act, struct mail_message *out)
{
    char *text = render_text(act);
    char *html = render_html(act);
    *out = (struct mail_message){
        .to = act->to,
        .to_name = act->to_name,
        .subject = act->subject,
        .text = arena_strdup(a, text),
        .html = arena_strdup(a, html),
        .kind = act->kind,
    };
    free(text);
    free(html);
}
