/*
 * fuzz_body.c - libFuzzer harness: the request body parsers (http/body.c)
 * every POST, PUT and PATCH goes through before its route's validation:
 * JSON (depth limit, duplicate keys, top level an object) and
 * application/x-www-form-urlencoded.
 *
 * The first byte picks the parser; the rest is the body. A parsed body
 * must be a JSON object that serialises again (no invalid UTF-8 let in).
 * A form is also read as a query string (http_form_lookup, how
 * http_query reads one): every string the form parser kept must be what
 * the lookup finds under that name, unless the lookup finds none (a name
 * without '=' is "" in a form, no value in a query).
 * The per-route validation behind it is fuzzed through the server itself
 * (fuzz_http.c).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "util/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    json_t *j = NULL;
    if (data[0] & 1) {
        j = http_body_parse_form(p, n);
    } else {
        bool depth_ok = http_json_depth_ok(p, n, HTTP_JSON_MAX_DEPTH);
        j = http_body_parse_json(p, n);
        if (j != NULL && !depth_ok)
            abort(); /* a body nested too deep was parsed anyway */
    }
    if (j != NULL) {
        if (!json_is_object(j))
            abort();
        char *text = json_dumps(j, JSON_COMPACT);
        if (text == NULL)
            abort();
        free(text);
        if (data[0] & 1) {
            struct arena *a = arena_new();
            const char *key;
            json_t *v;
            json_object_foreach(j, key, v)
            {
                const char *found = http_form_lookup(a, p, n, key);
                if (json_is_string(v) && found != NULL && strcmp(found, json_string_value(v)) != 0)
                    abort(); /* the two readings of one form disagree */
            }
            arena_free(a);
        }
        json_decref(j);
    }
    return 0;
}
