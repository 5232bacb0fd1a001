/*
 * test_team.c - team management's core rules over a real store (SQLite,
 * then PostgreSQL): the last owner, raising a role above one's own, acting
 * on someone above oneself, suspension and removal cutting the member's
 * tokens in one tenant only (and the 403 their next request gets),
 * cross-tenant ids; invitations: expiry, single use, cancel, resend killing
 * the old token, existing and new accounts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "core/invitation.h"
#include "core/keyring.h"
#include "core/product.h"
#include "core/role.h"
#include "core/team.h"
#include "core/tenant.h"
#include "core/token.h"
#include "core/user.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "mail/mail.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"

#define PASSWORD "correct horse 1"

/* Each case's state: the shared fixture (a migrated store, the log
 * mail driver writing to DIR/mail, an arena). */
static int setup(void **state)
{
    static const char *const env[] = {"LATCHKEY_PUBLIC_URL", "https://auth.example.com", NULL};
    *state = test_server_new(&(struct test_server_options){.mailer = true, .env = env});
    return 0;
}

static int teardown(void **state)
{
    test_server_free(*state);
    return 0;
}

static int64_t role_id(struct test_server *f, int64_t tenant_id, const char *slug)
{
    struct role r;
    assert_int_equal(role_find(&f->srv, f->a, tenant_id, slug, &r), 0);
    return r.id;
}

/* A user who is a member of tenant_id with the role slug; returns its id. */
static int64_t member(struct test_server *f, const char *email, int64_t tenant_id, const char *slug)
{
    struct user u;
    int rc = user_find_email(&f->srv, f->a, email, &u);
    if (rc == ERR_NOT_FOUND) {
        struct user_request rq = {.email = email, .name = "Member", .password = PASSWORD};
        assert_int_equal(user_create(&f->srv, f->a, &rq, &u), 0);
    }
    assert_int_equal(member_add(&f->srv, u.id, tenant_id, role_id(f, tenant_id, slug)), 0);
    return u.id;
}

/* The principal of email acting in slug (as after a password login). */
static struct principal actor(struct test_server *f, const char *email, const char *slug)
{
    struct principal p;
    memset(&p, 0, sizeof(p));
    assert_int_equal(user_find_email(&f->srv, f->a, email, &p.user), 0);
    p.via = VIA_PASSWORD;
    assert_int_equal(principal_bind_tenant(&f->srv, f->a, &p, slug, 0), 0);
    return p;
}

static int apply(struct test_server *f, const struct principal *p, enum team_action act,
                 int64_t user_id, int64_t role, enum team_refusal *why)
{
    struct team_change c = {.action = act, .user_id = user_id, .role_id = role};
    struct member_row m;
    return team_apply(&f->srv, f->a, p, &c, &m, why);
}

