/*
 * health.h - what a readiness probe asks of the shared state.
 */
#pragma once

struct server;

/* 0 if the database answers a trivial query now; ERR_UNAVAILABLE if it
 * cannot be reached. */
int health_database(struct server *srv) __attribute__((warn_unused_result));
