/* timeutil.c - clocks and time formatting. */
#include "util/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void time_realtime_after(unsigned ms, struct timespec *out)
{
    clock_gettime(CLOCK_REALTIME, out);
    out->tv_sec += ms / 1000;
    out->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (out->tv_nsec >= 1000000000L) {
        out->tv_sec++;
        out->tv_nsec -= 1000000000L;
    }
}

/* The last second of year 9999: up to it every year has four digits. */
#define FAST_ISO_MAX 253402300799LL

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/*
 * "YYYY-MM-DDTHH:MM:SS" (19 bytes, no NUL) for 0 <= t <= FAST_ISO_MAX,
 * without gmtime_r: the civil date of a day number is Howard Hinnant's
 * days_to_civil. The profiles print a few timestamps per request, and
 * gmtime_r plus strftime showed in their profile. The unit test compares
 * the result with gmtime_r + strftime.
 */
static void civil19(int64_t t, char *out)
{
    int64_t days = t / 86400, secs = t % 86400;
    int64_t z = days + 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int day = (int)(doy - (153 * mp + 2) / 5 + 1);
    int month = (int)(mp < 10 ? mp + 3 : mp - 9);
    int year = (int)(yoe + era * 400 + (month <= 2));
    put2(out, year / 100);
    put2(out + 2, year % 100);
    out[4] = '-';
    put2(out + 5, month);
    out[7] = '-';
    put2(out + 8, day);
    out[10] = 'T';
    put2(out + 11, (int)(secs / 3600));
    out[13] = ':';
    put2(out + 14, (int)(secs / 60 % 60));
    out[16] = ':';
    put2(out + 17, (int)(secs % 60));
}

void time_iso8601(int64_t t, char out[32])
{
    if (t >= 0 && t <= FAST_ISO_MAX) {
        civil19(t, out);
        memcpy(out + 19, "+00:00", 7);
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm) == 0)
        out[0] = '\0';
}

bool time_iso8601_z(int64_t t, char out[32])
{
    if (t >= 0 && t <= FAST_ISO_MAX) {
        civil19(t, out);
        memcpy(out + 19, "Z", 2);
        return true;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    out[0] = '\0';
    return gmtime_r(&tt, &tm) != NULL && strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) != 0;
}

bool time_laravel(int64_t t, char out[40])
{
    char z[32];
    out[0] = '\0';
    if (!time_iso8601_z(t, z) || strlen(z) != 20)
        return false;
    memcpy(out, z, 19);
    memcpy(out + 19, ".000000Z", 9);
    return true;
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

/* n decimal digits at s into *out; false if any is not a digit. */
static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool time_parse(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    if (n > 0 && n <= 12 && strspn(s, "0123456789") == n) {
        *out = (int64_t)strtoll(s, NULL, 10);
        return true;
    }
    struct tm tm = {0};
    if (n < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &tm.tm_year) ||
        !digits(s + 5, 2, &tm.tm_mon) || !digits(s + 8, 2, &tm.tm_mday))
        return false;
    const char *p = s + 10;
    if ((*p == 'T' || *p == ' ') && strlen(p) >= 9) {
        if (p[3] != ':' || p[6] != ':' || !digits(p + 1, 2, &tm.tm_hour) ||
            !digits(p + 4, 2, &tm.tm_min) || !digits(p + 7, 2, &tm.tm_sec))
            return false;
        p += 9;
        /* Fractions of a second (Laravel's ".000000Z") are dropped. */
        if (*p == '.' && isdigit((unsigned char)p[1])) {
            p++;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    int offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int hh = 0, mm = 0;
        if (strlen(p) != 6 || p[3] != ':' || !digits(p + 1, 2, &hh) || !digits(p + 4, 2, &mm) ||
            hh > 23 || mm > 59)
            return false;
        offset = (hh * 3600 + mm * 60) * (*p == '+' ? 1 : -1);
        p += 6;
    }
    if (*p != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm) - offset;
    return true;
}
