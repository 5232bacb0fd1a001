/*
 * validate.h - Laravel-style request validation for surfaces.
 *
 * Collects errors per field in Laravel's wording; validate_reply() renders
 * the 422 in the surface's dialect (struct surface .validation), by
 * default Laravel's {"message": first error [+ " (and N more error[s])"],
 * "errors": {...}}. Field labels are the field names with '_' shown as
 * ' ', as Laravel does.
 *
 * Ownership: a validator lives in its request's arena. It allocates
 * nothing of its own (no malloc, nothing to finish): its errors, and the
 * field names and messages it copies, are freed with the request. Strings
 * returned are borrowed from the request's JSON body or its arena.
 */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct request;
struct server;
struct surface;

/* One field's errors, in the order they were recorded. */
struct validate_field {
    const char *name;
    const char **messages; /* arena */
    size_t n, cap;
    struct validate_field *next;
};

struct validator {
    struct arena *arena;           /* borrowed: the request's */
    json_t *body;                  /* borrowed: the request's JSON body */
    struct validate_field *fields; /* in order of each field's first error */
    struct validate_field *last;
    size_t count; /* errors over all fields */
};

/* Starts validating req's JSON body (http_json), in req's arena. */
void validator_init(struct validator *v, struct request *req);
/* The same over body (borrowed), allocating from a (the unit tests). */
void validator_init_arena(struct validator *v, struct arena *a, json_t *body);

enum vflag {
    V_REQUIRED = 1 << 0,
    V_EMAIL = 1 << 1,
    V_NO_TRIM = 1 << 2, /* passwords: keep surrounding spaces */
};

/*
 * A string field: returns the (trimmed) value, or NULL if absent or
 * invalid (the error is recorded). Empty and whitespace-only strings count
 * as absent, like Laravel's ConvertEmptyStringsToNull. max is in
 * characters (UTF-8 code points); 0 = no maximum.
 */
const char *validate_string(struct validator *v, struct request *req, const char *field,
                            unsigned flags, size_t max);
/* Records an error message for field (both copied into the arena). */
void validate_add(struct validator *v, const char *field, const char *message);
bool validate_failed(const struct validator *v);

/* ---- the 422 reply ---- */

/*
 * Laravel's top-level message: the first error, and with more than one
 * " (and N more error[s])" (arena; "The given data was invalid." when
 * there is none).
 */
const char *validate_message(const struct validator *v);
/* {"field": [messages], ...} in the order recorded: a new reference. */
json_t *validate_errors(const struct validator *v);
/* Laravel's default 422 body {"message": validate_message, "errors": ...}
 * (a new reference). */
json_t *validate_body(const struct validator *v);
/* Replies 422 with v's errors in sf's dialect: sf->validation, or
 * validate_body when the surface keeps Laravel's default. */
void validate_reply(const struct surface *sf, struct request *req, const struct validator *v);
/* validate_reply with the one error message on field (e.g. wrong credentials). */
void validate_reply_field(const struct surface *sf, struct request *req, const char *field,
                          const char *message);

/* A field's label in messages: the name with '_' shown as ' ' (arena). */
const char *validate_label(struct request *req, const char *field);
/*
 * Laravel's min:N for strings, on a value validate_string returned (NULL
 * is skipped): "The <label> field must be at least N characters."
 * Returns false (and records the error) when value is shorter.
 */
bool validate_min_chars(struct validator *v, struct request *req, const char *field,
                        const char *value, size_t min);
/*
 * Laravel's "confirmed": value (skipped when NULL) must equal the
 * "<field>_confirmation" string of the body, else "The <label> field
 * confirmation does not match." on field. Returns false on a mismatch.
 */
bool validate_confirmed(struct validator *v, struct request *req, const char *field,
                        const char *value);

/*
 * A new password as Laravel's "required|string|min|max|confirmed" rules
 * check it: field (not trimmed) of min..max characters, equal to
 * "<field>_confirmation", which is itself required. Returns the password,
 * or NULL with the errors recorded.
 */
const char *validate_new_password(struct validator *v, struct request *req, const char *field,
                                  size_t min, size_t max);

/*
 * The password policy (core/pwpolicy.h) on a new password that passed the
 * rules above (NULL: nothing to check): a common or breached password, or
 * one equal to email, its local part or name (each may be NULL), adds the
 * policy's message on field and returns false.
 */
bool validate_password_policy(struct validator *v, const struct server *srv, const char *field,
                              const char *password, const char *email, const char *name);

/*
 * An integer field (Laravel's "integer"): a JSON integer, or a string of
 * decimal digits (form bodies) with an optional leading '-'. Returns
 * true and sets *out, or false: absent (with V_REQUIRED: "The <label>
 * field is required.") or not an integer in int64 range ("The <label>
 * field must be an integer.").
 */
bool validate_integer(struct validator *v, struct request *req, const char *field, unsigned flags,
                      int64_t *out);

/*
 * The value of field in the body: a top-level member, else with Laravel's
 * dot notation ("items.0.product") a member of nested objects and arrays.
 * NULL if absent. Every validate_* call reads its field through it, so a
 * nested field's errors carry its dotted name and label.
 */
json_t *validate_value(const struct validator *v, const char *field);
/*
 * Laravel's min:N|max:N on an integer value: "The <label> field must be
 * at least N." / "must not be greater than N.". False (recorded) outside.
 */
bool validate_range(struct validator *v, struct request *req, const char *field, int64_t value,
                    int64_t min, int64_t max);
/*
 * Laravel's "string|in:a,b": returns the allowed string (static) or NULL:
 * absent (with V_REQUIRED recorded) or "The selected <label> is invalid.".
 */
const char *validate_in(struct validator *v, struct request *req, const char *field, unsigned flags,
                        const char *const *allowed);
/*
 * An amount of money, Laravel's "numeric|decimal:0,2|min:0|max:M": a JSON
 * number or a numeric string with at most two decimals, 0..max_minor
 * hundredths. Sets *minor (hundredths, exact: never through a double's
 * rounding) and returns true, or records "must be a number.", "must have
 * 0-2 decimal places.", "must be at least 0." or "must not be greater
 * than M." (or "is required." with V_REQUIRED) and returns false.
 */
bool validate_money(struct validator *v, struct request *req, const char *field, unsigned flags,
                    int64_t max_minor, int64_t *minor);
/*
 * Laravel's "array|min:N|max:M" (an empty array fails "required" with
 * V_REQUIRED): the array (borrowed from the body) or NULL with the error
 * recorded ("must be an array.", "must have at least N items.", "must not
 * have more than M items.").
 */
json_t *validate_array(struct validator *v, struct request *req, const char *field, unsigned flags,
                       size_t min, size_t max);
