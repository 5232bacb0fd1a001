/*
 * jsonw.c - the compact JSON writer and the canonical-form check of
 * jsonw.h. The escapes and the UTF-8 rules are jansson's (dump.c,
 * utf.c), so the output matches json_dumps(JSON_COMPACT); the unit test
 * compares the two.
 */
#include "util/jsonw.h"

#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "util/numfmt.h"
#include "util/strlist.h"

void jw_init(struct jw *w, struct buf *b)
{
    memset(w, 0, sizeof(*w));
    w->b = b;
    w->ok = true;
}

/* Appends s[0..n): a copy when the buffer has room (the common case, kept
 * out of a function call), buf_append when it must grow. */
static inline void put(struct buf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n) {
        buf_append(b, s, n);
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static inline void putch(struct buf *b, char c)
{
    if (b->cap - b->len <= 1) {
        buf_putc(b, c);
        return;
    }
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

/* Before any value or key: the comma that separates it from the last one. */
static void sep(struct jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->has_items[w->depth])
        putch(w->b, ',');
    w->has_items[w->depth] = true;
}

static void open_container(struct jw *w, char c)
{
    sep(w);
    putch(w->b, c);
    if (w->depth >= JW_MAX_DEPTH) {
        w->ok = false;
        return;
    }
    w->depth++;
    w->has_items[w->depth] = false;
}

static void close_container(struct jw *w, char c)
{
    putch(w->b, c);
    if (w->depth > 0)
        w->depth--;
}

void jw_obj_begin(struct jw *w)
{
    open_container(w, '{');
}

void jw_obj_end(struct jw *w)
{
    close_container(w, '}');
}

void jw_arr_begin(struct jw *w)
{
    open_container(w, '[');
}

void jw_arr_end(struct jw *w)
{
    close_container(w, ']');
}

/* Printable ASCII other than '"' and '\\': written as is. */
static inline bool plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* The length of the valid UTF-8 sequence at s[0] (n bytes left), which
 * is not ASCII, or 0 if none starts there. */
static size_t utf8_seq(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4
                                          : 0;
    return len != 0 && len <= n && utf8_valid(s, len) ? len : 0;
}

/* The escape of byte c, which is not written as it is ('"', '\\' or a
 * control character), into esc; returns its length. */
static size_t escape(unsigned char c, char esc[6])
{
    static const char hex[] = "0123456789ABCDEF";
    esc[0] = '\\';
    switch (c) {
    case '"': esc[1] = '"'; return 2;
    case '\\': esc[1] = '\\'; return 2;
    case '\b': esc[1] = 'b'; return 2;
    case '\f': esc[1] = 'f'; return 2;
    case '\n': esc[1] = 'n'; return 2;
    case '\r': esc[1] = 'r'; return 2;
    case '\t': esc[1] = 't'; return 2;
    default:
        esc[1] = 'u';
        esc[2] = '0';
        esc[3] = '0';
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        return 6;
    }
}

/* Writes s[0..n), which is not valid UTF-8, as put_escaped would but with
 * U+FFFD for each byte that starts no valid sequence (out of the way of
 * the common path). */
static void put_replaced(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c >= 0x80 ? utf8_seq(s + i, n - i) : 1;
        char esc[6];
        if (len == 0)
            put(b, "\xEF\xBF\xBD", 3); /* U+FFFD, the replacement character */
        else if (c < 0x20 || c == '"' || c == '\\')
            put(b, esc, escape(c, esc));
        else
            put(b, s + i, len);
        i += len != 0 ? len : 1;
    }
}

/* Writes s[0..n) quoted, with jansson's escapes; false if s is not valid
 * UTF-8, and then each byte that starts no valid sequence is written as
 * U+FFFD, so the output is still valid JSON. */
