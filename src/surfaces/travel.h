/*
 * travel.h - the profile codec of seed 004 (travel.c), shared with its
 * unit test, which holds the fast writer to the jansson reference.
 */
#pragma once
#include <jansson.h>
#include <stdbool.h>

struct buf;
struct principal;

/* The profile of seed 004's example, keys in the seed's order: a new
 * reference (the reference form; also the fallback of the writer). */
json_t *travel_profile_json(const struct principal *p);

/*
 * travel_profile_json(p), dumped (JSON_COMPACT), appended to b without
 * building a jansson tree: the same bytes. False when p holds anything
 * the writer does not reproduce exactly (JSON columns not in canonical
 * form, invalid UTF-8): the caller then dumps travel_profile_json.
 */
bool travel_profile_write(const struct principal *p, struct buf *b);
