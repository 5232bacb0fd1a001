/*
 * test_message.c - building mail messages: headers, MIME structure,
 * quoted-printable and RFC 2047 encoding, templates, and that no name,
 * subject or address can add a header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mail/mail.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"

static const struct mail_envelope ENV = {
    .from = "latchkey@example.com",
    .from_name = "Latchkey",
    .date = 1739440800, /* 2025-02-13T10:00:00Z, a Thursday */
    .message_id = "abc123@example.com",
    .boundary = "=_lk_abc123",
};

static char *build(const struct mail_message *m)
{
    struct buf b;
    buf_init(&b);
    assert_int_equal(mail_build(m, &ENV, &b), 0);
    return buf_steal(&b);
}

/* The header block (up to the first empty line), unfolded lines. */
static size_t header_lines(const char *msg, char lines[][1024], size_t max)
{
    size_t n = 0;
    const char *p = msg;
    while (*p != '\0' && strncmp(p, "\r\n", 2) != 0) {
        const char *end = strstr(p, "\r\n");
        assert_non_null(end);
        size_t len = (size_t)(end - p);
        if ((*p == ' ' || *p == '\t') && n > 0) {
            strncat(lines[n - 1], p, len); /* a folded continuation */
        } else {
            assert_true(n < max);
            assert_true(len < 1024);
            memcpy(lines[n], p, len);
            lines[n][len] = '\0';
            n++;
        }
        p = end + 2;
    }
    return n;
}

static void assert_crlf_only(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\n')
            assert_true(p > s && p[-1] == '\r');
        if (*p == '\r')
            assert_int_equal(p[1], '\n');
    }
}

static void assert_line_lengths(const char *s, size_t max)
{
    const char *p = s;
    while (*p) {
        const char *end = strstr(p, "\r\n");
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        assert_true(len <= max);
        p += len + (end != NULL ? 2 : 0);
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes quoted-printable text (CRLF line ends) back to '\n' lines. */
static char *qp_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=' && i + 2 < n + 1 && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 2;
        } else if (s[i] == '=') {
            assert_true(i + 2 < n);
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            assert_true(hi >= 0 && lo >= 0);
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
            out[o++] = '\n';
            i++;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

static char *qp_roundtrip(const char *text)
{
    struct buf b;
    buf_init(&b);
    mail_qp_encode(&b, text);
    char *enc = buf_steal(&b);
    assert_crlf_only(enc);
    assert_line_lengths(enc, 76);
    char *dec = qp_decode(enc, strlen(enc));
    free(enc);
    return dec;
}

static int b64val(char c)
{
    const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(tab, c);
    return p != NULL && c != '\0' ? (int)(p - tab) : -1;
}

/* Decodes every "=?UTF-8?B?...?=" word of a header value, concatenated. */
static void decode_words(const char *v, char *out)
{
    size_t o = 0;
    const char *p = v;
    while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
        p += 10;
        const char *end = strstr(p, "?=");
        assert_non_null(end);
        assert_true(end - p + 12 <= 75);
        unsigned acc = 0;
        int bits = 0;
        for (; p < end; p++) {
            if (*p == '=')
                continue;
            int v6 = b64val(*p);
            assert_true(v6 >= 0);
            acc = (acc << 6) | (unsigned)v6;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (char)((acc >> bits) & 0xFF);
            }
        }
        p = end + 2;
    }
    out[o] = '\0';
}

static const char *find_header(char lines[][1024], size_t n, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++) {
        if (strncmp(lines[i], name, len) == 0 && lines[i][len] == ':')
            return lines[i] + len + 2;
    }
    return NULL;
}

static void text_only_message(void **state)
{
    (void)state;
    struct mail_message m = {.to = "jane@example.org", .subject = "Hello", .text = "Hi Jane.\n"};
    char *msg = build(&m);
    assert_crlf_only(msg);
    char lines[16][1024];
    size_t n = header_lines(msg, lines, 16);
    assert_int_equal(n, 8);
    assert_string_equal(lines[0], "Date: Thu, 13 Feb 2025 10:00:00 +0000");
    assert_string_equal(lines[1], "From: Latchkey <latchkey@example.com>");
    assert_string_equal(lines[2], "To: jane@example.org");
    assert_string_equal(lines[3], "Subject: Hello");
    assert_string_equal(lines[4], "Message-ID: <abc123@example.com>");
    assert_string_equal(lines[5], "MIME-Version: 1.0");
    assert_string_equal(lines[6], "Content-Type: text/plain; charset=UTF-8");
    assert_string_equal(lines[7], "Content-Transfer-Encoding: quoted-printable");
    assert_non_null(strstr(msg, "\r\n\r\nHi Jane.\r\n"));
    free(msg);
}

