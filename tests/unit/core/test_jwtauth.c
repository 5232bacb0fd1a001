/*
 * test_jwtauth.c - AutoCom's core over a real store (SQLite, then
 * PostgreSQL): the keyring (first key, rotation, retirement window, a
 * second instance picking a rotation up), JWT issue and authentication
 * (row, revocation, tenant binding, claims against the row), tenant
 * registration and password change (revocation of the other tokens,
 * audit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "core/jwtauth.h"
#include "core/keyring.h"
#include "core/passwd.h"
#include "core/register.h"
#include "core/token.h"
#include "core/user.h"
#include "crypto/random.h"
#include "server.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define PASSWORD "correct horse 1"

/* Each case's state: the shared fixture (a migrated store, a keyring
 * with its first key, JWTs that live 600 s, an arena). */
static int setup(void **state)
{
    static const char *const env[] = {"LATCHKEY_JWT_TTL", "600", "LATCHKEY_PUBLIC_URL",
                                      "https://auth.example.com", NULL};
    *state = test_server_new(&(struct test_server_options){.keys = true, .env = env});
    return 0;
}

static int teardown(void **state)
{
    test_server_free(*state);
    return 0;
}

/* Registers slug with owner email (new account unless it exists). */
static int do_register(struct test_server *f, const char *slug, const char *email,
                       const char *password, struct principal *p, char **jwt,
                       enum register_conflict *conflict)
{
    struct registration r;
    assert_int_equal(register_begin(&f->srv, f->a, &r, "Company", slug, "Owner Name", email,
                                    password, "127.0.0.1"),
                     0);
    register_work(&r);
    int rc = register_finish(&r, f->a, p, jwt, conflict);
    register_fini(&r);
    return rc;
}

static void register_ok(struct test_server *f, const char *slug, const char *email,
                        struct principal *p, char **jwt)
{
    enum register_conflict c;
    assert_int_equal(do_register(f, slug, email, PASSWORD, p, jwt, &c), 0);
    assert_int_equal(c, REG_NO_CONFLICT);
}

/* ---- keyring ---- */

