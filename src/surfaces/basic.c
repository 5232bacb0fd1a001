/*
 * basic.c - HTTP Basic for a route's own authentication (dispatch.h):
 * the WNCMS gate's basic mode and the OAuth endpoints' service accounts.
 * The hash runs on the worker pool unless the credential is remembered
 * (core/basicauth.h); the guessing limit answers 429 itself.
 */
#include "core/basicauth.h"
#include "surfaces/dispatch.h"
#include "util/arena.h"
#include "util/err.h"

/* One check; in the request's arena. */
struct basic_call {
    struct basic_login login;
    struct principal *p;
    surface_basic_fn done;
    void *arg;
};

static void complete(struct basic_call *c, struct request *req)
{
    int rc = basic_finish(&c->login, c->p);
    basic_fini(&c->login);
    c->done(req, c->arg, rc);
}

static void job(void *arg)
{
    struct basic_call *c = arg;
    basic_verify(&c->login);
}

static void resume(struct request *req, void *arg)
{
    complete(arg, req);
}

void surface_basic_auth(struct server *srv, const struct surface *sf, struct request *req,
                        struct principal *p, surface_basic_fn done, void *arg)
{
    struct basic_call *c = arena_alloc(http_arena(req), sizeof(*c));
    *c = (struct basic_call){.p = p, .done = done, .arg = arg};
    int rc = basic_begin(srv, http_arena(req), &c->login, http_header(req, "Authorization"),
                         http_client_ip(req));
    if (rc == ERR_LIMIT) {
        basic_fini(&c->login);
        surface_login_fail(sf, req, rc, c->login.retry_after);
        return;
    }
    if (rc == 0 && c->login.hit) {
        complete(c, req);
        return;
    }
    if (rc == 0)
        rc = http_defer(req, job, resume, c);
    if (rc != 0) {
        basic_fini(&c->login);
        done(req, arg, rc);
    }
}