static void multipart_alternative(void **state)
{
    (void)state;
    struct mail_message m = {
        .to = "jane@example.org",
        .to_name = "Jane Doe",
        .subject = "Reset your password",
        .text = "Click: https://x.test/r?token=abc\n",
        .html = "<p>Click <a href=\"https://x.test/r?token=abc\">here</a></p>\n",
    };
    char *msg = build(&m);
    assert_crlf_only(msg);
    char lines[16][1024];
    size_t n = header_lines(msg, lines, 16);
    assert_string_equal(find_header(lines, n, "To"), "Jane Doe <jane@example.org>");
    assert_string_equal(find_header(lines, n, "Content-Type"),
                        "multipart/alternative; boundary=\"=_lk_abc123\"");
    /* Exactly two part openers and one closer, in order. */
    const char *p1 = strstr(msg, "\r\n--=_lk_abc123\r\n");
    assert_non_null(p1);
    const char *p2 = strstr(p1 + 1, "\r\n--=_lk_abc123\r\n");
    assert_non_null(p2);
    assert_null(strstr(p2 + 1, "\r\n--=_lk_abc123\r\n"));
    const char *close = strstr(p2, "\r\n--=_lk_abc123--\r\n");
    assert_non_null(close);
    assert_non_null(strstr(p1, "Content-Type: text/plain; charset=UTF-8\r\n"));
    assert_true(strstr(p1, "Content-Type: text/plain") < p2);
    assert_non_null(strstr(p2, "Content-Type: text/html; charset=UTF-8\r\n"));
    /* Each part decodes back to its input. */
    const char *body1 = strstr(p1, "\r\n\r\n") + 4;
    char *t = qp_decode(body1, (size_t)(p2 - body1));
    assert_string_equal(t, m.text);
    free(t);
    const char *body2 = strstr(p2, "\r\n\r\n") + 4;
    char *h = qp_decode(body2, (size_t)(close - body2));
    assert_string_equal(h, m.html);
    free(h);
    free(msg);
}

static void quoted_printable(void **state)
{
    (void)state;
    const char *cases[] = {
        "plain ascii\n",
        "caf\xc3\xa9 na\xc3\xafve \xe2\x82\xac 100 = 1e2\n",
        ".\n.leading dot\n..\n",
        "trailing space   \nand tab\t\n",
        "=3D is not decoded twice =\n",
        "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234"
        "567890123456789 a line much longer than seventy-six characters, with \xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\n",
        "Line one\nLine two\n\nLine four\n",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *dec = qp_roundtrip(cases[i]);
        assert_string_equal(dec, cases[i]);
        free(dec);
    }
    /* A dot never starts an encoded line (SMTP's end of data is a lone dot),
     * even after a soft line break. */
    struct buf b;
    buf_init(&b);
    char dots[300];
    memset(dots, '.', sizeof(dots) - 1);
    dots[sizeof(dots) - 1] = '\0';
    mail_qp_encode(&b, dots);
    for (const char *p = b.data; p != NULL; p = strstr(p, "\r\n")) {
        if (p != b.data)
            p += 2;
        assert_true(*p != '.');
        if (*p == '\0')
            break;
    }
    buf_fini(&b);
}

static void subject_and_names_are_encoded(void **state)
{
    (void)state;
    struct mail_message m = {
        .to = "jose@example.org",
        .to_name = "Jos\xc3\xa9 \"Pepe\" N\xc3\xba\xc3\xb1"
                   "ez",
        .subject = "R\xc3\xa9initialisez votre mot de passe \xe2\x80\x94 une tr\xc3\xa8s longue "
                   "ligne d'objet qui d\xc3\xa9passe soixante-dix-huit caract\xc3\xa8res",
        .text = "x",
    };
    char *msg = build(&m);
    assert_crlf_only(msg);
    assert_line_lengths(msg, 78);
    char lines[16][1024];
    size_t n = header_lines(msg, lines, 16);
    char decoded[1024];
    decode_words(find_header(lines, n, "Subject"), decoded);
    assert_string_equal(decoded, m.subject);
    const char *to = find_header(lines, n, "To");
    assert_non_null(strstr(to, " <jose@example.org>"));
    decode_words(to, decoded);
    assert_string_equal(decoded, m.to_name);
    free(msg);

    /* Printable ASCII with specials: a quoted-string, quotes escaped. */
    m.to_name = "Doe, John \"JD\"";
    m.subject = "Hi";
    msg = build(&m);
    n = header_lines(msg, lines, 16);
    assert_string_equal(find_header(lines, n, "To"), "\"Doe, John \\\"JD\\\"\" <jose@example.org>");
    free(msg);
}

