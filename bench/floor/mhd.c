/*
 * mhd.c - floor (a): libmicrohttpd configured as src/http/httpd.c
 * configures it, answering every request with FLOOR_BODY.
 *
 * The same daemon flags (one epoll thread per core, suspend/resume, error
 * log), FLOOR_THREADS threads, the same limits (connections, a 30 s
 * timeout, the bench's per-IP limit, the 32 KiB connection pool) and the
 * same callbacks (completion, URI log, connection notifications), each
 * doing nothing, so what MHD spends calling them counts and what latchkey
 * does in them does not. The access handler follows latchkey's call
 * pattern: the first call (head read) only marks the request, the last
 * one builds the response from a heap copy (MHD_RESPMEM_MUST_FREE) with a
 * Content-Type header, queues it and destroys its reference.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "floor.h"

#define CONN_MEMORY_LIMIT ((size_t)32 * 1024)
#define CONN_TIMEOUT_S    30
#define PER_IP_LIMIT      100000 /* LATCHKEY_PER_IP_CONNECTIONS in bench/run.sh */
#define MAX_CONNECTIONS   65000

static char first_call_mark;

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)conn, (void)code;
    *con_cls = NULL;
}

static void *uri_logged(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls, (void)uri, (void)conn;
    return NULL;
}

static void notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                              enum MHD_ConnectionNotificationCode code)
{
    (void)cls, (void)conn, (void)socket_context, (void)code;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    vfprintf(stderr, fmt, ap);
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version, (void)upload_data;
    if (*con_cls == NULL) {
        *con_cls = &first_call_mark;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    char *body = malloc(FLOOR_BODY_LEN);
    if (body == NULL)
        return MHD_NO;
    memcpy(body, FLOOR_BODY, FLOOR_BODY_LEN);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(FLOOR_BODY_LEN, body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

int main(int argc, char **argv)
{
    uint16_t port = floor_port(argc, argv);
    floor_block_signals();
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_logged, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)notify_connection, NULL},
        {MHD_OPTION_THREAD_POOL_SIZE, FLOOR_THREADS, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, MAX_CONNECTIONS, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT_S, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, PER_IP_LIMIT, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)CONN_MEMORY_LIMIT, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d = MHD_start_daemon(flags, port, NULL, NULL, access_handler, NULL,
                                            MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "floor-mhd: cannot start on port %u\n", (unsigned)port);
        return 1;
    }
    floor_wait_signal();
    MHD_stop_daemon(d);
    return 0;
}
