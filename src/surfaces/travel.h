/*
 * travel.h - the profile writer of seed 004 (travel.c), shared with its
 * unit test, which holds it to a jansson reference kept in the test.
 */
#pragma once

struct buf;
struct principal;

/*
 * The profile of seed 004's example, keys in the seed's order, as compact
 * JSON appended to b (GET /auth/user and /auth/profile). Every principal
 * is written: the JSON columns in any valid form (read and written back
 * compact; {} when not an object), the balance exact, NULL strings as
 * null and invalid UTF-8 with U+FFFD (util/jsonw.h).
 */
void travel_profile_write(const struct principal *p, struct buf *b);
/* POST /auth/token's body: {"access_token": token, "token_type": "Bearer",
 * "user": the profile}, appended to b. */
void travel_token_write(const char *token, const struct principal *p, struct buf *b);
