/*
 * post.h - WNCMS posts (seed 003, issue 14): tenant-scoped, a slug unique
 * per tenant (made from the title when none is given).
 */
#pragma once
#include <stddef.h>

#include "store/model.h"

struct arena;
struct server;

#define POST_SLUG_MAX 100

/* The post of slug in the tenant: ERR_NOT_FOUND. */
int post_find(struct server *srv, struct arena *a, int64_t tenant_id, const char *slug,
              struct post *out) __attribute__((warn_unused_result));
/* A page of a tenant's posts, newest first, and how many match (arena). */
int post_search(struct server *srv, struct arena *a, const struct post_filter *f, struct post **out,
                size_t *n, int64_t *total) __attribute__((warn_unused_result));
/*
 * Creates p (tenant_id, title, status and author_id set by the caller;
 * slug NULL to make one from the title: lower-case letters, digits and
 * dashes, "-2", "-3"... when taken, "post" when the title has none).
 * ERR_CONFLICT for a slug given and taken. Audited as post.create.
 */
int post_create(struct server *srv, struct arena *a, struct post *p, const char *ip)
    __attribute__((warn_unused_result));
/* Writes p's fields (p->id set); ERR_CONFLICT for a taken slug. */
int post_update(struct server *srv, struct post *p, const char *ip)
    __attribute__((warn_unused_result));
/* Deletes the post; ERR_NOT_FOUND. */
int post_delete(struct server *srv, const struct post *p, int64_t actor_user_id, const char *ip)
    __attribute__((warn_unused_result));
