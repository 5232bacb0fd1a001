/*
 * openapi.h - the OpenAPI 3.1 document of every route (GET /openapi.json,
 * `latchkey openapi`), built once from the route tables (surfaces.h's
 * walk) and the schemas kept beside the surfaces.
 *
 * Each surface has src/surfaces/schemas/<surface name>.json, compiled in
 * by scripts/embed-schemas.sh, and components.json holds the shared
 * component schemas ($ref "#/components/schemas/Name"). A surface file is
 *
 *   {"description": "the tag's text",
 *    "errors": {"401": schema, ...},   the dialect's error bodies
 *    "routes": {"POST /api/v1/auth/token": {
 *        "summary": "...", "request": schema,
 *        "responses": {"200": schema, "304": null, ...}}}}
 *
 * "request": null says the route takes no body (an unsafe method without
 * one: "x-latchkey-no-body" in the document). A response is a JSON Schema (2020-12) of an
 * application/json body, null for no body, or {"content": {media type: {...}}} for other bodies.
 * Each operation also gets the surface's "errors" that can apply to it: 401 unless public, 419 on a
 * session route's unsafe method, 422 when it takes a body, 429 when it has a rate bucket, the
 * others always. A route without an entry gets "x-latchkey-undocumented": true (the e2e suite fails
 * on it); an entry that names no route fails the build.
 */
#pragma once
#include <stddef.h>

/* One embedded schema file (build/gen/schemas.c): NUL-terminated JSON. */
struct openapi_source {
    const char *name; /* "travel", "components" */
    const char *json;
    size_t len;
};

extern const struct openapi_source openapi_sources[];
extern const size_t n_openapi_sources;

/*
 * Builds the document: 0 and *out (owned, free(); len bytes of compact
 * JSON), or ERR_INVALID with why (a schema file that does not parse or
 * names no route) written into why.
 */
int openapi_build(char **out, size_t *len, char *why, size_t why_len)
    __attribute__((warn_unused_result));