static bool put_escaped(struct buf *b, const char *s, size_t n)
{
    putch(b, '"');
    if (!utf8_valid(s, n)) {
        put_replaced(b, s, n);
        putch(b, '"');
        return false;
    }
    size_t run = 0; /* bytes copied as they are, written in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        put(b, s + i - run, run);
        run = 0;
        char esc[6];
        put(b, esc, escape(c, esc));
    }
    put(b, s + n - run, run);
    putch(b, '"');
    return true;
}

/*
 * Writes the C string s quoted; false if it is not valid UTF-8 (written
 * with U+FFFD for the bytes in error, see put_escaped). One pass
 * finds both the length and whether anything needs escaping, so the
 * common string (plain ASCII) costs no strlen and one copy.
 */
static bool put_string(struct buf *b, const char *s)
{
    size_t n = 0;
    while (plain((unsigned char)s[n]))
        n++;
    if (s[n] != '\0')
        return put_escaped(b, s, n + strlen(s + n));
    if (b->cap - b->len <= n + 2)
        buf_reserve(b, n + 2);
    char *d = b->data + b->len;
    d[0] = '"';
    memcpy(d + 1, s, n);
    d[n + 1] = '"';
    b->len += n + 2;
    b->data[b->len] = '\0';
    return true;
}

void jw_key(struct jw *w, const char *key)
{
    sep(w);
    if (!put_string(w->b, key))
        w->ok = false;
    putch(w->b, ':');
    w->after_key = true;
}

void jw_key_raw(struct jw *w, const char *json, size_t n)
{
    sep(w);
    put(w->b, json, n);
    w->after_key = true;
}

void jw_str(struct jw *w, const char *s)
{
    sep(w);
    if (s == NULL) {
        w->ok = false;
        put(w->b, "null", 4);
    } else if (!put_string(w->b, s)) {
        w->ok = false;
    }
}

void jw_str_or_null(struct jw *w, const char *s)
{
    if (s == NULL)
        jw_null(w);
    else
        jw_str(w, s);
}

void jw_strlist(struct jw *w, const struct strlist *l)
{
    jw_arr_begin(w);
    for (size_t i = 0; i < l->n; i++)
        jw_str(w, l->items[i]);
    jw_arr_end(w);
}

void jw_int(struct jw *w, long long v)
{
    char num[NUM_INT_SIZE];
    size_t n = num_int(v, num);
    sep(w);
    put(w->b, num, n);
}

void jw_bool(struct jw *w, bool v)
{
    sep(w);
    if (v)
        put(w->b, "true", 4);
    else
        put(w->b, "false", 5);
}

void jw_null(struct jw *w)
{
    sep(w);
    put(w->b, "null", 4);
}

void jw_raw(struct jw *w, const char *json, size_t n)
{
    sep(w);
    put(w->b, json, n);
}

/* ---- UTF-8 ---- */

bool utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false; /* continuation byte, overlong lead (C0, C1) or F5+ */
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* ---- the canonical-form check ---- */

struct scan {
    const char *p;
    const char *end;
    unsigned depth;
};

static bool scan_value(struct scan *sc);

/* A string without escapes or control characters; sets its body span. */
static bool scan_string(struct scan *sc, const char **body, size_t *len)
{
    if (sc->p >= sc->end || *sc->p != '"')
        return false;
    const char *start = ++sc->p;
    while (sc->p < sc->end && *sc->p != '"') {
        unsigned char c = (unsigned char)*sc->p;
        if (c < 0x20 || c == '\\')
            return false;
        sc->p++;
    }
    if (sc->p >= sc->end)
        return false;
    *body = start;
    *len = (size_t)(sc->p - start);
    sc->p++; /* the closing quote */
    return utf8_valid(start, *len);
}

static bool scan_number(struct scan *sc)
{
    const char *start = sc->p;
    if (sc->p < sc->end && *sc->p == '-')
        sc->p++;
    const char *digits = sc->p;
    while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
        sc->p++;
    size_t nd = (size_t)(sc->p - digits);
    if (nd == 0 || nd > 18 || (digits[0] == '0' && nd > 1))
        return false;
    if (digits != start && nd == 1 && digits[0] == '0')
        return false; /* "-0" dumps as "0" */
    /* A fraction or an exponent makes a real: refused (see jsonw.h). */
    return !(sc->p < sc->end && (*sc->p == '.' || *sc->p == 'e' || *sc->p == 'E'));
}

static bool scan_word(struct scan *sc, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n) != 0)
        return false;
    sc->p += n;
    return true;
}

/* One object's keys seen so far, to refuse duplicates (which jansson
 * would collapse). Larger objects are refused rather than tracked. */
#define SCAN_MAX_KEYS 64

