/*
 * body.c - request body parsers: JSON (jansson, with our own depth limit)
 * and application/x-www-form-urlencoded.
 *
 * jansson has no nesting limit of its own that we can set, and recursion
 * depth is attacker-controlled, so a linear pre-scan refuses deep bodies
 * before jansson sees them. Both parsers are pure functions: no locking.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "util/arena.h"
#include "util/xalloc.h"
#include "util/numfmt.h"

bool http_json_depth_ok(const char *p, size_t len, unsigned max_depth)
{
    unsigned depth = 0;
    bool in_str = false;

    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\')
                i++; /* skip the escaped character, whatever it is */
            else if (c == '"')
                in_str = false;
            continue;
        }
        switch (c) {
        case '"': in_str = true; break;
        case '[':
        case '{':
            if (++depth > max_depth)
                return false;
            break;
        case ']':
        case '}':
            if (depth > 0)
                depth--;
            break;
        default: break;
        }
    }
    return true;
}

json_t *http_body_parse_json(const char *p, size_t len)
{
    if (!http_json_depth_ok(p, len, HTTP_JSON_MAX_DEPTH))
        return NULL;
    json_error_t jerr;
    json_t *v = json_loadb(p, len, JSON_REJECT_DUPLICATES, &jerr);
    if (v != NULL && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

/* The byte that s[*i..n) decodes to first ('+' is a space, "%XX" a byte; a
 * stray '%' stays); moves *i past it. */
static char form_next(const char *s, size_t n, size_t *i)
{
    char c = s[(*i)++];
    if (c == '+')
        return ' ';
    if (c == '%' && *i + 1 < n) {
        int hi = num_hex_digit(s[*i]);
        int lo = num_hex_digit(s[*i + 1]);
        if (hi >= 0 && lo >= 0) {
            *i += 2;
            return (char)(hi * 16 + lo);
        }
    }
    return c;
}

/*
 * Decodes s[0..n) into out, which has room for n + 1 bytes. Returns the
 * decoded length, or -1 if the result holds a NUL byte (C strings
 * downstream could not carry it).
 */
static long form_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char c = form_next(s, n, &i);
        if (c == '\0')
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

/* True if s[0..n) decodes to exactly name (without decoding it anywhere). */
static bool form_equal(const char *s, size_t n, const char *name)
{
    size_t i = 0;
    while (i < n) {
        char c = form_next(s, n, &i);
        if (c == '\0' || c != *name++)
            return false;
    }
    return *name == '\0';
}

const char *http_form_lookup(struct arena *a, const char *p, size_t len, const char *name)
{
    if (p == NULL)
        return NULL;
    const char *found = NULL, *found_end = NULL;
    const char *end = p + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pair_end = amp != NULL ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pair_end - p));
        if (form_equal(p, (size_t)((eq != NULL ? eq : pair_end) - p), name)) {
            found = eq != NULL ? eq + 1 : NULL;
            found_end = pair_end;
        }
        p = pair_end + (amp != NULL ? 1 : 0);
    }
    if (found == NULL)
        return NULL;
    char *out = arena_alloc(a, (size_t)(found_end - found) + 1);
    return form_decode(found, (size_t)(found_end - found), out) >= 0 ? out : NULL;
}

/*
 * Sets key (kn bytes) to s (stolen) in obj. "name[]" appends s to the
 * array "name", as PHP reads a form (abilities[]=a&abilities[]=b is
 * ["a","b"]); a plain key replaces what was there (the last one wins).
 * Returns 0 or -1 (s released).
 */
static int form_set(json_t *obj, char *key, size_t kn, json_t *s)
{
    if (kn < 3 || key[kn - 2] != '[' || key[kn - 1] != ']')
        return json_object_set_new(obj, key, s);
    key[kn - 2] = '\0';
    json_t *arr = json_object_get(obj, key);
    if (!json_is_array(arr)) {
        arr = json_array();
        if (json_object_set_new(obj, key, arr) != 0) {
            json_decref(s);
            return -1;
        }
    }
    return json_array_append_new(arr, s);
}

json_t *http_body_parse_form(const char *p, size_t len)
{
    json_t *obj = json_object();
    char *key = xmalloc(len + 1);
    char *val = xmalloc(len + 1);
    const char *end = p + len;

    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pair_end = amp != NULL ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pair_end - p));
        const char *key_end = eq != NULL ? eq : pair_end;
        if (key_end > p) {
            const char *v = eq != NULL ? eq + 1 : pair_end;
            long kn = form_decode(p, (size_t)(key_end - p), key);
            long vn = form_decode(v, (size_t)(pair_end - v), val);
            /* json_stringn and json_object_set_new refuse invalid UTF-8;
             * the latter also releases s on failure. */
            json_t *s = kn >= 0 && vn >= 0 ? json_stringn(val, (size_t)vn) : NULL;
            if (s == NULL || form_set(obj, key, (size_t)kn, s) != 0) {
                json_decref(obj);
                obj = NULL;
                goto out;
            }
        }
        p = pair_end + (amp != NULL ? 1 : 0);
    }
out:
    free(key);
    free(val);
    return obj;
}