static void keyring_first_key_rotation_and_retirement(void **state)
{
    struct test_server *f = *state;
    struct keyring *kr = f->srv.keys;
    bool created = true;
    assert_int_equal(keyring_ensure(kr, &created), 0);
    assert_false(created); /* setup made the first one */
    struct signing_key *keys = NULL;
    size_t n = 0;
    assert_int_equal(keyring_verifying(kr, f->a, time_now(), &keys, &n), 0);
    assert_int_equal(n, 1);
    const char *first = keys[0].kid;
    assert_null(keys[0].private_pem);

    struct jwt_claims c = {.iss = "i", .sub = "1", .aud = "a", .jti = "1", .exp = 1};
    char *token = NULL;
    char kid[JWT_KID_MAX + 1];
    assert_int_equal(keyring_sign(kr, &c, &token, kid), 0);
    assert_string_equal(kid, first);
    free(token);

    /* A second instance over the same database. */
    struct keyring *other = keyring_new(f->srv.store, 600);
    keyring_set_kek(other, f->kek);
    assert_non_null(keyring_lookup(other, f->a, first));

    char second[JWT_KID_MAX + 1];
    assert_int_equal(keyring_rotate(kr, second), 0);
    assert_string_not_equal(second, first);
    assert_int_equal(keyring_sign(kr, &c, &token, kid), 0);
    assert_string_equal(kid, second);
    free(token);
    assert_non_null(keyring_lookup(kr, f->a, first)); /* retired, still verifying */
    assert_int_equal(keyring_verifying(kr, f->a, time_now(), &keys, &n), 0);
    assert_int_equal(n, 2);
    /* Both were made this second: order by kid, so find the retired one. */
    const struct signing_key *old_key = strcmp(keys[0].kid, first) == 0 ? &keys[0] : &keys[1];
    assert_string_equal(old_key->kid, first);
    assert_true(old_key->retired_at > 0);
    int64_t until = keyring_verifies_until(kr, old_key);
    assert_int_equal(until, old_key->retired_at + 600 + KEYRING_GRACE_S);
    /* Past the window: gone from the JWKS. */
    assert_int_equal(keyring_verifying(kr, f->a, until, &keys, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(keys[0].kid, second);

    /* The other instance picks the rotation up within the refresh time. */
    usleep((KEYRING_REFRESH_MS + 100) * 1000);
    assert_int_equal(keyring_sign(other, &c, &token, kid), 0);
    assert_string_equal(kid, second);
    free(token);
    keyring_free(other);

    /* A key retired longer ago than a token lifetime no longer verifies. */
    struct signing_key old = {.kid = "ancient",
                              .alg = "RS256",
                              .private_pem = "x",
                              .public_jwk = "{}",
                              .created_at = 1000,
                              .retired_at = 2000};
    assert_int_equal(store_signing_key_insert(f->srv.store, &old), 0);
    usleep((KEYRING_REFRESH_MS + 100) * 1000);
    assert_null(keyring_lookup(kr, f->a, "ancient"));
    assert_null(keyring_lookup(kr, f->a, "never-existed"));
}

/* Every private key text in the store, in order. */
static void private_texts(struct test_server *f, const char **out, size_t max, size_t *n)
{
    struct signing_key *keys = NULL;
    assert_int_equal(store_signing_key_list(f->srv.store, f->a, &keys, n), 0);
    assert_true(*n <= max);
    for (size_t i = 0; i < *n; i++)
        out[i] = keys[i].private_pem;
}

/* Keys at rest: sealed in the store; a clear key from before sealed by
 * keyring_ensure; another KEK cannot load them; rewrap moves them all. */
static void keyring_seals_keys_at_rest(void **state)
{
    struct test_server *f = *state;
    const char *texts[4];
    size_t n = 0;
    private_texts(f, texts, 4, &n);
    assert_int_equal(n, 1);
    assert_true(jwt_key_is_sealed(texts[0]));
    assert_null(strstr(texts[0], "PRIVATE KEY"));

    /* A clear key, as an older version stored it. */
    struct jwt_keypair kp;
    assert_int_equal(jwt_keygen(2048, &kp), 0);
    struct signing_key clear = {.kid = kp.kid,
                                .alg = "RS256",
                                .private_pem = kp.private_pem,
                                .public_jwk = kp.public_jwk,
                                .created_at = 1000,
                                .retired_at = 2000};
    assert_int_equal(store_signing_key_insert(f->srv.store, &clear), 0);
    assert_int_equal(keyring_ensure(f->srv.keys, NULL), 0);
    private_texts(f, texts, 4, &n);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++)
        assert_true(jwt_key_is_sealed(texts[i]));
    char *pem = NULL;
    assert_int_equal(jwt_key_open(f->kek, texts[0], &pem), 0);
    assert_string_equal(pem, kp.private_pem);
    free(pem);
    jwt_keypair_fini(&kp);

    /* Another KEK, or none: the keys cannot be loaded, nothing is made. */
    unsigned char wrong[JWT_KEK_BYTES];
    random_bytes(wrong, sizeof(wrong));
    struct keyring *other = keyring_new(f->srv.store, 600);
    keyring_set_kek(other, wrong);
    assert_int_equal(keyring_ensure(other, NULL), ERR_CRYPTO);
    keyring_free(other);
    other = keyring_new(f->srv.store, 600);
    assert_int_equal(keyring_ensure(other, NULL), ERR_CRYPTO);
    char kid[JWT_KID_MAX + 1];
    assert_int_equal(keyring_rotate(other, kid), ERR_CRYPTO);
    keyring_free(other);
    private_texts(f, texts, 4, &n);
    assert_int_equal(n, 2);

    /* Rewrap: the same keys under a new KEK; the old one no longer opens them. */
    size_t moved = 0;
    assert_int_equal(keyring_rewrap(f->srv.keys, wrong, &moved), 0);
    assert_int_equal(moved, 2);
    private_texts(f, texts, 4, &n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(jwt_key_open(f->kek, texts[i], &pem), ERR_CRYPTO);
        assert_int_equal(jwt_key_open(wrong, texts[i], &pem), 0);
        secure_wipe(pem, strlen(pem));
        free(pem);
    }
    struct jwt_claims c = {.iss = "i", .sub = "1", .aud = "a", .jti = "1", .exp = 1};
    char *token = NULL;
    assert_int_equal(keyring_sign(f->srv.keys, &c, &token, kid), 0);
    free(token);
    /* Rewrapping with keys the current KEK cannot open changes nothing. */
    other = keyring_new(f->srv.store, 600);
    keyring_set_kek(other, f->kek);
    assert_int_equal(keyring_rewrap(other, f->kek, &moved), ERR_CRYPTO);
    assert_int_equal(moved, 0);
    keyring_free(other);
    const char *after[4];
    private_texts(f, after, 4, &n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(after[i], texts[i]);
}

/* The kill switch: the only active key needs rotate; a revoked key stops
 * verifying here at once and on another instance within the refresh. */
static void keyring_revoke_kill_switch(void **state)
{
    struct test_server *f = *state;
    struct keyring *kr = f->srv.keys;
    struct signing_key *keys = NULL;
    size_t n = 0;
    assert_int_equal(keyring_verifying(kr, f->a, time_now(), &keys, &n), 0);
    assert_int_equal(n, 1);
    const char *first = keys[0].kid;
    struct keyring *other = keyring_new(f->srv.store, 600);
    keyring_set_kek(other, f->kek);
    assert_non_null(keyring_lookup(other, f->a, first));

    char fresh[JWT_KID_MAX + 1] = "";
    assert_int_equal(keyring_revoke(kr, first, false, fresh), ERR_CONFLICT);
    assert_non_null(keyring_lookup(kr, f->a, first));
    assert_int_equal(keyring_revoke(kr, "no-such-kid", true, fresh), ERR_NOT_FOUND);
    assert_int_equal(keyring_verifying(kr, f->a, time_now(), &keys, &n), 0);
    assert_int_equal(n, 1); /* the failed --rotate made nothing */

    assert_int_equal(keyring_revoke(kr, first, true, fresh), 0);
    assert_string_not_equal(fresh, first);
    assert_null(keyring_lookup(kr, f->a, first));
    assert_int_equal(keyring_verifying(kr, f->a, time_now(), &keys, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(keys[0].kid, fresh);
    assert_int_equal(keyring_revoke(kr, first, true, fresh), ERR_NOT_FOUND);
    struct jwt_claims c = {.iss = "i", .sub = "1", .aud = "a", .jti = "1", .exp = 1};
    char *token = NULL;
    char kid[JWT_KID_MAX + 1];
    assert_int_equal(keyring_sign(kr, &c, &token, kid), 0);
    assert_string_equal(kid, fresh);
    free(token);

    usleep((KEYRING_REFRESH_MS + 100) * 1000);
    assert_null(keyring_lookup(other, f->a, first));
    assert_non_null(keyring_lookup(other, f->a, fresh));
    keyring_free(other);

    struct signing_key *all = NULL;
    assert_int_equal(keyring_list(kr, f->a, &all, &n), 0);
    assert_int_equal(n, 2);
    const struct signing_key *gone = strcmp(all[0].kid, first) == 0 ? &all[0] : &all[1];
    assert_true(gone->revoked_at > 0);
    assert_int_equal(keyring_verifies_until(kr, gone), gone->revoked_at);
}

/* ---- registration ---- */

static void register_creates_tenant_owner_and_jwt(void **state)
{
    struct test_server *f = *state;
    struct principal p;
    char *jwt = NULL;
    int64_t t0 = time_now();
    register_ok(f, "my-store", "John@MyStore.com", &p, &jwt);
    assert_string_equal(p.tenant.slug, "my-store");
    assert_string_equal(p.tenant.name, "Company");
    assert_string_equal(p.user.email, "john@mystore.com");
    assert_string_equal(p.user.name, "Owner Name");
    assert_string_equal(p.role.slug, "owner");
    assert_true(p.has_tenant);
    assert_true(p.user.last_login_at >= t0);
    assert_int_equal(p.token.kind, TOKEN_JWT);
    assert_true(p.token.expires_at >= t0 + 600 && p.token.expires_at <= time_now() + 600);

    struct principal q;
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt, "my-store", &q), 0);
    assert_int_equal(q.via, VIA_JWT);
    assert_int_equal(q.user.id, p.user.id);
    assert_int_equal(q.token.id, p.token.id);
    assert_string_equal(q.role.slug, "owner");
    assert_true(principal_can(&q, "team.invite"));
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt, NULL, &q), 0);
    assert_string_equal(q.tenant.slug, "my-store");

    /* The password was hashed and works for a later login. */
    struct user u;
    assert_int_equal(user_find_email(&f->srv, f->a, "john@mystore.com", &u), 0);
    assert_true(password_verify(PASSWORD, u.password_hash));
}

