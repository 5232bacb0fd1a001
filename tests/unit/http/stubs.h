/*
 * stubs.h - the surface symbols httpd.o refers to, for http unit tests
 * that do not serve anything. Include from exactly one file per test.
 */
#pragma once
#include "http/route.h"

const struct surface *const surfaces[] = {NULL};
const size_t n_surfaces = 0;

void surface_dispatch(struct server *srv, const struct surface *sf, const struct route *rt,
                      struct request *req)
{
    (void)srv;
    (void)sf;
    (void)rt;
    (void)req;
}

void surface_default_error(struct request *req, enum http_error kind, const char *message)
{
    (void)req;
    (void)kind;
    (void)message;
}
