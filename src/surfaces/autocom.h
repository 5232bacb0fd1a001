/*
 * autocom.h - the AutoCom dialect (seed 002), shared by the surfaces of
 * that seed: autocom.c (registration, login, tokens) and autocom_team.c
 * (team management). Errors carry no trailing period; 422 bodies are
 * {"message":"The given data was invalid","errors":{...}}.
 */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "surfaces/route.h"
#include "store/model.h"

struct buf;
struct principal;
struct validator;

#define AUTOCOM_INVALID_DATA "The given data was invalid"

/* The surface's error renderer (struct surface .error). */
void autocom_error(struct request *req, enum http_error kind, const char *message);
/* 403 {"message":"You do not have permission to perform this action",
 * "required_permission": permission} (struct surface .denied). */
void autocom_denied(struct request *req, const char *permission);
/* The 403 for p->refusal (struct surface .refusal). */
void autocom_refusal(struct request *req, const struct principal *p);
/* 422 {"message":"The given data was invalid","errors":{...}} with v's
 * errors (struct surface .validation). */
void autocom_validation(struct request *req, const struct validator *v);
/* {"message": message} with status. */
void autocom_message(struct request *req, unsigned status, const char *message);
/* "2024-01-07T15:30:00Z" as the seed writes times, or null for 0. */
json_t *autocom_time(int64_t t);

/* One organisation of a user, as the tenant lists show it. */
struct autocom_org {
    struct tenant tenant;
    struct role role;
    struct membership m;
};

/*
 * GET /auth/me's body for p and its n organisations (borrowed), as compact
 * JSON appended to b. Every principal is written: NULL strings as null and
 * invalid UTF-8 with U+FFFD (util/jsonw.h). The unit test holds it to a
 * jansson reference kept in the test.
 */
void autocom_me_write(const struct principal *p, const struct autocom_org *orgs, size_t n,
                      struct buf *b);
