/*
 * paginate.h - Laravel's LengthAwarePaginator for every surface: reading
 * page and per_page, the page URLs, the window of page links (UrlWindow),
 * and the plain paginator JSON {current_page, data, first_page_url, from,
 * last_page, last_page_url, links, next_page_url, path, per_page,
 * prev_page_url, to, total}. A surface with a resource shape (AutoCom's
 * data/links/meta) builds it from the same parts.
 *
 * Strings returned live in the request's arena.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jw;
struct request;
struct server;
struct surface;

/* The highest page number read (a bigger one is this one). */
#define PAGE_MAX 1000000000
/* The most entries page_window writes (Laravel's window is 13). */
#define PAGE_WINDOW_MAX 16

struct page {
    int64_t current, per_page, total, last;
    bool per_page_given; /* per_page was in the query: the URLs keep it */
    const char *path;    /* LATCHKEY_PUBLIC_URL + the route */
};

/*
 * Reads page (anything but a positive integer is page 1, as in Laravel)
 * and per_page (default per_page_default; an integer of 1..per_page_max,
 * else a 422 on per_page in sf's dialect) of req's query; path is the
 * route ("/api/v1/team"). False after replying.
 */
bool page_read(struct server *srv, const struct surface *sf, struct request *req, const char *route,
               int64_t per_page_default, int64_t per_page_max, struct page *pg);
/* Sets the total row count and the last page (1 when there are none). */
void page_set_total(struct page *pg, int64_t total);
/* Laravel's url($page): any page, past the last one too. */
const char *page_url(struct request *req, const struct page *pg, int64_t page);
/* The previous (null on page 1) and next (null on the last) page URLs. */
const char *page_prev_url(struct request *req, const struct page *pg);
const char *page_next_url(struct request *req, const struct page *pg);
/*
 * The page numbers Laravel's links show (UrlWindow, onEachSide 3): every
 * page when there are fewer than 14, else the first two, a window around
 * the current page and the last two; 0 stands for a "..." between them.
 * Returns how many were written.
 */
size_t page_window(const struct page *pg, int64_t out[PAGE_WINDOW_MAX]);

/*
 * The plain paginator JSON: page_json_begin writes {"current_page":N,
 * "data": and the caller writes the data array; page_json_end writes the
 * other members (count = the rows of the page) and closes the object.
 */
void page_json_begin(struct jw *w, const struct page *pg);
void page_json_end(struct jw *w, struct request *req, const struct page *pg, size_t count);
