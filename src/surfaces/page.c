/*
 * page.c - HTML pages (page.h). Stateless.
 */
#include "surfaces/page.h"

#include <string.h>

#include "http/http.h"
#include "mail/mail.h"
#include "util/buf.h"

/* Appends the value of a hidden field (escaped; "" when longer than 255). */
static void hidden(struct buf *b, const char *name, const char *value)
{
    buf_puts(b, "<input type=\"hidden\" name=\"");
    buf_puts(b, name);
    buf_puts(b, "\" value=\"");
    mail_html_escape(b, value != NULL && strlen(value) <= 255 ? value : "");
    buf_puts(b, "\">\n");
}

void page_reset_form(struct request *req, const char *action, const char *token, const char *email,
                     const char *csrf)
{
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width\">\n"
                 "<title>Reset password</title>\n</head>\n<body>\n<h1>Reset password</h1>\n"
                 "<form method=\"post\" action=\"");
    mail_html_escape(&b, action);
    buf_puts(&b, "\">\n");
    if (csrf != NULL)
        hidden(&b, "_token", csrf);
    hidden(&b, "token", token);
    buf_puts(&b, "<p><label>Email<br><input type=\"email\" name=\"email\" required value=\"");
    mail_html_escape(&b, email != NULL && strlen(email) <= 255 ? email : "");
    buf_puts(&b, "\"></label></p>\n<p><label>New password<br><input type=\"password\" "
                 "name=\"password\" minlength=\"8\" required autocomplete=\"new-password\">"
                 "</label></p>\n<p><label>Confirm new password<br><input type=\"password\" "
                 "name=\"password_confirmation\" minlength=\"8\" required "
                 "autocomplete=\"new-password\"></label></p>\n"
                 "<p><button type=\"submit\">Reset password</button></p>\n</form>\n</body>\n"
                 "</html>\n");
    http_reply_header(req, "Content-Security-Policy",
                      "default-src 'none'; form-action 'self'; base-uri 'none'; "
                      "frame-ancestors 'none'");
    http_reply_header(req, "Referrer-Policy", "no-referrer");
    http_no_store(req); /* the page holds the reset token */
    http_reply_header(req, "X-Frame-Options", "DENY");
    http_reply_raw(req, 200, "text/html; charset=utf-8", b.data, b.len);
    buf_fini(&b);
}
