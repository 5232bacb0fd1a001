/*
 * validate.c - Laravel validation messages (Laravel 10+ wording).
 */
#include "surfaces/validate.h"

#include <string.h>

#include "core/user.h"
#include "http/http.h"
#include "util/arena.h"

void validator_init(struct validator *v, json_t *body)
{
    v->body = body;
    v->errors = json_object();
    v->count = 0;
}

void validator_fini(struct validator *v)
{
    json_decref(v->errors);
    v->errors = NULL;
}

const char *validate_label(struct request *req, const char *field)
{
    char *s = arena_strdup(http_arena(req), field);
    for (char *p = s; *p; p++) {
        if (*p == '_')
            *p = ' ';
    }
    return s;
}

void validate_add(struct validator *v, const char *field, const char *message)
{
    json_t *list = json_object_get(v->errors, field);
    if (list == NULL) {
        list = json_array();
        json_object_set_new(v->errors, field, list);
    }
    json_array_append_new(list, json_string(message));
    v->count++;
}

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Laravel's "email" rule on a value that is not a string: it fails too. */
static void not_a_string(struct validator *v, struct arena *a, const char *field, const char *name,
                         unsigned flags)
{
    validate_add(v, field, arena_printf(a, "The %s field must be a string.", name));
    if (flags & V_EMAIL)
        validate_add(v, field,
                     arena_printf(a, "The %s field must be a valid email address.", name));
}

/*
 * Laravel's rules "required|string[|email]|max:N" in that order, without
 * bail: only "required" stops the others, so a long invalid address gets
 * both the email and the max message, and a number both the string and the
 * email message (max measures a number's digits, never more than N here).
 */
const char *validate_string(struct validator *v, struct request *req, const char *field,
                            unsigned flags, size_t max)
{
    struct arena *a = http_arena(req);
    const char *name = validate_label(req, field);
    json_t *j = json_object_get(v->body, field);
    if (j == NULL || json_is_null(j)) {
        if (flags & V_REQUIRED)
            validate_add(v, field, arena_printf(a, "The %s field is required.", name));
        return NULL;
    }
    if (!json_is_string(j) || strlen(json_string_value(j)) != json_string_length(j)) {
        not_a_string(v, a, field, name, flags);
        return NULL;
    }
    const char *s = json_string_value(j);
    if (!(flags & V_NO_TRIM)) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        size_t n = strlen(s);
        while (n > 0 &&
               (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
            n--;
        s = arena_strndup(a, s, n);
    }
    if (*s == '\0') {
        if (flags & V_REQUIRED)
            validate_add(v, field, arena_printf(a, "The %s field is required.", name));
        return NULL;
    }
    bool ok = true;
    if ((flags & V_EMAIL) && !user_email_syntax(s)) {
        validate_add(v, field,
                     arena_printf(a, "The %s field must be a valid email address.", name));
        ok = false;
    }
    if (max > 0 && utf8_len(s) > max) {
        validate_add(
            v, field,
            arena_printf(a, "The %s field must not be greater than %zu characters.", name, max));
        ok = false;
    }
    return ok ? s : NULL;
}

bool validate_failed(const struct validator *v)
{
    return v->count > 0;
}

json_t *validate_body(const struct validator *v)
{
    const char *first = "The given data was invalid.";
    const char *key;
    json_t *list;
    json_object_foreach(v->errors, key, list)
    {
        first = json_string_value(json_array_get(list, 0));
        break;
    }
    json_t *msg;
    if (v->count > 1)
        msg = json_sprintf("%s (and %zu more error%s)", first, v->count - 1,
                           v->count - 1 == 1 ? "" : "s");
    else
        msg = json_string(first);
    return json_pack("{s:o, s:O}", "message", msg, "errors", v->errors);
}

json_t *validate_single(const char *field, const char *message)
{
    return json_pack("{s:s, s:{s:[s]}}", "message", message, "errors", field, message);
}

json_t *validate_body_message(const struct validator *v, const char *message)
{
    return json_pack("{s:s, s:O}", "message", message, "errors", v->errors);
}

bool validate_min_chars(struct validator *v, struct request *req, const char *field,
                        const char *value, size_t min)
{
    if (value == NULL || utf8_len(value) >= min)
        return true;
    validate_add(v, field,
                 arena_printf(http_arena(req), "The %s field must be at least %zu characters.",
                              validate_label(req, field), min));
    return false;
}

bool validate_confirmed(struct validator *v, struct request *req, const char *field,
                        const char *value)
{
    if (value == NULL)
        return true;
    struct arena *a = http_arena(req);
    json_t *c = json_object_get(v->body, arena_printf(a, "%s_confirmation", field));
    if (json_is_string(c) && strlen(json_string_value(c)) == json_string_length(c) &&
        strcmp(json_string_value(c), value) == 0)
        return true;
    validate_add(
        v, field,
        arena_printf(a, "The %s field confirmation does not match.", validate_label(req, field)));
    return false;
}

const char *validate_new_password(struct validator *v, struct request *req, const char *field,
                                  size_t min, size_t max)
{
    const char *password = validate_string(v, req, field, V_REQUIRED | V_NO_TRIM, max);
    bool ok = validate_min_chars(v, req, field, password, min);
    ok = validate_confirmed(v, req, field, password) && ok;
    const char *confirmation = arena_printf(http_arena(req), "%s_confirmation", field);
    validate_string(v, req, confirmation, V_REQUIRED | V_NO_TRIM, max);
    return ok ? password : NULL;
}

/* A decimal integer string in int64 range (optional '-', 1-18 digits). */
static bool parse_int_text(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    s += neg;
    size_t n = strlen(s);
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    *out = neg ? -v : v;
    return true;
}

bool validate_integer(struct validator *v, struct request *req, const char *field, unsigned flags,
                      int64_t *out)
{
    struct arena *a = http_arena(req);
    json_t *j = json_object_get(v->body, field);
    bool empty = j == NULL || json_is_null(j) ||
                 (json_is_string(j) &&
                  strspn(json_string_value(j), " \t\r\n") == strlen(json_string_value(j)));
    if (empty) {
        if (flags & V_REQUIRED)
            validate_add(v, field,
                         arena_printf(a, "The %s field is required.", validate_label(req, field)));
        return false;
    }
    if (json_is_integer(j)) {
        *out = (int64_t)json_integer_value(j);
        return true;
    }
    if (json_is_string(j) && strlen(json_string_value(j)) == json_string_length(j) &&
        parse_int_text(json_string_value(j), out))
        return true;
    validate_add(v, field,
                 arena_printf(a, "The %s field must be an integer.", validate_label(req, field)));
    return false;
}