static void register_conflicts_and_existing_accounts(void **state)
{
    struct test_server *f = *state;
    struct principal p;
    char *jwt = NULL;
    enum register_conflict c;
    register_ok(f, "first", "owner@example.com", &p, &jwt);
    int64_t owner_id = p.user.id;

    assert_int_equal(do_register(f, "first", "new@example.com", PASSWORD, &p, &jwt, &c),
                     ERR_CONFLICT);
    assert_int_equal(c, REG_DOMAIN_TAKEN);
    /* An existing email with another password: "taken", nothing written. */
    assert_int_equal(
        do_register(f, "second", "owner@example.com", "not the password", &p, &jwt, &c),
        ERR_CONFLICT);
    assert_int_equal(c, REG_EMAIL_TAKEN);
    struct tenant t;
    assert_int_equal(store_tenant_by_slug(f->srv.store, f->a, "second", &t), ERR_NOT_FOUND);
    /* With its password: the account becomes the owner of a second tenant. */
    assert_int_equal(do_register(f, "second", "owner@example.com", PASSWORD, &p, &jwt, &c), 0);
    assert_int_equal(p.user.id, owner_id);
    assert_string_equal(p.user.name, "Owner Name");
    struct membership *ms = NULL;
    size_t n = 0;
    assert_int_equal(store_membership_list_by_user(f->srv.store, f->a, owner_id, &ms, &n), 0);
    assert_int_equal(n, 2);
    /* A suspended account is refused even with its password. */
    assert_int_equal(user_set_status(&f->srv, owner_id, USER_SUSPENDED), 0);
    assert_int_equal(do_register(f, "third", "owner@example.com", PASSWORD, &p, &jwt, &c),
                     ERR_FORBIDDEN);
    assert_int_equal(p.refusal, REFUSE_USER_SUSPENDED);
    assert_int_equal(store_tenant_by_slug(f->srv.store, f->a, "third", &t), ERR_NOT_FOUND);
}

