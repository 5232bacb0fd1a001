/*
 * autocom.h - the AutoCom dialect (seed 002), shared by the surfaces of
 * that seed: autocom.c (registration, login, tokens) and autocom_team.c
 * (team management). Errors carry no trailing period; 422 bodies are
 * {"message":"The given data was invalid","errors":{...}}.
 */
#pragma once
#include <jansson.h>
#include <stdint.h>

#include "http/route.h"

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
/* 422 with v's errors; finishes v. */
void autocom_reply_invalid(struct request *req, struct validator *v);
/* 422 with one error on field. */
void autocom_field_error(struct request *req, const char *field, const char *message);
/* {"message": message} with status. */
void autocom_message(struct request *req, unsigned status, const char *message);
/* "2024-01-07T15:30:00Z" as the seed writes times, or null for 0. */
json_t *autocom_time(int64_t t);
