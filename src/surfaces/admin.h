/*
 * admin.h - the admin API's dialect (seed 001), shared by the surfaces of
 * that API: admin.c and admin_rules.c (the forward-auth rules, issue 17).
 * Errors are {"success":false,"message":...}; 422 adds Laravel's "errors".
 */
#pragma once
#include "surfaces/route.h"

struct validator;

/* The error renderer (struct surface .error). */
void admin_error(struct request *req, enum http_error kind, const char *message);
/* The 422 of v's errors (struct surface .validation). */
void admin_validation(struct request *req, const struct validator *v);
