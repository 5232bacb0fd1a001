/* timeutil.c - clocks and time formatting. */
#include "util/timeutil.h"

#include <stdio.h>
#include <time.h>

int64_t time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void time_iso8601(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    if (strftime(out, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm) == 0)
        out[0] = '\0';
}

bool time_parse_duration(const char *s, int64_t *seconds)
{
    if (s == NULL || *s == '\0')
        return false;
    int64_t n = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9') {
        if (n > (INT64_MAX - 9) / 10)
            return false;
        n = n * 10 + (*p - '0');
        p++;
    }
    if (p == s)
        return false;
    int64_t mult = 1;
    switch (*p) {
    case '\0': mult = 1; break;
    case 's': mult = 1; break;
    case 'm': mult = 60; break;
    case 'h': mult = 3600; break;
    case 'd': mult = 86400; break;
    case 'w': mult = 7 * 86400; break;
    default: return false;
    }
    if (*p != '\0' && p[1] != '\0')
        return false;
    if (n > INT64_MAX / mult / 2)
        return false;
    *seconds = n * mult;
    return true;
}