/* ---- authentication ---- */

static void jwt_refusals(void **state)
{
    struct test_server *f = *state;
    struct principal a, b, q;
    char *jwt_a = NULL, *jwt_b = NULL;
    register_ok(f, "tenant-a", "a@example.com", &a, &jwt_a);
    register_ok(f, "tenant-b", "b@example.com", &b, &jwt_b);

    /* A's token with X-Tenant: B (a tenant A's user is not in). */
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt_a, "tenant-b", &q), ERR_FORBIDDEN);
    assert_int_equal(q.refusal, REFUSE_NOT_MEMBER);
    /* Once the user is a member of B, the login works there too. */
    struct role owner;
    assert_int_equal(store_role_by_id(f->srv.store, f->a, b.role.id, &owner), 0);
    assert_int_equal(member_add(&f->srv, a.user.id, b.tenant.id, owner.id), 0);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt_a, "tenant-b", &q), 0);
    assert_true(q.has_tenant);
    assert_int_equal(q.tenant.id, b.tenant.id);
    assert_int_equal(q.role.id, owner.id);
    assert_int_equal(q.token.tenant_id, a.tenant.id);
    /* Suspended there: refused there, still fine at home. */
    assert_int_equal(member_set_status(&f->srv, a.user.id, b.tenant.id, MEMBER_SUSPENDED), 0);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt_a, "tenant-b", &q), ERR_FORBIDDEN);
    assert_int_equal(q.refusal, REFUSE_MEMBER_SUSPENDED);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt_a, "tenant-a", &q), 0);
    /* Unknown, or not a slug at all: ERR_NOT_FOUND, REFUSE_TENANT_UNKNOWN. */
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt_a, "no-such-tenant", &q), ERR_NOT_FOUND);
    assert_int_equal(q.refusal, REFUSE_TENANT_UNKNOWN);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt_a, "Not A Slug", &q), ERR_NOT_FOUND);
    assert_int_equal(q.refusal, REFUSE_TENANT_UNKNOWN);
    /* The user-level form ignores tenants. */
    assert_int_equal(principal_from_jwt_user(&f->srv, f->a, jwt_a, &q), 0);
    assert_false(q.has_tenant);

    /* Suspended membership, then user. */
    assert_int_equal(member_set_status(&f->srv, a.user.id, a.tenant.id, MEMBER_SUSPENDED), 0);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt_a, "tenant-a", &q), ERR_FORBIDDEN);
    assert_int_equal(q.refusal, REFUSE_MEMBER_SUSPENDED);
    assert_int_equal(member_set_status(&f->srv, a.user.id, a.tenant.id, MEMBER_ACTIVE), 0);
    assert_int_equal(user_set_status(&f->srv, a.user.id, USER_INACTIVE), 0);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt_a, "tenant-a", &q), ERR_FORBIDDEN);
    assert_int_equal(q.refusal, REFUSE_USER_INACTIVE);
    assert_int_equal(user_set_status(&f->srv, a.user.id, USER_ACTIVE), 0);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt_a, "tenant-a", &q), 0);

    /* Revoked (logout): 401 from then on. */
    assert_int_equal(token_revoke(&f->srv, a.token.id, a.user.id, NULL), 0);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt_a, "tenant-a", &q), ERR_UNAUTHENTICATED);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, NULL, NULL, &q), ERR_UNAUTHENTICATED);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, "1|notajwt", NULL, &q), ERR_UNAUTHENTICATED);
}

