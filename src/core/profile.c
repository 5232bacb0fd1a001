/*
 * profile.c - the user's own name and the password confirmation of the
 * profile page (profile.h).
 */
#include "core/profile.h"

#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/principal.h"
#include "crypto/password.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/xalloc.h"

int profile_rename(struct server *srv, const struct principal *p, const char *name, const char *ip)
{
    int rc = store_user_set_names(srv->store, p->user.id, name, NULL, NULL);
    if (rc != 0)
        return rc;
    struct audit_detail d;
    audit_detail_init(&d);
    audit_detail_str(&d, "field", "name");
    audit_record(srv, p->has_tenant ? p->tenant.id : 0, p->user.id, "profile.update", ip, &d);
    return 0;
}

void profile_confirm_begin(struct arena *a, struct profile_confirm *c, const struct principal *p,
                           const char *password)
{
    memset(c, 0, sizeof(*c));
    c->password = xstrdup(password);
    c->hash = p->user.password_hash != NULL ? arena_strdup(a, p->user.password_hash) : NULL;
}

void profile_confirm_work(void *arg)
{
    struct profile_confirm *c = arg;
    c->ok = c->hash != NULL && password_verify(c->password, c->hash);
}

void profile_confirm_fini(struct profile_confirm *c)
{
    if (c->password == NULL)
        return;
    secure_wipe(c->password, strlen(c->password));
    free(c->password);
    c->password = NULL;
}
