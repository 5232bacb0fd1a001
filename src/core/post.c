/*
 * post.c - WNCMS posts: slugs, and the audit trail of every change.
 */
#include "core/post.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/slug.h"

/* The slug of a title, with room left for a "-N" suffix. */
static char *slugify(struct arena *a, const char *title)
{
    return slug_make(a, title, POST_SLUG_MAX - 8, "post");
}

static void audit_post(struct server *srv, const struct post *p, int64_t user_id,
                       const char *action, const char *ip)
{
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_int(&d, "post_id", p->id);
    audit_detail_str(&d, "slug", p->slug);
    audit_record(srv, p->tenant_id, user_id, action, ip, &d);
}

int post_find(struct server *srv, struct arena *a, int64_t tenant_id, const char *slug,
              struct post *out)
{
    if (slug == NULL || strlen(slug) > POST_SLUG_MAX)
        return ERR_NOT_FOUND;
    return store_post_by_slug(srv->store, a, tenant_id, slug, out);
}

int post_search(struct server *srv, struct arena *a, const struct post_filter *f, struct post **out,
                size_t *n, int64_t *total)
{
    return store_post_search(srv->store, a, f, out, n, total);
}

int post_create(struct server *srv, struct arena *a, struct post *p, const char *ip)
{
    if (p->slug != NULL) {
        int rc = store_post_insert(srv->store, p);
        if (rc == 0)
            audit_post(srv, p, p->author_id, "post.create", ip);
        return rc;
    }
    const char *base = slugify(a, p->title);
    int rc = ERR_CONFLICT;
    /* A few tries: a burst of equal titles is rare, and a slug made
     * under a race loses to the unique index, not to a duplicate. */
    for (int i = 1; i <= 50 && rc == ERR_CONFLICT; i++) {
        p->slug = i == 1 ? base : arena_printf(a, "%s-%d", base, i);
        rc = store_post_insert(srv->store, p);
    }
    if (rc == 0)
        audit_post(srv, p, p->author_id, "post.create", ip);
    return rc;
}

int post_update(struct server *srv, struct post *p, const char *ip)
{
    int rc = store_post_update(srv->store, p);
    if (rc == 0)
        audit_post(srv, p, p->author_id, "post.update", ip);
    return rc;
}

int post_delete(struct server *srv, const struct post *p, int64_t actor_user_id, const char *ip)
{
    int rc = store_post_delete(srv->store, p->id);
    if (rc == 0)
        audit_post(srv, p, actor_user_id, "post.delete", ip);
    return rc;
}
