/*
 * h2o.c - floor (b): h2o's library with its own event loop (Debian's
 * libh2o-evloop, h2o 2.2), answering every request with FLOOR_BODY.
 *
 * One configuration with one handler on "/", and per thread an event
 * loop, a context and a listening socket of its own (SO_REUSEPORT), as
 * h2o's server runs its threads. The handler adds Content-Type and sends
 * the body as the final and only chunk (h2o adds Content-Length, Date and
 * Server itself).
 */
#define H2O_USE_EPOLL 1
#include <h2o.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "floor.h"

struct worker {
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    int fd;
};

static h2o_globalconf_t config;
static uint16_t listen_port;

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    static h2o_generator_t generator = {NULL, NULL};
    (void)self;
    h2o_iovec_t body = h2o_iovec_init(FLOOR_BODY, FLOOR_BODY_LEN);
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/json"));
    req->res.content_length = FLOOR_BODY_LEN;
    h2o_start_response(req, &generator);
    h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
    return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    struct worker *w = listener->data;
    if (err != NULL)
        return;
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (sock != NULL)
        h2o_accept(&w->accept_ctx, sock);
}

static void *run(void *arg)
{
    struct worker *w = arg;
    h2o_context_init(&w->ctx, h2o_evloop_create(), &config);
    w->accept_ctx.ctx = &w->ctx;
    w->accept_ctx.hosts = config.hosts;
    h2o_socket_t *listener =
        h2o_evloop_socket_create(w->ctx.loop, floor_listen(listen_port), H2O_SOCKET_FLAG_DONT_READ);
    listener->data = w;
    h2o_socket_read_start(listener, on_accept);
    /* Not "while (run == 0)": an interrupted epoll_wait (valgrind's
     * callgrind_control does that) returns -1 and would end the thread. */
    for (;;)
        h2o_evloop_run(w->ctx.loop, INT32_MAX);
    return NULL;
}

int main(int argc, char **argv)
{
    static struct worker workers[FLOOR_THREADS];
    pthread_t threads[FLOOR_THREADS];

    listen_port = floor_port(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    floor_block_signals();
    h2o_config_init(&config);
    h2o_hostconf_t *host =
        h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(path, sizeof(*handler));
    handler->on_req = on_req;
    for (int i = 0; i < FLOOR_THREADS; i++) {
        if (pthread_create(&threads[i], NULL, run, &workers[i]) != 0) {
            perror("floor-h2o: pthread_create");
            return 1;
        }
    }
    floor_wait_signal();
    return 0;
}
