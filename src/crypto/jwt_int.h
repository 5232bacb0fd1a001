/*
 * jwt_int.h - what jwt.c and jwt_memo.c share, private to src/crypto/.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "crypto/jwt.h"
#include "util/strlist.h"

struct arena;

/*
 * What a token says, once every check that depends on the token alone has
 * passed (shape, header, signature, claim presence, types and lengths).
 * The checks that depend on the time or the configuration (kid lookup,
 * iss, aud, exp, nbf, iat) are made on these facts, on every call.
 */
struct jwt_facts {
    const char *kid;
    const char *iss;
    const char *sub;
    const char *jti;
    const char *tid;       /* NULL if the token has none */
    struct strlist aud;    /* "aud" as a string, or the strings of its array */
    struct strlist scopes; /* empty if the token has none */
    int64_t iat;
    int64_t nbf;
    int64_t exp;
};

enum memo_hit {
    MEMO_MISS = 0,
    MEMO_FACTS,     /* *out holds the facts (copied into the arena) */
    MEMO_SIGNATURE, /* the signature verified; the facts were too big to keep */
};

/* Looks hash up; on MEMO_FACTS copies the facts into a. */
enum memo_hit jwt_memo_find(struct jwt_memo *m, const unsigned char hash[JWT_MEMO_HASH],
                            struct arena *a, struct jwt_facts *out);
/* Remembers a token whose signature verified: with its facts, or by its
 * hash alone when f is NULL or its facts take more than JWT_MEMO_ENTRY_MAX
 * bytes. */
void jwt_memo_store(struct jwt_memo *m, const unsigned char hash[JWT_MEMO_HASH],
                    const struct jwt_facts *f);
