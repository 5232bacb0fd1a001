/*
 * headwatch.h - the deadline of a request head (issue 16, slowloris).
 *
 * libmicrohttpd 0.9.75 has one connection timer, an idle one that every
 * byte restarts, so a client that sends its head a byte at a time holds a
 * connection for ever. The watch keeps every open connection (MHD's
 * connection notifications) with the moment its current head began: when
 * it was accepted, or when its previous request completed plus the idle
 * time a keep-alive connection is allowed. A thread sweeps the
 * list a few times per deadline and shuts down the socket of each
 * connection whose head is late; MHD then reads the end of stream and
 * closes it as it would any other. The socket is shut down under the
 * list's lock, and MHD reports a connection closed (which takes that lock)
 * before it closes the descriptor, so a number is never shut down after
 * it was reused.
 *
 * Threads: the notifications and head_done/head_wait come from MHD's
 * threads, the sweep from the watch's own; mu guards the list, the head
 * clocks are atomics (one store per request, no lock on that path).
 */
#pragma once
#include <microhttpd.h>

struct headwatch;

/* Starts watching with a deadline of timeout_ms (> 0) per head; NULL on
 * failure. Owned by the caller; free it after the daemon has stopped. */
struct headwatch *headwatch_new(unsigned timeout_ms);
/* Stops the sweep thread and frees the watch. Accepts NULL. */
void headwatch_free(struct headwatch *w);
/* MHD_OPTION_NOTIFY_CONNECTION's callback; cls is the watch. */
void headwatch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);
/* The head of conn's current request is complete (the handler's first call). */
void headwatch_head_done(struct MHD_Connection *conn);
/* conn's request completed: its next head is late grace_ms (the idle
 * time a keep-alive connection is allowed) plus the deadline from now. */
void headwatch_head_wait(struct MHD_Connection *conn, unsigned grace_ms);