/* Tokens signed with our own key whose claims disagree with their row. */
static void claims_must_match_the_row(void **state)
{
    struct test_server *f = *state;
    struct principal p, q;
    char *jwt = NULL;
    register_ok(f, "row-check", "row@example.com", &p, &jwt);
    struct token_request rq = {
        .user_id = p.user.id, .tenant_id = p.tenant.id, .name = "pat", .kind = TOKEN_PAT};
    struct token pat;
    char *plain = NULL;
    assert_int_equal(token_issue(&f->srv, f->a, &rq, &pat, &plain), 0);

    int64_t now = time_now();
    char jti[32], sub[32], other_sub[32];
    snprintf(jti, sizeof(jti), "%lld", (long long)p.token.id);
    snprintf(sub, sizeof(sub), "%lld", (long long)p.user.id);
    snprintf(other_sub, sizeof(other_sub), "%lld", (long long)p.user.id + 1000);
    char pat_jti[32];
    snprintf(pat_jti, sizeof(pat_jti), "%lld", (long long)pat.id);
    struct jwt_claims base = {.iss = f->srv.cfg.public_url,
                              .sub = sub,
                              .aud = "latchkey",
                              .tid = "row-check",
                              .jti = jti,
                              .iat = now,
                              .nbf = now,
                              .exp = now + 60};
    struct jwt_claims cases[4] = {base, base, base, base};
    cases[0].jti = pat_jti;   /* a PAT's row */
    cases[1].sub = other_sub; /* another user */
    cases[2].tid = "other";   /* another tenant */
    cases[3].jti = "999999";  /* no row */
    for (size_t i = 0; i < 4; i++) {
        char *t = NULL;
        assert_int_equal(keyring_sign(f->srv.keys, &cases[i], &t, NULL), 0);
        assert_int_equal(principal_from_jwt(&f->srv, f->a, t, NULL, &q), ERR_UNAUTHENTICATED);
        free(t);
    }
    char *t = NULL;
    assert_int_equal(keyring_sign(f->srv.keys, &base, &t, NULL), 0);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, t, NULL, &q), 0);
    free(t);
}

