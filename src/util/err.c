/* err.c - names for enum err. */
#include "util/err.h"

const char *err_str(int err)
{
    switch (err) {
    case ERR_OK: return "ok";
    case ERR_NOMEM: return "out of memory";
    case ERR_INVALID: return "invalid input";
    case ERR_NOT_FOUND: return "not found";
    case ERR_CONFLICT: return "conflict";
    case ERR_STORE: return "database error";
    case ERR_SCHEMA: return "schema version mismatch";
    case ERR_UNAUTHENTICATED: return "unauthenticated";
    case ERR_FORBIDDEN: return "forbidden";
    case ERR_INACTIVE: return "inactive";
    case ERR_SUSPENDED: return "suspended";
    case ERR_CRYPTO: return "crypto failure";
    case ERR_LIMIT: return "limit exceeded";
    case ERR_BUSY: return "busy";
    case ERR_UNAVAILABLE: return "unavailable";
    case ERR_IO: return "i/o error";
    default: return "unknown error";
    }
}
