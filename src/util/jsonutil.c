/* jsonutil.c - jansson builders for lists, times and optional strings. */
#include "util/jsonutil.h"

#include "util/timeutil.h"

json_t *json_strlist(const struct strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->items[i]));
    return a;
}

json_t *json_time(int64_t t)
{
    if (t == 0)
        return json_null();
    char buf[32];
    time_iso8601(t, buf);
    return json_string(buf);
}

json_t *json_time_laravel(int64_t t)
{
    char buf[40];
    if (t == 0 || !time_laravel(t, buf))
        return json_null();
    return json_string(buf);
}

json_t *json_str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}
