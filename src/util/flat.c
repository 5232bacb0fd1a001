/* flat.c - deep copies into one block (see flat.h). */
#include "util/flat.h"

#include <string.h>

size_t flat_round(size_t n)
{
    return (n + FLAT_ALIGN - 1) & ~(size_t)(FLAT_ALIGN - 1);
}

void *flat_take(struct flat *f, size_t n)
{
    size_t at = f->used;
    f->used += flat_round(n);
    return f->base != NULL ? f->base + at : NULL;
}

const char *flat_str(struct flat *f, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = flat_take(f, n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

void flat_list(struct flat *f, struct strlist *l)
{
    if (l->n == 0) {
        l->items = NULL;
        return;
    }
    const char **items = flat_take(f, l->n * sizeof(*items));
    for (size_t i = 0; i < l->n; i++) {
        const char *s = flat_str(f, l->items[i]);
        if (items != NULL)
            items[i] = s;
    }
    l->items = items;
}
