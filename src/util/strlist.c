/* strlist.c - borrowed string lists. */
#include "util/strlist.h"

#include <string.h>

#include "util/arena.h"

bool strlist_contains(const struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i], s) == 0)
            return true;
    }
    return false;
}

bool strlist_split(struct arena *a, const char *csv, size_t max, struct strlist *out)
{
    out->items = NULL;
    out->n = 0;
    if (csv == NULL)
        return true;
    size_t count = 1;
    for (const char *p = csv; *p; p++)
        count += *p == ',';
    const char **items = arena_alloc(a, sizeof(*items) * count);
    size_t n = 0;
    const char *p = csv;
    while (*p) {
        const char *end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        const char *s = p, *e = end;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > s) {
            if (n == max)
                return false;
            items[n++] = arena_strndup(a, s, (size_t)(e - s));
        }
        p = *end ? end + 1 : end;
    }
    out->items = items;
    out->n = n;
    return true;
}
