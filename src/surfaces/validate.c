/*
 * validate.c - Laravel validation messages (Laravel 10+ wording).
 */
#include "surfaces/validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pwpolicy.h"
#include "core/user.h"
#include "http/http.h"
#include "surfaces/route.h"
#include "util/arena.h"

void validator_init_arena(struct validator *v, struct arena *a, json_t *body)
{
    *v = (struct validator){.arena = a, .body = body};
}

void validator_init(struct validator *v, struct request *req)
{
    validator_init_arena(v, http_arena(req), http_json(req));
}

json_t *validate_value(const struct validator *v, const char *field)
{
    json_t *j = json_object_get(v->body, field);
    if (j != NULL || strchr(field, '.') == NULL)
        return j;
    /* Laravel's dot notation: "items.0.product". */
    j = v->body;
    const char *p = field;
    while (j != NULL && *p) {
        size_t n = strcspn(p, ".");
        const char *part = arena_strndup(v->arena, p, n);
        if (json_is_array(j)) {
            size_t digits = strspn(part, "0123456789");
            if (digits == 0 || digits != n || n > 6)
                return NULL;
            j = json_array_get(j, (size_t)strtoul(part, NULL, 10));
        } else {
            j = json_object_get(j, part);
        }
        p += n + (p[n] == '.');
    }
    return j;
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

static struct validate_field *field_of(struct validator *v, const char *name)
{
    for (struct validate_field *f = v->fields; f != NULL; f = f->next) {
        if (strcmp(f->name, name) == 0)
            return f;
    }
    struct validate_field *f = arena_alloc(v->arena, sizeof(*f));
    f->name = arena_strdup(v->arena, name);
    if (v->last != NULL)
        v->last->next = f;
    else
        v->fields = f;
    v->last = f;
    return f;
}

void validate_add(struct validator *v, const char *field, const char *message)
{
    struct validate_field *f = field_of(v, field);
    if (f->n == f->cap) {
        size_t cap = f->cap != 0 ? f->cap * 2 : 2;
        const char **grown = arena_alloc(v->arena, cap * sizeof(*grown));
        if (f->n > 0)
            memcpy(grown, f->messages, f->n * sizeof(*grown));
        f->messages = grown;
        f->cap = cap;
    }
    f->messages[f->n++] = arena_strdup(v->arena, message);
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

/* True if j, the value of field, is absent or null; then records
 * "required" when flags hold V_REQUIRED. */
static bool absent(struct validator *v, struct request *req, const char *field, unsigned flags,
                   const json_t *j)
{
    if (j != NULL && !json_is_null(j))
        return false;
    if (flags & V_REQUIRED)
        validate_add(
            v, field,
            arena_printf(http_arena(req), "The %s field is required.", validate_label(req, field)));
    return true;
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
    json_t *j = validate_value(v, field);
    if (absent(v, req, field, flags, j))
        return NULL;
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

const char *validate_message(const struct validator *v)
{
    if (v->fields == NULL)
        return "The given data was invalid.";
    const char *first = v->fields->messages[0];
    if (v->count == 1)
        return first;
    size_t more = v->count - 1;
    return arena_printf(v->arena, "%s (and %zu more error%s)", first, more, more == 1 ? "" : "s");
}

json_t *validate_errors(const struct validator *v)
{
    json_t *errors = json_object();
    for (const struct validate_field *f = v->fields; f != NULL; f = f->next) {
        json_t *list = json_array();
        for (size_t i = 0; i < f->n; i++)
            json_array_append_new(list, json_string(f->messages[i]));
        json_object_set_new(errors, f->name, list);
    }
    return errors;
}

json_t *validate_body(const struct validator *v)
{
    return json_pack("{s:s, s:o}", "message", validate_message(v), "errors", validate_errors(v));
}

void validate_reply(const struct surface *sf, struct request *req, const struct validator *v)
{
    if (sf->validation != NULL)
        sf->validation(req, v);
    else
        http_reply_json(req, 422, validate_body(v));
}

void validate_reply_field(const struct surface *sf, struct request *req, const char *field,
                          const char *message)
{
    struct validator v;
    validator_init(&v, req);
    validate_add(&v, field, message);
    validate_reply(sf, req, &v);
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

bool validate_password_policy(struct validator *v, const struct server *srv, const char *field,
                              const char *password, const char *email, const char *name)
{
    if (password == NULL)
        return true;
    const char *msg = pwpolicy_message(pwpolicy_check(srv, password, email, name));
    if (msg == NULL)
        return true;
    validate_add(v, field, msg);
    return false;
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
    json_t *j = validate_value(v, field);
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

bool validate_range(struct validator *v, struct request *req, const char *field, int64_t value,
                    int64_t min, int64_t max)
{
    struct arena *a = http_arena(req);
    const char *name = validate_label(req, field);
    if (value < min)
        validate_add(v, field,
                     arena_printf(a, "The %s field must be at least %lld.", name, (long long)min));
    else if (value > max)
        validate_add(
            v, field,
            arena_printf(a, "The %s field must not be greater than %lld.", name, (long long)max));
    else
        return true;
    return false;
}

const char *validate_in(struct validator *v, struct request *req, const char *field, unsigned flags,
                        const char *const *allowed)
{
    json_t *j = validate_value(v, field);
    const char *s = validate_string(v, req, field, flags, 0);
    if (s == NULL) {
        /* Laravel's "in" also fails on a value that is not a string. */
        if (j != NULL && !json_is_null(j) && !json_is_string(j))
            validate_add(v, field,
                         arena_printf(http_arena(req), "The selected %s is invalid.",
                                      validate_label(req, field)));
        return NULL;
    }
    for (size_t i = 0; allowed[i] != NULL; i++)
        if (strcmp(allowed[i], s) == 0)
            return allowed[i];
    validate_add(
        v, field,
        arena_printf(http_arena(req), "The selected %s is invalid.", validate_label(req, field)));
    return NULL;
}

/* Parses decimal text (digits, an optional '.' and digits) into hundredths;
 * *places = the digits after the point. False if it is no such number or
 * exceeds 18 digits. */
static bool parse_decimal(const char *s, int64_t *hundredths, size_t *places, bool *neg)
{
    *neg = *s == '-';
    s += *neg || *s == '+';
    size_t ni = strspn(s, "0123456789");
    const char *frac = s + ni;
    size_t nf = 0;
    if (*frac == '.') {
        frac++;
        nf = strspn(frac, "0123456789");
    }
    if ((ni == 0 && nf == 0) || frac[nf] != '\0' || ni > 15)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < ni; i++)
        v = v * 10 + (s[i] - '0');
    for (size_t i = 0; i < 2; i++)
        v = v * 10 + (i < nf ? frac[i] - '0' : 0);
    *hundredths = v;
    /* Trailing zeros beyond two places still count as places (Laravel's
     * decimal rule reads the text). */
    *places = nf;
    return true;
}

bool validate_money(struct validator *v, struct request *req, const char *field, unsigned flags,
                    int64_t max_minor, int64_t *minor)
{
    struct arena *a = http_arena(req);
    const char *name = validate_label(req, field);
    json_t *j = validate_value(v, field);
    char text[64];
    const char *s = NULL;
    if (json_is_string(j) && strspn(json_string_value(j), " ") == json_string_length(j))
        j = NULL; /* "" and "  " are absent (ConvertEmptyStringsToNull) */
    if (absent(v, req, field, flags, j))
        return false;
    if (json_is_integer(j)) {
        snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(j));
        s = text;
    } else if (json_is_real(j) && isfinite(json_real_value(j))) {
        /* 15 significant digits give back the decimal the client wrote;
         * huge and tiny values are written out without an exponent. */
        double d = json_real_value(j);
        snprintf(text, sizeof(text), "%.15g", d);
        if (strchr(text, 'e') != NULL)
            snprintf(text, sizeof(text), fabs(d) >= 1 ? "%.0f" : "%.20f", d);
        s = text;
    } else if (json_is_string(j) && strlen(json_string_value(j)) == json_string_length(j)) {
        s = json_string_value(j);
    }
    int64_t h = 0;
    size_t places = 0;
    bool neg = false;
    if (s == NULL || strlen(s) > 32 || !parse_decimal(s, &h, &places, &neg)) {
        bool big = s != NULL && strspn(s + (*s == '-'), "0123456789") > 15;
        validate_add(v, field,
                     big ? arena_printf(a, "The %s field must not be greater than %lld.%02lld.",
                                        name, (long long)(max_minor / 100),
                                        (long long)(max_minor % 100))
                         : arena_printf(a, "The %s field must be a number.", name));
        return false;
    }
    bool ok = true;
    if (places > 2) {
        validate_add(v, field, arena_printf(a, "The %s field must have 0-2 decimal places.", name));
        ok = false;
    }
    if (neg && h != 0) {
        validate_add(v, field, arena_printf(a, "The %s field must be at least 0.", name));
        ok = false;
    } else if (h > max_minor) {
        validate_add(v, field,
                     arena_printf(a, "The %s field must not be greater than %lld.%02lld.", name,
                                  (long long)(max_minor / 100), (long long)(max_minor % 100)));
        ok = false;
    }
    if (ok)
        *minor = h;
    return ok;
}

json_t *validate_array(struct validator *v, struct request *req, const char *field, unsigned flags,
                       size_t min, size_t max)
{
    struct arena *a = http_arena(req);
    const char *name = validate_label(req, field);
    json_t *j = validate_value(v, field);
    if (absent(v, req, field, flags, j))
        return NULL;
    if (!json_is_array(j)) {
        validate_add(v, field, arena_printf(a, "The %s field must be an array.", name));
        return NULL;
    }
    if (json_array_size(j) == 0 && (flags & V_REQUIRED)) {
        validate_add(v, field, arena_printf(a, "The %s field is required.", name));
        return NULL;
    }
    if (json_array_size(j) < min) {
        validate_add(v, field,
                     arena_printf(a, "The %s field must have at least %zu items.", name, min));
        return NULL;
    }
    if (json_array_size(j) > max) {
        validate_add(v, field,
                     arena_printf(a, "The %s field must not have more than %zu items.", name, max));
        return NULL;
    }
    return j;
}
