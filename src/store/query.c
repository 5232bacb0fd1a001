/*
 * query.c - the part of the statement contract (driver.h) that is the same
 * on every driver: lists as JSON text, copies into the arena, the logging
 * of damaged columns.
 *
 * Stateless.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/driver.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/log.h"
#include "util/jsonw.h"

/* Returns the list as owned JSON text (free()), or NULL if an item is not
 * valid UTF-8. NULL items are skipped. */
static char *list_json(const struct strlist *l)
{
    json_t *arr = json_array();
    char *text = NULL;
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i] == NULL)
            continue;
        if (json_array_append_new(arr, json_string(l->items[i])) != 0)
            goto out;
    }
    text = json_dumps(arr, JSON_COMPACT);
out:
    json_decref(arr);
    return text;
}

void q_bind_list(struct q *q, const struct strlist *l)
{
    char *text = list_json(l);
    if (text == NULL && q->rc == 0)
        q->rc = ERR_INVALID;
    q_bind_owned(q, text);
}

/* Most items a list column may have for the fast path of q_list. */
#define FAST_LIST_MAX 64

/*
 * The common form of a list column, as q_bind_list writes it: ["a","b"]
 * with no whitespace and no escapes. Fills out and returns true; false
 * (out untouched) for anything else, which jansson then parses. Saves a
 * jansson parse per list per request on the hot path.
 */
static bool fast_list(const char *s, size_t n, struct arena *a, struct strlist *out)
{
    const char *items[FAST_LIST_MAX];
    size_t lens[FAST_LIST_MAX];
    size_t k = 0, i = 1;
    if (n < 2 || s[0] != '[' || s[n - 1] != ']')
        return false;
    if (n > 2) {
        for (;;) {
            if (k == FAST_LIST_MAX || i >= n || s[i] != '"')
                return false;
            size_t start = ++i;
            while (i < n && s[i] != '"') {
                if ((unsigned char)s[i] < 0x20 || s[i] == '\\')
                    return false;
                i++;
            }
            if (i >= n || !utf8_valid(s + start, i - start))
                return false;
            items[k] = s + start;
            lens[k++] = i - start;
            i++; /* closing quote */
            if (i == n - 1)
                break;
            if (s[i] != ',')
                return false;
            i++;
        }
    }
    const char **copy = arena_alloc(a, sizeof(*copy) * (k > 0 ? k : 1));
    for (size_t j = 0; j < k; j++)
        copy[j] = arena_strndup(a, items[j], lens[j]);
    out->items = copy;
    out->n = k;
    return true;
}

void q_list(struct q *q, struct arena *a, struct strlist *out)
{
    int col = q->col;
    size_t len;
    *out = (struct strlist){0};
    const char *s = q_peek(q, &len);
    if (s == NULL || fast_list(s, len, a, out))
        return;
    json_error_t jerr;
    json_t *arr = json_loadb(s, len, 0, &jerr);
    if (!json_is_array(arr)) {
        /* An empty set grants nothing, so a damaged column fails closed. */
        log_warnx("store=%s op=%s event=bad_json_array column=%s", q->s->drv->name, stmts[q->id].op,
                  Q_DISPATCH(q, column_name(q, col)));
        json_decref(arr);
        return;
    }
    size_t n = json_array_size(arr);
    const char **items = arena_alloc(a, sizeof(*items) * (n > 0 ? n : 1));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);
        if (json_is_string(v))
            items[k++] = arena_strndup(a, json_string_value(v), json_string_length(v));
    }
    json_decref(arr);
    out->items = items;
    out->n = k;
}

int q_corrupt(const struct q *q, const char *column)
{
    log_error("store=%s op=%s event=unknown_value column=%s", q->s->drv->name, stmts[q->id].op,
              column);
    return ERR_STORE;
}

int q_bind_failed(const struct q *q)
{
    log_error("store=%s op=%s event=bind_failed code=%d", q->s->drv->name, stmts[q->id].op, q->rc);
    return ERR_STORE;
}
