/*
 * health.c - readiness checks (health.h).
 */
#include "core/health.h"

#include "server.h"
#include "store/store.h"

int health_database(struct server *srv)
{
    return store_ping(srv->store);
}