static bool scan_object(struct scan *sc, json_member_fn visit, void *ctx)
{
    const char *keys[SCAN_MAX_KEYS];
    size_t key_lens[SCAN_MAX_KEYS];
    size_t nkeys = 0;
    if (++sc->depth > JW_MAX_DEPTH)
        return false;
    sc->p++; /* '{' */
    if (sc->p < sc->end && *sc->p == '}') {
        sc->p++;
        sc->depth--;
        return true;
    }
    for (;;) {
        const char *key;
        size_t klen;
        if (!scan_string(sc, &key, &klen) || nkeys == SCAN_MAX_KEYS)
            return false;
        for (size_t i = 0; i < nkeys; i++) {
            if (key_lens[i] == klen && memcmp(keys[i], key, klen) == 0)
                return false;
        }
        keys[nkeys] = key;
        key_lens[nkeys++] = klen;
        if (sc->p >= sc->end || *sc->p != ':')
            return false;
        sc->p++;
        const char *value = sc->p;
        if (!scan_value(sc))
            return false;
        if (visit != NULL)
            visit(key, klen, value, (size_t)(sc->p - value), ctx);
        if (sc->p >= sc->end)
            return false;
        if (*sc->p == '}') {
            sc->p++;
            sc->depth--;
            return true;
        }
        if (*sc->p != ',')
            return false;
        sc->p++;
    }
}

static bool scan_array(struct scan *sc)
{
    if (++sc->depth > JW_MAX_DEPTH)
        return false;
    sc->p++; /* '[' */
    if (sc->p < sc->end && *sc->p == ']') {
        sc->p++;
        sc->depth--;
        return true;
    }
    for (;;) {
        if (!scan_value(sc) || sc->p >= sc->end)
            return false;
        if (*sc->p == ']') {
            sc->p++;
            sc->depth--;
            return true;
        }
        if (*sc->p != ',')
            return false;
        sc->p++;
    }
}

static bool scan_value(struct scan *sc)
{
    const char *body;
    size_t len;
    if (sc->p >= sc->end)
        return false;
    switch (*sc->p) {
    case '{': return scan_object(sc, NULL, NULL);
    case '[': return scan_array(sc);
    case '"': return scan_string(sc, &body, &len);
    case 't': return scan_word(sc, "true");
    case 'f': return scan_word(sc, "false");
    case 'n': return scan_word(sc, "null");
    default: return scan_number(sc);
    }
}

bool json_canonical_object(const char *text, size_t n, json_member_fn visit, void *ctx)
{
    struct scan sc = {.p = text, .end = text + n, .depth = 0};
    if (text == NULL || n == 0 || text[0] != '{')
        return false;
    return scan_object(&sc, visit, ctx) && sc.p == sc.end;
}

/* ---- a member's text in any valid JSON object ---- */

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Past the string that starts at p (at its '"'). */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end && *p != '"'; p++) {
        if (*p == '\\')
            p++;
    }
    return p < end ? p + 1 : end;
}

/* Past the value that starts at p. */
static const char *skip_value(const char *p, const char *end)
{
    if (p < end && *p == '"')
        return skip_string(p, end);
    unsigned depth = 0;
    for (; p < end; p++) {
        if (*p == '"') {
            p = skip_string(p, end) - 1;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth == 0)
                return p;
            if (--depth == 0)
                return p + 1;
        } else if (depth == 0 &&
                   (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
            return p;
        }
    }
    return p;
}

bool json_member_text(const char *text, size_t n, const char *key, const char **value,
                      size_t *value_len)
{
    const char *end = text + n;
    const char *p = skip_ws(text, end);
    size_t klen = strlen(key);
    bool found = false;
    if (p >= end || *p != '{')
        return false;
    p++;
    for (;;) {
        p = skip_ws(p, end);
        if (p >= end || *p != '"')
            return found;
        const char *k = p + 1;
        p = skip_string(p, end);
        bool match = (size_t)(p - 1 - k) == klen && memcmp(k, key, klen) == 0;
        p = skip_ws(p, end);
        if (p >= end || *p != ':')
            return found;
        p = skip_ws(p + 1, end);
        const char *v = p;
        p = skip_value(p, end);
        if (match) {
            *value = v;
            *value_len = (size_t)(p - v);
            found = true;
        }
        p = skip_ws(p, end);
        if (p >= end || *p != ',')
            return found;
        p++;
    }
}
