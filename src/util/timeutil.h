/*
 * timeutil.h - wall-clock time as Unix seconds, and its text forms.
 *
 * Timestamps in the whole project are int64_t Unix seconds (UTC); 0 means
 * "not set" (NULL in the database).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Current Unix time in seconds. */
int64_t time_now(void);
/* Current Unix time in milliseconds. */
int64_t time_now_ms(void);
/* Current monotonic time in milliseconds. */
int64_t time_mono_ms(void);
struct timespec;
/* The CLOCK_REALTIME instant ms milliseconds from now, for
 * pthread_cond_timedwait. */
void time_realtime_after(unsigned ms, struct timespec *out);
/* Current monotonic time in nanoseconds (request timing, short intervals). */
int64_t time_mono_ns(void);
/* Writes "2026-04-30T18:10:01+00:00" (26 bytes with NUL) into out: what
 * gmtime_r + strftime give; empty when gmtime_r cannot represent t. */
void time_iso8601(int64_t t, char out[32]);
/*
 * Writes "2024-01-07T15:30:00Z" (seed 002's form; 21 bytes with NUL) into
 * out: what gmtime_r + strftime("%Y-%m-%dT%H:%M:%SZ") give. False (out
 * empty) when gmtime_r cannot represent t.
 */
bool time_iso8601_z(int64_t t, char out[32]) __attribute__((warn_unused_result));
/* Writes Laravel's JSON time "2026-12-05T22:33:13.000000Z" (28 bytes with
 * NUL) into out; false (out empty) as time_iso8601_z. */
bool time_laravel(int64_t t, char out[40]) __attribute__((warn_unused_result));
/*
 * Parses a time: Unix seconds (at most 12 digits), "YYYY-MM-DD" (midnight
 * UTC), or "YYYY-MM-DDTHH:MM:SS" (or a space for the T) with an optional
 * fraction of a second (dropped) and "Z", "+HH:MM" or "-HH:MM" (or
 * nothing: UTC). Returns false when s is none of these.
 */
bool time_parse(const char *s, int64_t *out);
/*
 * Parses a duration like "30d", "12h", "15m", "45s" or a bare number of
 * seconds. Returns false on malformed input or overflow.
 */
bool time_parse_duration(const char *s, int64_t *seconds);
