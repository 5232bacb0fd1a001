/*
 * lastused.h - batched last_used_at writes (DESIGN section 4).
 *
 * The hot path records "token T used at t" in memory; a background thread
 * flushes the coalesced set to the store every flush_ms, and lastused_free
 * flushes what is left. Thread-safe (one mutex, held only for the table).
 */
#pragma once
#include <stdint.h>

struct store;
struct lastused;

/* Starts the flusher thread. store is borrowed and must outlive it. */
struct lastused *lastused_new(struct store *store, unsigned flush_ms);
/* Records a use; never blocks on the database. */
void lastused_touch(struct lastused *lu, int64_t token_id, int64_t at);
/* Writes everything pending now. Returns 0 or the store's error. */
int lastused_flush(struct lastused *lu);
/* Stops the thread, flushes, frees. Accepts NULL. */
void lastused_free(struct lastused *lu);
