/*
 * paginate.c - Laravel's LengthAwarePaginator (paginate.h).
 */
#include "surfaces/paginate.h"

#include <string.h>

#include "http/http.h"
#include "server.h"
#include "surfaces/validate.h"
#include "util/arena.h"
#include "util/jsonw.h"

/* A query parameter as a non-negative integer; false if absent or not one. */
static bool query_int(struct request *req, const char *name, int64_t *out)
{
    const char *s = http_query(req, name);
    size_t n = s != NULL ? strlen(s) : 0;
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return false;
    *out = 0;
    for (size_t i = 0; i < n; i++)
        *out = *out * 10 + (s[i] - '0');
    return true;
}

bool page_read(struct server *srv, const struct surface *sf, struct request *req, const char *route,
               int64_t per_page_default, int64_t per_page_max, struct page *pg)
{
    memset(pg, 0, sizeof(*pg));
    if (!query_int(req, "page", &pg->current) || pg->current < 1)
        pg->current = 1;
    if (pg->current > PAGE_MAX)
        pg->current = PAGE_MAX;
    pg->per_page = per_page_default;
    const char *pp = http_query(req, "per_page");
    if (pp != NULL && pp[0] != '\0') {
        pg->per_page_given = true;
        if (!query_int(req, "per_page", &pg->per_page)) {
            validate_reply_field(sf, req, "per_page", "The per page field must be an integer.");
            return false;
        }
        if (pg->per_page < 1 || pg->per_page > per_page_max) {
            validate_reply_field(sf, req, "per_page",
                                 arena_printf(http_arena(req),
                                              "The per page field must be between 1 and %lld.",
                                              (long long)per_page_max));
            return false;
        }
    }
    pg->path = arena_printf(http_arena(req), "%s%s", srv->cfg.public_url, route);
    return true;
}

void page_set_total(struct page *pg, int64_t total)
{
    pg->total = total;
    pg->last = total > 0 ? (total + pg->per_page - 1) / pg->per_page : 1;
}

const char *page_url(struct request *req, const struct page *pg, int64_t page)
{
    if (pg->per_page_given)
        return arena_printf(http_arena(req), "%s?per_page=%lld&page=%lld", pg->path,
                            (long long)pg->per_page, (long long)page);
    return arena_printf(http_arena(req), "%s?page=%lld", pg->path, (long long)page);
}

/* previousPageUrl(): null only on page 1 (past the last page it is the
 * page before the current one, which is past the end too). */
const char *page_prev_url(struct request *req, const struct page *pg)
{
    return pg->current > 1 ? page_url(req, pg, pg->current - 1) : NULL;
}

/* nextPageUrl(): only while there are more pages. */
const char *page_next_url(struct request *req, const struct page *pg)
{
    return pg->current < pg->last ? page_url(req, pg, pg->current + 1) : NULL;
}

static size_t add_range(const struct page *pg, int64_t from, int64_t to,
                        int64_t out[PAGE_WINDOW_MAX], size_t n)
{
    for (int64_t i = from < 1 ? 1 : from; i <= to && i <= pg->last && n < PAGE_WINDOW_MAX; i++)
        out[n++] = i;
    return n;
}

static size_t add_dots(int64_t out[PAGE_WINDOW_MAX], size_t n)
{
    if (n < PAGE_WINDOW_MAX)
        out[n++] = 0;
    return n;
}

size_t page_window(const struct page *pg, int64_t out[PAGE_WINDOW_MAX])
{
    const int64_t side = 3, window = side + 4;
    size_t n = 0;
    if (pg->last < side * 2 + 8)
        return add_range(pg, 1, pg->last, out, 0);
    if (pg->current <= window) {
        n = add_range(pg, 1, window + side, out, n);
        n = add_dots(out, n);
        return add_range(pg, pg->last - 1, pg->last, out, n);
    }
    n = add_range(pg, 1, 2, out, n);
    n = add_dots(out, n);
    if (pg->current > pg->last - window)
        return add_range(pg, pg->last - (window + side - 1), pg->last, out, n);
    n = add_range(pg, pg->current - side, pg->current + side, out, n);
    n = add_dots(out, n);
    return add_range(pg, pg->last - 1, pg->last, out, n);
}

void page_json_begin(struct jw *w, const struct page *pg)
{
    jw_obj_begin(w);
    JW_KEY(w, "current_page");
    jw_int(w, pg->current);
    JW_KEY(w, "data");
}

static void link(struct jw *w, const char *url, const char *label, bool active)
{
    jw_obj_begin(w);
    JW_KEY(w, "url");
    jw_str_or_null(w, url);
    JW_KEY(w, "label");
    jw_str(w, label);
    JW_KEY(w, "active");
    jw_bool(w, active);
    jw_obj_end(w);
}

void page_json_end(struct jw *w, struct request *req, const struct page *pg, size_t count)
{
    int64_t from = (pg->current - 1) * pg->per_page + 1;
    JW_KEY(w, "first_page_url");
    jw_str(w, page_url(req, pg, 1));
    JW_KEY(w, "from");
    if (count > 0)
        jw_int(w, from);
    else
        jw_null(w);
    JW_KEY(w, "last_page");
    jw_int(w, pg->last);
    JW_KEY(w, "last_page_url");
    jw_str(w, page_url(req, pg, pg->last));
    JW_KEY(w, "links");
    jw_arr_begin(w);
    link(w, page_prev_url(req, pg), "&laquo; Previous", false);
    int64_t pages[PAGE_WINDOW_MAX];
    size_t n = page_window(pg, pages);
    for (size_t i = 0; i < n; i++) {
        if (pages[i] == 0)
            link(w, NULL, "...", false);
        else
            link(w, page_url(req, pg, pages[i]),
                 arena_printf(http_arena(req), "%lld", (long long)pages[i]),
                 pages[i] == pg->current);
    }
    link(w, page_next_url(req, pg), "Next &raquo;", false);
    jw_arr_end(w);
    JW_KEY(w, "next_page_url");
    jw_str_or_null(w, page_next_url(req, pg));
    JW_KEY(w, "path");
    jw_str(w, pg->path);
    JW_KEY(w, "per_page");
    jw_int(w, pg->per_page);
    JW_KEY(w, "prev_page_url");
    jw_str_or_null(w, page_prev_url(req, pg));
    JW_KEY(w, "to");
    if (count > 0)
        jw_int(w, from + (int64_t)count - 1);
    else
        jw_null(w);
    JW_KEY(w, "total");
    jw_int(w, pg->total);
    jw_obj_end(w);
}
