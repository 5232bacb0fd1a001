/*
 * err.h - the project-wide error codes.
 *
 * Functions return int: 0 on success, a negative enum err on failure.
 * Core and store never know HTTP; each surface maps these to statuses.
 */
#pragma once

enum err {
    ERR_OK = 0,
    ERR_NOMEM = -1,           /* allocation failed (x*alloc aborts instead) */
    ERR_INVALID = -2,         /* malformed input */
    ERR_NOT_FOUND = -3,       /* no such row */
    ERR_CONFLICT = -4,        /* unique constraint, duplicate */
    ERR_STORE = -5,           /* database failure */
    ERR_SCHEMA = -6,          /* schema version mismatch */
    ERR_UNAUTHENTICATED = -7, /* bad, unknown, revoked or expired credential */
    ERR_FORBIDDEN = -8,       /* authenticated but not allowed */
    ERR_INACTIVE = -9,        /* user is inactive */
    ERR_SUSPENDED = -10,      /* user, membership or tenant is suspended */
    ERR_CRYPTO = -11,         /* crypto library failure */
    ERR_LIMIT = -12,          /* a size or count limit was exceeded */
    ERR_BUSY = -13,           /* a bounded queue is full */
    ERR_UNAVAILABLE = -14,    /* a backend is unreachable */
    ERR_IO = -15,             /* file or socket error */
};

/* Returns a static, human-readable name for an error code. */
const char *err_str(int err);