/* ---- password change ---- */

static bool audited(struct test_server *f, const char *action, const char *detail_part)
{
    struct audit_entry *es = NULL;
    size_t n = 0;
    assert_int_equal(store_audit_list(f->srv.store, f->a, 50, &es, &n), 0);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(es[i].action, action) == 0 &&
            (detail_part == NULL || (es[i].detail && strstr(es[i].detail, detail_part))))
            return true;
    }
    return false;
}

static int change(struct test_server *f, const struct principal *p, const char *current,
                  const char *next, int64_t *revoked)
{
    struct passwd_change pc;
    passwd_begin(&f->srv, f->a, &pc, p, current, next, "127.0.0.1");
    passwd_work(&pc);
    int rc = passwd_finish(&pc, revoked);
    passwd_fini(&pc);
    return rc;
}

static void password_change_revokes_the_other_tokens(void **state)
{
    struct test_server *f = *state;
    struct principal p, q;
    char *jwt = NULL;
    register_ok(f, "pw", "pw@example.com", &p, &jwt);
    struct principal second = p;
    char *jwt2 = NULL;
    assert_int_equal(jwtauth_issue(&f->srv, f->a, &second, "other device", NULL, &jwt2), 0);
    struct principal cur;
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt, "pw", &cur), 0);

    int64_t revoked = -1;
    assert_int_equal(change(f, &cur, "wrong password", "new password 1", &revoked),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(revoked, 0);
    assert_true(audited(f, "password.change_failure", NULL));
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt2, "pw", &q), 0); /* untouched */

    assert_int_equal(change(f, &cur, PASSWORD, "new password 1", &revoked), 0);
    assert_int_equal(revoked, 1);
    assert_true(audited(f, "password.change", "\"revoked_tokens\":1"));
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt, "pw", &q), 0);
    assert_int_equal(principal_from_jwt(&f->srv, f->a, jwt2, "pw", &q), ERR_UNAUTHENTICATED);
    struct user u;
    assert_int_equal(user_find_email(&f->srv, f->a, "pw@example.com", &u), 0);
    assert_true(password_verify("new password 1", u.password_hash));
    assert_false(password_verify(PASSWORD, u.password_hash));
}

/* Every case on SQLite, then on PostgreSQL: core's rules must not depend
 * on the backend. */
int main(void)
{
    struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(keyring_first_key_rotation_and_retirement, setup, teardown),
        cmocka_unit_test_setup_teardown(keyring_seals_keys_at_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(keyring_revoke_kill_switch, setup, teardown),
        cmocka_unit_test_setup_teardown(register_creates_tenant_owner_and_jwt, setup, teardown),
        cmocka_unit_test_setup_teardown(register_conflicts_and_existing_accounts, setup, teardown),
        cmocka_unit_test_setup_teardown(jwt_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(claims_must_match_the_row, setup, teardown),
        cmocka_unit_test_setup_teardown(password_change_revokes_the_other_tokens, setup, teardown),
    };
    return test_run_on_both("jwtauth", tests, sizeof(tests) / sizeof(tests[0]));
}
