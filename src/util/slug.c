/* slug.c - URL slugs (slug.h). Stateless. */
#include "util/slug.h"

#include "util/arena.h"

char *slug_make(struct arena *a, const char *text, size_t max, const char *fallback)
{
    char *s = arena_alloc(a, max + 1);
    size_t o = 0;
    for (size_t i = 0; text[i] != '\0' && o < max; i++) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            s[o++] = c;
        else if (o > 0 && s[o - 1] != '-')
            s[o++] = '-';
    }
    while (o > 0 && s[o - 1] == '-')
        o--;
    s[o] = '\0';
    return o > 0 ? s : arena_strdup(a, fallback);
}
