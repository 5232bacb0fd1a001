/*
 * validate.h - Laravel-style request validation for surfaces.
 *
 * Collects errors per field in Laravel's wording and renders the 422 body
 * {"message": first error [+ " (and N more error[s])"], "errors": {...}}.
 * Field labels are the field names with '_' shown as ' ', as Laravel does.
 * Strings returned are borrowed from the request's JSON body.
 */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct request;

struct validator {
    json_t *body;   /* borrowed */
    json_t *errors; /* owned: field -> [messages] */
    size_t count;
};

void validator_init(struct validator *v, json_t *body);
void validator_fini(struct validator *v);

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
/* Records an error message for field. */
void validate_add(struct validator *v, const char *field, const char *message);
bool validate_failed(const struct validator *v);
/* Builds the 422 body (owned by the caller). */
json_t *validate_body(const struct validator *v);
/* The body for a single-field error (e.g. wrong credentials). */
json_t *validate_single(const char *field, const char *message);

/*
 * The 422 body with a fixed top-level message instead of Laravel 10's
 * "first error (and N more errors)": {"message": message, "errors": {...}}
 * (seed 002 says "The given data was invalid"). Owned by the caller.
 */
json_t *validate_body_message(const struct validator *v, const char *message);
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
 * An integer field (Laravel's "integer"): a JSON integer, or a string of
 * decimal digits (form bodies) with an optional leading '-'. Returns
 * true and sets *out, or false: absent (with V_REQUIRED: "The <label>
 * field is required.") or not an integer in int64 range ("The <label>
 * field must be an integer.").
 */
bool validate_integer(struct validator *v, struct request *req, const char *field, unsigned flags,
                      int64_t *out);