/* Decodes quoted-printable in place (soft breaks and =XX). */
static void qp_decode(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if (r[0] == '=' && r[1] == '\r' && r[2] == '\n') {
            r += 3;
        } else if (r[0] == '=' && r[1] && r[2] && strchr("0123456789ABCDEF", r[1]) &&
                   strchr("0123456789ABCDEF", r[2])) {
            char hex[3] = {r[1], r[2], '\0'};
            *w++ = (char)strtol(hex, NULL, 16);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* The token of the invitation link in the only message of the outbox
 * sent to `to` (the log driver writes each message as a file). */
static void mailed_token(struct test_server *f, const char *to, char *token, size_t size)
{
    assert_int_equal(mailer_wait_idle(f->srv.mailer, 5000), 0);
    DIR *d = opendir(f->srv.cfg.mail_dir);
    assert_non_null(d);
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strstr(e->d_name, ".eml") == NULL)
            continue;
        char path[512], text[16384];
        snprintf(path, sizeof(path), "%s/%s", f->srv.cfg.mail_dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        size_t n = fread(text, 1, sizeof(text) - 1, fp);
        fclose(fp);
        text[n] = '\0';
        qp_decode(text);
        char want[128];
        snprintf(want, sizeof(want), "To: %s", to);
        if (strstr(text, want) == NULL)
            continue;
        const char *link = strstr(text, "https://auth.example.com/invitations/accept?token=");
        assert_non_null(link);
        link += strlen("https://auth.example.com/invitations/accept?token=");
        size_t len = strspn(link, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
        assert_int_equal(len, INVITATION_TOKEN_LEN);
        assert_true(len < size);
        memcpy(token, link, len);
        token[len] = '\0';
        found++;
    }
    closedir(d);
    assert_int_equal(found, 1);
}

/* ---- pure rules ---- */

static void rules_on_values(void **state)
{
    (void)state;
    static const char *mgr[] = {"team.view", "team.invite", "pos.view"};
    static const char *two[] = {"team.view", "pos.view"};
    static const char *more[] = {"team.view", "billing.manage"};
    static const char *star[] = {"*"};
    struct principal p;
    memset(&p, 0, sizeof(p));
    p.has_tenant = true;
    p.role.permissions = (struct strlist){mgr, 3};
    struct strlist l_two = {two, 2}, l_more = {more, 2}, l_star = {star, 1}, l_none = {NULL, 0};
    assert_true(team_within_actor(&p, &l_two));
    assert_true(team_within_actor(&p, &l_none));
    assert_false(team_within_actor(&p, &l_more));
    assert_false(team_within_actor(&p, &l_star));
    p.role.permissions = l_star;
    assert_true(team_within_actor(&p, &l_more));
    assert_true(team_within_actor(&p, &l_star));
    p.has_tenant = false;
    assert_false(team_within_actor(&p, &l_none));
    p.user.is_super_admin = true;
    assert_true(team_within_actor(&p, &l_more));

    assert_true(team_keeps_an_owner(false, false, 0));
    assert_true(team_keeps_an_owner(true, true, 1));
    assert_true(team_keeps_an_owner(true, false, 2));
    assert_false(team_keeps_an_owner(true, false, 1));
    assert_false(team_keeps_an_owner(true, false, 0));

    struct invitation inv = {.expires_at = 100};
    assert_int_equal(invitation_state(&inv, 99), INV_PENDING);
    assert_int_equal(invitation_state(&inv, 100), INV_EXPIRED);
    inv.cancelled_at = 50;
    assert_int_equal(invitation_state(&inv, 200), INV_CANCELLED);
    inv.accepted_at = 60;
    assert_int_equal(invitation_state(&inv, 200), INV_ACCEPTED);
    assert_string_equal(invitation_state_str(INV_EXPIRED), "expired");

    /* Every product: each permission a default role grants is in its own
     * catalogue, each catalogue entry is in its group, there is an owner
     * holding every permission, and the team routes' permissions exist. */
    static const char *const team_perms[] = {"team.view", "team.invite", "team.edit",
                                             "team.manage_roles", "team.remove"};
    for (size_t k = 0; k < n_products; k++) {
        const struct product *pr = products[k];
        assert_ptr_equal(product_find(pr->name), pr);
        bool has_owner = false;
        for (size_t i = 0; i < pr->n_roles; i++) {
            size_t np = 0;
            for (const char *const *perm = pr->roles[i].permissions; *perm != NULL; perm++, np++)
                assert_non_null(product_permission(pr, *perm));
            if (strcmp(pr->roles[i].slug, TEAM_OWNER_SLUG) == 0) {
                has_owner = true;
                assert_int_equal(np, pr->n_permissions);
            }
        }
        assert_true(has_owner);
        for (size_t i = 0; i < pr->n_permissions; i++) {
            const struct permission_info *pi = &pr->permissions[i];
            size_t glen = strlen(pi->group);
            if (strchr(pi->name, '.') == NULL) {
                /* A seed's own spelling ("CREATE LEADS"): ACTION GROUP. */
                const char *sp = strchr(pi->name, ' ');
                assert_non_null(sp);
                assert_int_equal(strlen(sp + 1), glen);
                assert_int_equal(strncasecmp(sp + 1, pi->group, glen), 0);
                continue;
            }
            assert_int_equal(strncmp(pi->name, pi->group, glen), 0);
            assert_int_equal(pi->name[glen], '.');
        }
        for (size_t i = 0; i < sizeof(team_perms) / sizeof(team_perms[0]); i++)
            assert_non_null(product_permission(pr, team_perms[i]));
        assert_null(product_permission(pr, "team.nothing"));
    }
    /* The default product exists; AutoCom's member role is the seed's. */
    assert_non_null(product_find(NULL));
    assert_string_equal(product_find(NULL)->name, TENANT_PRODUCT_DEFAULT);
    assert_null(product_find("nope"));
    const struct product *ac = product_find("autocom");
    assert_non_null(ac);
    assert_string_equal(ac->roles[ac->n_roles - 1].slug, "agent");
    assert_string_equal(ac->roles[0].permissions[0], "dashboard.view");
    assert_string_equal(ac->roles[0].permissions[1], "dashboard.view_analytics");
    assert_string_equal(ac->roles[0].permissions[2], "orders.view");
    assert_string_equal(ac->roles[0].permissions[3], "orders.create");
    char names[64];
    product_names(names, sizeof(names));
    assert_string_equal(names, "travel, autocom, wedocod, wncms");
}

/* ---- members ---- */

static void last_owner_cannot_leave(void **state)
{
    struct test_server *f = *state;
    int64_t t = test_tenant_new(f, "acme");
    int64_t owner = member(f, "owner@example.com", t, "owner");
    struct principal p = actor(f, "owner@example.com", "acme");
    enum team_refusal why;
    int64_t admin_role = role_id(f, t, "admin");
    assert_int_equal(apply(f, &p, TEAM_SET_ROLE, owner, admin_role, &why), ERR_CONFLICT);
    assert_int_equal(why, TEAM_LAST_OWNER);
    assert_int_equal(apply(f, &p, TEAM_SUSPEND, owner, 0, &why), ERR_CONFLICT);
    assert_int_equal(why, TEAM_LAST_OWNER);
    assert_int_equal(apply(f, &p, TEAM_REMOVE, owner, 0, &why), ERR_CONFLICT);
    assert_int_equal(why, TEAM_LAST_OWNER);
    /* Keeping the owner role is no demotion. */
    assert_int_equal(apply(f, &p, TEAM_SET_ROLE, owner, role_id(f, t, "owner"), &why), 0);

    /* A suspended second owner does not count. */
    int64_t second = member(f, "second@example.com", t, "owner");
    assert_int_equal(apply(f, &p, TEAM_SUSPEND, second, 0, &why), 0);
    assert_int_equal(apply(f, &p, TEAM_SET_ROLE, owner, admin_role, &why), ERR_CONFLICT);
    /* Once active, either may step down, but not both. */
    assert_int_equal(apply(f, &p, TEAM_REACTIVATE, second, 0, &why), 0);
    assert_int_equal(apply(f, &p, TEAM_SET_ROLE, owner, admin_role, &why), 0);
    struct principal q = actor(f, "second@example.com", "acme");
    assert_int_equal(apply(f, &q, TEAM_REMOVE, second, 0, &why), ERR_CONFLICT);
    assert_int_equal(why, TEAM_LAST_OWNER);
    struct membership m;
    assert_int_equal(store_membership_get(f->srv.store, owner, t, &m), 0);
    assert_int_equal(m.role_id, admin_role);

    /* The audit log names actor, target and tenant. */
    struct audit_entry *log = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_list(f->srv.store, f->a, 1, &log, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(log[0].action, "member.role_change");
    assert_int_equal(log[0].tenant_id, t);
    assert_int_equal(log[0].user_id, owner);
    char want[128];
    snprintf(want, sizeof(want),
             "{\"target_user_id\":%lld,\"from_role_id\":%lld,\"to_role_id\":%lld}",
             (long long)owner, (long long)role_id(f, t, "owner"), (long long)admin_role);
    assert_string_equal(log[0].detail, want);
}

static void nobody_rises_above_their_role(void **state)
{
    struct test_server *f = *state;
    int64_t t = test_tenant_new(f, "acme");
    int64_t owner = member(f, "owner@example.com", t, "owner");
    int64_t admin = member(f, "admin@example.com", t, "admin");
    int64_t agent = member(f, "agent@example.com", t, "user");
    struct principal p = actor(f, "admin@example.com", "acme");
    enum team_refusal why;
    /* Not above their own role: admin -> owner, for themselves or others. */
    assert_int_equal(apply(f, &p, TEAM_SET_ROLE, admin, role_id(f, t, "owner"), &why),
                     ERR_FORBIDDEN);
    assert_int_equal(why, TEAM_ROLE_ABOVE_ACTOR);
    assert_int_equal(apply(f, &p, TEAM_SET_ROLE, agent, role_id(f, t, "owner"), &why),
                     ERR_FORBIDDEN);
    /* Not on someone above them. */
    assert_int_equal(apply(f, &p, TEAM_SUSPEND, owner, 0, &why), ERR_FORBIDDEN);
    assert_int_equal(why, TEAM_TARGET_ABOVE_ACTOR);
    assert_int_equal(apply(f, &p, TEAM_REMOVE, owner, 0, &why), ERR_FORBIDDEN);
    /* Within their role: fine, also stepping down themselves. */
    assert_int_equal(apply(f, &p, TEAM_SET_ROLE, agent, role_id(f, t, "admin"), &why), 0);
    assert_int_equal(apply(f, &p, TEAM_SET_ROLE, admin, role_id(f, t, "manager"), &why), 0);
    /* A manager cannot hand out admin. */
    struct principal mgr = actor(f, "admin@example.com", "acme");
    assert_string_equal(mgr.role.slug, "manager");
    assert_int_equal(apply(f, &mgr, TEAM_SET_ROLE, admin, role_id(f, t, "admin"), &why),
                     ERR_FORBIDDEN);
    assert_int_equal(why, TEAM_ROLE_ABOVE_ACTOR);
}

static void ids_of_other_tenants_are_not_found(void **state)
{
    struct test_server *f = *state;
    int64_t t = test_tenant_new(f, "acme"), u = test_tenant_new(f, "umbrella");
    member(f, "owner@example.com", t, "owner");
    int64_t stranger = member(f, "s@example.com", u, "user");
    struct principal p = actor(f, "owner@example.com", "acme");
    enum team_refusal why;
    assert_int_equal(apply(f, &p, TEAM_SUSPEND, stranger, 0, &why), ERR_NOT_FOUND);
    assert_int_equal(apply(f, &p, TEAM_REMOVE, stranger, 0, &why), ERR_NOT_FOUND);
    assert_int_equal(apply(f, &p, TEAM_SET_ROLE, stranger, role_id(f, t, "user"), &why),
                     ERR_NOT_FOUND);
    assert_int_equal(apply(f, &p, TEAM_REMOVE, 999999, 0, &why), ERR_NOT_FOUND);
    int64_t agent = member(f, "a@example.com", t, "user");
    assert_int_equal(apply(f, &p, TEAM_SET_ROLE, agent, role_id(f, u, "admin"), &why), ERR_INVALID);
    assert_int_equal(why, TEAM_BAD_ROLE);
    struct role r;
    assert_int_equal(team_role(&f->srv, f->a, t, role_id(f, u, "admin"), &r), ERR_NOT_FOUND);
    struct membership m;
    assert_int_equal(store_membership_get(f->srv.store, stranger, u, &m), 0);
    assert_int_equal(m.status, MEMBER_ACTIVE);
}

static char *pat(struct test_server *f, int64_t user_id, int64_t tenant_id)
{
    struct token_request rq = {.user_id = user_id, .tenant_id = tenant_id, .name = "t"};
    struct token t;
    char *plain = NULL;
    assert_int_equal(token_issue(&f->srv, f->a, &rq, &t, &plain), 0);
    return plain;
}

static int who(struct test_server *f, const char *bearer, struct principal *p)
{
    return principal_from_bearer(&f->srv, f->a, bearer, NULL, p);
}

static void suspension_and_removal_cut_one_tenant(void **state)
{
    struct test_server *f = *state;
    int64_t t = test_tenant_new(f, "acme"), u = test_tenant_new(f, "umbrella");
    member(f, "owner@example.com", t, "owner");
    int64_t agent = member(f, "agent@example.com", t, "user");
    member(f, "agent@example.com", u, "user");
    char *here = pat(f, agent, t), *there = pat(f, agent, u);
    struct principal p = actor(f, "owner@example.com", "acme"), q;
    enum team_refusal why;

    assert_int_equal(apply(f, &p, TEAM_SUSPEND, agent, 0, &why), 0);
    assert_int_equal(who(f, here, &q), ERR_FORBIDDEN);
    assert_int_equal(q.refusal, REFUSE_MEMBER_SUSPENDED);
    assert_int_equal(q.user.id, agent);
    assert_int_equal(who(f, there, &q), 0);

    /* Back in, the old token stays dead: sign in again. */
    assert_int_equal(apply(f, &p, TEAM_REACTIVATE, agent, 0, &why), 0);
    assert_int_equal(who(f, here, &q), ERR_UNAUTHENTICATED);
    char *fresh = pat(f, agent, t);
    assert_int_equal(who(f, fresh, &q), 0);

    assert_int_equal(apply(f, &p, TEAM_REMOVE, agent, 0, &why), 0);
    assert_int_equal(who(f, fresh, &q), ERR_FORBIDDEN);
    assert_int_equal(q.refusal, REFUSE_NOT_MEMBER);
    assert_int_equal(who(f, there, &q), 0);
    struct membership m;
    assert_int_equal(store_membership_get(f->srv.store, agent, t, &m), ERR_NOT_FOUND);
    assert_int_equal(apply(f, &p, TEAM_REMOVE, agent, 0, &why), ERR_NOT_FOUND);

    struct audit_entry *log = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_list(f->srv.store, f->a, 1, &log, &n), 0);
    assert_string_equal(log[0].action, "member.remove");
    char want[128];
    snprintf(want, sizeof(want),
             "{\"target_user_id\":%lld,\"revoked_tokens\":1,\"deleted_sessions\":0}",
             (long long)agent);
    assert_string_equal(log[0].detail, want);
}

static void member_list_pages(void **state)
{
    struct test_server *f = *state;
    int64_t t = test_tenant_new(f, "acme");
    char email[64];
    for (int i = 0; i < 5; i++) {
        snprintf(email, sizeof(email), "m%d@example.com", i);
        member(f, email, t, "user");
    }
    struct member_row *rows;
    size_t n;
    int64_t total;
    assert_int_equal(team_list(&f->srv, f->a, t, 2, 2, &rows, &n, &total), 0);
    assert_int_equal(total, 5);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].user.email, "m2@example.com");
    assert_int_equal(team_list(&f->srv, f->a, t, 3, 2, &rows, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_int_equal(team_list(&f->srv, f->a, t, 4, 2, &rows, &n, &total), 0);
    assert_int_equal(n, 0);
    assert_int_equal(team_list(&f->srv, f->a, t, 0, 2, &rows, &n, &total), ERR_INVALID);
    assert_int_equal(team_list(&f->srv, f->a, t, 1, TEAM_PER_PAGE_MAX + 1, &rows, &n, &total),
                     ERR_INVALID);
}

/* ---- invitations ---- */

/* An invitation with a token the test knows (as if emailed). */
static int64_t invite_raw(struct test_server *f, int64_t tenant_id, const char *email, int64_t role,
                          const char *token, int64_t expires_at)
{
    struct invitation inv = {
        .tenant_id = tenant_id, .email = email, .role_id = role, .expires_at = expires_at};
    sha256_hex(token, strlen(token), inv.token_hash);
    assert_int_equal(store_invitation_insert(f->srv.store, &inv), 0);
    return inv.id;
}

/* The whole accept for token (a new account gets name and PASSWORD). */
static int accept(struct test_server *f, const char *token, struct user *u,
                  enum invitation_state *st, enum invite_refusal *why)
{
    struct acceptance acc;
    int rc = accept_begin(&f->srv, f->a, &acc, token, "127.0.0.1", st, why);
    if (rc == 0) {
        if (!acc.existing)
            accept_set_password(&acc, "New Person", PASSWORD);
        accept_work(&acc);
        rc = accept_finish(&acc, f->a, u, st, why);
    }
    accept_fini(&acc);
    return rc;
}

static void accept_is_single_use(void **state)
{
    struct test_server *f = *state;
    int64_t t = test_tenant_new(f, "acme");
    int64_t mgr = role_id(f, t, "manager");
    const char *token = "tok-new-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV";
    invite_raw(f, t, "new@example.com", mgr, token, time_now() + 100);
    struct user u;
    enum invitation_state st;
    enum invite_refusal why;
    assert_int_equal(accept(f, token, &u, &st, &why), 0);
    assert_string_equal(u.email, "new@example.com");
    assert_string_equal(u.name, "New Person");
    assert_true(u.email_verified_at > 0);
    struct membership m;
    assert_int_equal(store_membership_get(f->srv.store, u.id, t, &m), 0);
    assert_int_equal(m.role_id, mgr);
    assert_int_equal(m.status, MEMBER_ACTIVE);

    assert_int_equal(accept(f, token, &u, &st, &why), ERR_CONFLICT);
    assert_int_equal(why, INVITE_NOT_OPEN);
    assert_int_equal(st, INV_ACCEPTED);

    /* Two acceptances in flight: the second one to finish loses. */
    const char *tok2 = "tok-race-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU";
    member(f, "old@example.com", test_tenant_new(f, "other"), "user");
    invite_raw(f, t, "old@example.com", mgr, tok2, time_now() + 100);
    struct acceptance a1, a2;
    assert_int_equal(accept_begin(&f->srv, f->a, &a1, tok2, NULL, &st, &why), 0);
    assert_int_equal(accept_begin(&f->srv, f->a, &a2, tok2, NULL, &st, &why), 0);
    assert_true(a1.existing);
    assert_int_equal(accept_finish(&a1, f->a, &u, &st, &why), 0);
    assert_int_equal(accept_finish(&a2, f->a, &u, &st, &why), ERR_CONFLICT);
    assert_int_equal(why, INVITE_NOT_OPEN);
    assert_int_equal(st, INV_ACCEPTED);
    accept_fini(&a1);
    accept_fini(&a2);
}

static void expired_cancelled_unknown(void **state)
{
    struct test_server *f = *state;
    int64_t t = test_tenant_new(f, "acme");
    int64_t r = role_id(f, t, "user");
    struct user u;
    enum invitation_state st;
    enum invite_refusal why;
    invite_raw(f, t, "late@example.com", r, "expired-token", time_now() - 1);
    assert_int_equal(accept(f, "expired-token", &u, &st, &why), ERR_CONFLICT);
    assert_int_equal(st, INV_EXPIRED);
    int64_t id = invite_raw(f, t, "gone@example.com", r, "cancelled-token", time_now() + 100);
    assert_int_equal(store_invitation_cancel(f->srv.store, id, time_now()), 0);
    assert_int_equal(accept(f, "cancelled-token", &u, &st, &why), ERR_CONFLICT);
    assert_int_equal(st, INV_CANCELLED);
    assert_int_equal(accept(f, "no-such-token", &u, &st, &why), ERR_NOT_FOUND);
    assert_int_equal(accept(f, "", &u, &st, &why), ERR_NOT_FOUND);
    struct user nobody;
    assert_int_equal(user_find_email(&f->srv, f->a, "late@example.com", &nobody), ERR_NOT_FOUND);
}

static void invite_resend_cancel(void **state)
{
    struct test_server *f = *state;
    int64_t t = test_tenant_new(f, "acme");
    member(f, "owner@example.com", t, "owner");
    member(f, "mgr@example.com", t, "manager");
    struct principal owner = actor(f, "owner@example.com", "acme");
    struct principal mgr = actor(f, "mgr@example.com", "acme");
    struct invitation inv, again;
    enum invite_refusal why;
    assert_int_equal(invitation_create(&f->srv, f->a, &owner, "Jane@Example.com",
                                       role_id(f, t, "admin"), NULL, &inv, &why),
                     0);
    assert_string_equal(inv.email, "jane@example.com");
    assert_int_equal(inv.expires_at - inv.created_at, INVITATION_TTL_S);
    char token[INVITATION_TOKEN_LEN + 1], hash[TOKEN_HASH_HEX + 1];
    mailed_token(f, "jane@example.com", token, sizeof(token));
    sha256_hex(token, strlen(token), hash);
    assert_string_equal(hash, inv.token_hash);
    assert_int_equal(invitation_create(&f->srv, f->a, &owner, "jane@example.com",
                                       role_id(f, t, "user"), NULL, &again, &why),
                     ERR_CONFLICT);
    assert_int_equal(why, INVITE_PENDING);
    assert_int_equal(invitation_create(&f->srv, f->a, &owner, "mgr@example.com",
                                       role_id(f, t, "user"), NULL, &again, &why),
                     ERR_CONFLICT);
    assert_int_equal(why, INVITE_MEMBER);
    /* A manager cannot invite an admin. */
    assert_int_equal(invitation_create(&f->srv, f->a, &mgr, "x@example.com", role_id(f, t, "admin"),
                                       NULL, &again, &why),
                     ERR_FORBIDDEN);
    assert_int_equal(why, INVITE_ROLE_ABOVE);
    assert_int_equal(
        invitation_create(&f->srv, f->a, &owner, "x@example.com", 999999, NULL, &again, &why),
        ERR_INVALID);

    /* Resend: a new token; the old hash finds nothing any more. */
    char old_hash[TOKEN_HASH_HEX + 1];
    memcpy(old_hash, inv.token_hash, sizeof(old_hash));
    assert_int_equal(invitation_resend(&f->srv, f->a, &mgr, inv.id, NULL, &again, &why), 0);
    assert_string_not_equal(again.token_hash, old_hash);
    struct invitation got;
    assert_int_equal(store_invitation_by_hash(f->srv.store, f->a, old_hash, &got), ERR_NOT_FOUND);

    /* Another tenant's manager sees nothing. */
    int64_t u = test_tenant_new(f, "umbrella");
    member(f, "boss@example.com", u, "owner");
    struct principal stranger = actor(f, "boss@example.com", "umbrella");
    assert_int_equal(invitation_resend(&f->srv, f->a, &stranger, inv.id, NULL, &again, &why),
                     ERR_NOT_FOUND);
    assert_int_equal(invitation_cancel(&f->srv, f->a, &stranger, inv.id, NULL, &again, &why),
                     ERR_NOT_FOUND);

    assert_int_equal(invitation_cancel(&f->srv, f->a, &owner, inv.id, NULL, &again, &why), 0);
    assert_int_equal(invitation_cancel(&f->srv, f->a, &owner, inv.id, NULL, &again, &why),
                     ERR_CONFLICT);
    assert_int_equal(why, INVITE_NOT_OPEN);
    assert_int_equal(invitation_resend(&f->srv, f->a, &owner, inv.id, NULL, &again, &why),
                     ERR_CONFLICT);
    struct invitation *list;
    size_t n;
    assert_int_equal(invitation_list(&f->srv, f->a, t, &list, &n), 0);
    assert_int_equal(n, 0);

    /* An expired invitation is replaced by a new one to the same address. */
    invite_raw(f, t, "late@example.com", role_id(f, t, "user"), "late", time_now() - 5);
    assert_int_equal(invitation_create(&f->srv, f->a, &owner, "late@example.com",
                                       role_id(f, t, "user"), NULL, &again, &why),
                     0);
    assert_int_equal(invitation_list(&f->srv, f->a, t, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, again.id);
}

static void existing_account_joins_with_token_only(void **state)
{
    struct test_server *f = *state;
    int64_t t = test_tenant_new(f, "acme"), o = test_tenant_new(f, "other");
    int64_t user = member(f, "known@example.com", o, "owner");
    struct user before;
    assert_int_equal(store_user_by_id(f->srv.store, f->a, user, &before), 0);
    invite_raw(f, t, "known@example.com", role_id(f, t, "user"), "join-token", time_now() + 60);
    struct acceptance acc;
    enum invitation_state st;
    enum invite_refusal why;
    assert_int_equal(accept_begin(&f->srv, f->a, &acc, "join-token", NULL, &st, &why), 0);
    assert_true(acc.existing);
    accept_work(&acc);
    struct user u;
    assert_int_equal(accept_finish(&acc, f->a, &u, &st, &why), 0);
    accept_fini(&acc);
    assert_int_equal(u.id, user);
    struct user after;
    assert_int_equal(store_user_by_id(f->srv.store, f->a, user, &after), 0);
    assert_string_equal(after.password_hash, before.password_hash);
    struct membership m;
    assert_int_equal(store_membership_get(f->srv.store, user, t, &m), 0);
    assert_int_equal(m.role_id, role_id(f, t, "user"));

    /* Already a member: refused, the invitation stays open. */
    invite_raw(f, t, "known2@example.com", role_id(f, t, "user"), "t2", time_now() + 60);
    member(f, "known2@example.com", t, "user");
    assert_int_equal(accept_begin(&f->srv, f->a, &acc, "t2", NULL, &st, &why), ERR_CONFLICT);
    assert_int_equal(why, INVITE_MEMBER);
    accept_fini(&acc);

    /* A suspended account cannot join. */
    int64_t s = member(f, "susp@example.com", o, "user");
    assert_int_equal(user_set_status(&f->srv, s, USER_SUSPENDED), 0);
    invite_raw(f, t, "susp@example.com", role_id(f, t, "user"), "t3", time_now() + 60);
    assert_int_equal(accept_begin(&f->srv, f->a, &acc, "t3", NULL, &st, &why), ERR_FORBIDDEN);
    assert_int_equal(why, INVITE_USER_SUSPENDED);
    accept_fini(&acc);
}

/* Every case on SQLite, then on PostgreSQL: core's rules must not depend
 * on the backend. */
int main(void)
{
    struct CMUnitTest tests[] = {
        cmocka_unit_test(rules_on_values),
        cmocka_unit_test_setup_teardown(last_owner_cannot_leave, setup, teardown),
        cmocka_unit_test_setup_teardown(nobody_rises_above_their_role, setup, teardown),
        cmocka_unit_test_setup_teardown(ids_of_other_tenants_are_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(suspension_and_removal_cut_one_tenant, setup, teardown),
        cmocka_unit_test_setup_teardown(member_list_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(accept_is_single_use, setup, teardown),
        cmocka_unit_test_setup_teardown(expired_cancelled_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(invite_resend_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(existing_account_joins_with_token_only, setup, teardown),
    };
    return test_run_on_both("team", tests, sizeof(tests) / sizeof(tests[0]));
}