static void no_header_injection(void **state)
{
    (void)state;
    const char *evil[] = {
        "Eve\r\nBcc: victim@example.com",
        "Eve\nBcc: victim@example.com",
        "Eve\rBcc: victim@example.com",
        "\r\n\r\nbody injection",
        "Eve\x01"
        "Bcc: x@y.z\x7f\t\v",
    };
    for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
        struct mail_message m = {
            .to = "jane@example.org",
            .to_name = evil[i],
            .subject = evil[i],
            .text = "text",
            .html = "<p>html</p>",
        };
        char *msg = build(&m);
        assert_crlf_only(msg);
        char lines[16][1024];
        size_t n = header_lines(msg, lines, 16);
        assert_int_equal(n, 7); /* Date From To Subject Message-ID MIME-Version Content-Type */
        assert_null(find_header(lines, n, "Bcc"));
        for (size_t j = 0; j < n; j++)
            assert_null(strstr(lines[j], "\nBcc"));
        free(msg);
    }
    /* Addresses are never encoded: anything unusual is refused. */
    const char *bad[] = {
        "jane@example.org\r\nBcc: victim@example.com",
        "jane@example.org\nBcc: v@example.com",
        "jane doe@example.org",
        "<jane@example.org>",
        "jane@example.org>, victim@example.com",
        "Jane <jane@example.org>",
        "jane@@example.org",
        "@example.org",
        "jane@",
        "",
        "j\xc3\xa9@example.org",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mail_message m = {.to = bad[i], .subject = "s", .text = "t"};
        struct buf b;
        buf_init(&b);
        assert_int_equal(mail_build(&m, &ENV, &b), ERR_INVALID);
        buf_fini(&b);
        assert_false(mail_address_valid(bad[i]));
    }
    struct mail_message ok = {.to = "jane@example.org", .subject = "s", .text = "t"};
    struct mail_envelope env = ENV;
    env.from = "a@b.c\r\nBcc: x@y.z";
    struct buf b;
    buf_init(&b);
    assert_int_equal(mail_build(&ok, &env, &b), ERR_INVALID);
    env = ENV;
    env.message_id = "x>\r\nBcc: y@z";
    assert_int_equal(mail_build(&ok, &env, &b), ERR_INVALID);
    env = ENV;
    ok.html = "<p>x</p>";
    env.boundary = "bad boundary\r\n";
    assert_int_equal(mail_build(&ok, &env, &b), ERR_INVALID);
    buf_fini(&b);
}

static void missing_fields(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b);
    struct mail_message m = {.to = "a@b.c", .subject = NULL, .text = "t"};
    assert_int_equal(mail_build(&m, &ENV, &b), ERR_INVALID);
    m = (struct mail_message){.to = "a@b.c", .subject = "s", .text = NULL};
    assert_int_equal(mail_build(&m, &ENV, &b), ERR_INVALID);
    m = (struct mail_message){.to = NULL, .subject = "s", .text = "t"};
    assert_int_equal(mail_build(&m, &ENV, &b), ERR_INVALID);
    buf_fini(&b);
}

static void template_escapes_and_links(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *keys[] = {"token", "email"};
    const char *vals[] = {"AbC123", "jane+x@example.org"};
    char *url = mail_url(a, "https://auth.example.com", "/admin/reset-password", keys, vals, 2);
    assert_string_equal(url, "https://auth.example.com/admin/reset-password?token=AbC123&"
                             "email=jane%2Bx%40example.org");
    const char *evil_vals[] = {"a&b=c d", "<x>\"'"};
    url = mail_url(a, "http://h", "/p", keys, evil_vals, 2);
    assert_string_equal(url, "http://h/p?token=a%26b%3Dc%20d&email=%3Cx%3E%22%27");

    struct mail_action act = {
        .to = "jane@example.org",
        .to_name = "Jane <script>",
        .subject = "Reset <b>now</b>",
        .greeting = "Hello <script>alert(1)</script>,",
        .intro = "First paragraph & more.\n\nSecond \"paragraph\".",
        .action_label = "Reset Password",
        .action_url = "https://x.test/r?token=abc&email=a%40b.c",
        .outro = "If you did not ask, ignore this.",
        .kind = "password_reset",
    };
    struct mail_message m;
    mail_render_action(a, &act, &m);
    assert_string_equal(m.to, "jane@example.org");
    assert_string_equal(m.kind, "password_reset");
    assert_null(strstr(m.html, "<script>"));
    assert_non_null(strstr(m.html, "Hello &lt;script&gt;alert(1)&lt;/script&gt;,"));
    assert_non_null(strstr(m.html, "<title>Reset &lt;b&gt;now&lt;/b&gt;</title>"));
    assert_non_null(strstr(m.html, "First paragraph &amp; more."));
    assert_non_null(strstr(m.html, "Second &quot;paragraph&quot;."));
    assert_non_null(strstr(m.html, "href=\"https://x.test/r?token=abc&amp;email=a%40b.c\""));
    assert_non_null(strstr(m.text, "Hello <script>alert(1)</script>,\n\n"));
    assert_non_null(strstr(m.text, "Reset Password: https://x.test/r?token=abc&email=a%40b.c\n"));
    assert_non_null(strstr(m.text, "First paragraph & more.\n\nSecond \"paragraph\".\n\n"));
    assert_non_null(strstr(m.text, "If you did not ask, ignore this."));
    /* And it builds into a valid message. */
    char *msg = build(&m);
    assert_crlf_only(msg);
    assert_line_lengths(msg, 78);
    free(msg);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_only_message),
        cmocka_unit_test(multipart_alternative),
        cmocka_unit_test(quoted_printable),
        cmocka_unit_test(subject_and_names_are_encoded),
        cmocka_unit_test(no_header_injection),
        cmocka_unit_test(missing_fields),
        cmocka_unit_test(template_escapes_and_links),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
