/*
 * floor.h - what the HTTP floor servers of bench/floor/ share (issue 19):
 * the answer they all give, their listening sockets and how they stop.
 *
 * Each server answers every GET with 200 and nginx's 15-byte JSON body of
 * bench/run.sh, over HTTP/1.1 keep-alive, on FLOOR_THREADS threads. They
 * measure the HTTP layer alone; bench/floor.sh compares them with nginx
 * and latchkey in the same run.
 */
#pragma once
#include <stdint.h>

#define FLOOR_BODY     "{\"status\":\"ok\"}"
#define FLOOR_BODY_LEN (sizeof(FLOOR_BODY) - 1)
#define FLOOR_THREADS  2

/* Parses argv[1] as the port to listen on (127.0.0.1); exits on nonsense. */
uint16_t floor_port(int argc, char **argv);
/* A non-blocking listening socket on 127.0.0.1:port with SO_REUSEPORT, so
 * each thread can have its own; exits on failure. */
int floor_listen(uint16_t port);
/* Blocks SIGINT and SIGTERM in the calling thread and those it starts
 * afterwards; call it before starting threads. */
void floor_block_signals(void);
/* Waits for SIGINT or SIGTERM (blocked by floor_block_signals). */
void floor_wait_signal(void);
