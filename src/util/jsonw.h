/*
 * jsonw.h - compact JSON written straight into a buffer, for the request
 * hot path where building a jansson tree and dumping it costs more than
 * the database read.
 *
 * The output is byte for byte what jansson's json_dumps(JSON_COMPACT)
 * gives for the same values (keys in the order written, "," and ":"
 * without spaces, the same string escapes); the unit tests hold the
 * writers of the reply bodies to jansson builders kept there as the
 * reference. What jansson would refuse is still written as valid JSON, and
 * clears w->ok for a caller that must be exact (an audit detail): a NULL
 * string as null, and in a string that is not valid UTF-8 each byte that
 * starts no valid sequence as U+FFFD.
 *
 * json_canonical_object() tells whether stored JSON text is already in
 * that form, so it can be copied into the output as it is.
 *
 * No allocation beyond the buffer's; no global state; thread-safe.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct buf;
struct strlist;

#define JW_MAX_DEPTH 32

struct jw {
    struct buf *b;
    unsigned depth;
    bool after_key;                   /* the next value follows a key: no comma */
    bool has_items[JW_MAX_DEPTH + 1]; /* per open container: write a comma first */
    bool ok;                          /* false once something could not be written */
};

/* Starts writing into b (appends; b is borrowed). */
void jw_init(struct jw *w, struct buf *b);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
/* An object member's key; the next call writes its value. */
void jw_key(struct jw *w, const char *key);
/*
 * A key known when the code is written: a string literal that needs no
 * escaping (printable ASCII without '"' or '\\'), as JW_KEY(w, "id").
 * The quotes and the colon join it at compile time: one copy, no scan.
 */
#define JW_KEY(w, lit) jw_key_raw((w), "\"" lit "\":", sizeof("\"" lit "\":") - 1)
/* A key written as JSON with its colon ("\"id\":"), as JW_KEY makes it. */
void jw_key_raw(struct jw *w, const char *json, size_t n);
/* A string value; NULL (written as null) and invalid UTF-8 (written with
 * U+FFFD) clear ok: jansson's json_string() refuses both. */
void jw_str(struct jw *w, const char *s);
/* A string value, or null when s is NULL. */
void jw_str_or_null(struct jw *w, const char *s);
/* An array of the list's strings (borrowed). */
void jw_strlist(struct jw *w, const struct strlist *l);
void jw_int(struct jw *w, long long v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* A value that is already compact JSON (e.g. checked by json_canonical_object). */
void jw_raw(struct jw *w, const char *json, size_t n);

/* True if s[0..n) is valid UTF-8 as jansson checks it (no overlong forms,
 * no surrogates, nothing above U+10FFFF). */
bool utf8_valid(const char *s, size_t n);

/* Called for each top-level member by json_canonical_object: the key and
 * the value's JSON text (strings with their quotes). */
typedef void (*json_member_fn)(const char *key, size_t key_len, const char *value, size_t value_len,
                               void *ctx);

/*
 * True if text[0..n) is one JSON object that jansson would parse and dump
 * back (JSON_COMPACT) byte for byte: no whitespace; strings without
 * backslashes or control characters and valid UTF-8; integers of at most
 * 18 digits without "-0" or leading zeros; true, false, null; objects and
 * arrays nested at most JW_MAX_DEPTH deep; no key twice in one object.
 * Reals and escapes are refused although valid: the caller's jansson
 * path handles them. visit (may be NULL) sees the top-level members,
 * and only when the answer is true is the visit complete.
 */
bool json_canonical_object(const char *text, size_t n, json_member_fn visit, void *ctx);

/*
 * The JSON text of the last top-level member named key (compared as raw
 * bytes: a key written with escapes does not match) of the object
 * text[0..n), which jansson must already have accepted (the scan only
 * skips, it does not validate). The last one, because jansson keeps the
 * last of duplicate keys. For a number that is its exact text, which
 * jansson only gives as a double. False when there is none.
 */
bool json_member_text(const char *text, size_t n, const char *key, const char **value,
                      size_t *value_len);
