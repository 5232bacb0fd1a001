/*
 * jsonutil.h - small jansson builders shared by the surfaces and the CLI.
 * Each returns a new reference (owned by the caller; jansson's _new
 * setters steal it).
 */
#pragma once
#include <jansson.h>
#include <stdint.h>

#include "util/strlist.h"

/* A JSON array of the list's strings. */
json_t *json_strlist(const struct strlist *l);
/* "2026-04-30T18:10:01+00:00", or null for 0. */
json_t *json_time(int64_t t);
/* Laravel's JSON time "2026-12-05T22:33:13.000000Z", or null for 0. */
json_t *json_time_laravel(int64_t t);
/* A string, or null for NULL. */
json_t *json_str_or_null(const char *s);
