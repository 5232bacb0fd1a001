/*
 * server.c - the accessors of struct server, the shared context. Building
 * and tearing one down is wiring.c's job.
 */
#include "server.h"

#include "util/timeutil.h"

int64_t server_now(const struct server *srv)
{
    return time_now() + srv->cfg.clock_offset_s;
}
