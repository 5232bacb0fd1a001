/*
 * test_settings.c - runtime settings: values checked and put in canonical
 * form, the effective value (site, else platform, else the compiled
 * default), and caches over one database (as several instances) that see
 * a change once the version moved: at once after a refresh, and within
 * their poll period with the thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "core/settings.h"
#include "fixture.h"
#include "store/store.h"
#include "util/err.h"
#include "util/timeutil.h"

static const char *canon(const char *key, const char *value)
{
    static char out[SETTING_VALUE_MAX + 1];
    const struct setting_def *d = setting_def_find(key);
    assert_non_null(d);
    return setting_canonical(d, value, out) == 0 ? out : NULL;
}

static void values_are_checked(void **state)
{
    (void)state;
    assert_null(setting_def_find("nope"));
    assert_null(setting_def_find(NULL));
    const char *on[] = {"true", "1", "on", "yes"}, *off[] = {"false", "0", "off", "no"};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(canon("wncms_api_enabled", on[i]), "true");
        assert_string_equal(canon("wncms_api_enabled", off[i]), "false");
    }
    assert_null(canon("wncms_api_enabled", "TRUE"));
    assert_null(canon("wncms_api_enabled", ""));
    assert_string_equal(canon("wncms_api_posts_show_auth", "basic"), "basic");
    assert_null(canon("wncms_api_posts_show_auth", "oauth"));
    assert_string_equal(canon("wncms_api_posts_store_role", "editor"), "editor");
    assert_string_equal(canon("wncms_api_posts_store_role", ""), "none");
    assert_null(canon("wncms_api_posts_store_role", "Bad Role"));
    char longer[SETTING_VALUE_MAX + 2];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    assert_null(canon("wncms_api_posts_store_role", longer));
}

static void get(struct settings *c, int64_t tenant, const char *key, const char *want,
                enum setting_source want_source)
{
    char v[SETTING_VALUE_MAX + 1];
    enum setting_source src;
    settings_get(c, tenant, key, v, &src);
    assert_string_equal(v, want);
    assert_int_equal(src, want_source);
}

static void site_then_platform_then_default(void **state)
{
    (void)state;
    struct test_server *ts = test_server_new(NULL);
    int64_t site = test_tenant_new(ts, "site"), other = test_tenant_new(ts, "other");
    ts->srv.settings = settings_new(ts->srv.store, 0);
    struct settings *c = ts->srv.settings;
    assert_non_null(c);
    const char *k = "wncms_api_posts_delete_role";
    get(c, site, k, "admin", SOURCE_DEFAULT);
    get(c, 0, "unknown_key", "", SOURCE_DEFAULT);
    assert_int_equal(settings_set(&ts->srv, 0, k, "editor", 0, NULL), 0);
    get(c, site, k, "editor", SOURCE_PLATFORM);
    assert_int_equal(settings_set(&ts->srv, site, k, "", 0, NULL), 0);
    get(c, site, k, "none", SOURCE_TENANT);
    get(c, other, k, "editor", SOURCE_PLATFORM);
    get(c, 0, k, "editor", SOURCE_PLATFORM);
    assert_int_equal(settings_set(&ts->srv, 0, k, NULL, 0, NULL), 0);
    get(c, other, k, "admin", SOURCE_DEFAULT);
    get(c, site, k, "none", SOURCE_TENANT);
    assert_true(settings_on(c, site, "wncms_api_enabled"));
    assert_int_equal(settings_set(&ts->srv, site, "wncms_api_enabled", "off", 0, NULL), 0);
    assert_false(settings_on(c, site, "wncms_api_enabled"));
    assert_true(settings_on(c, other, "wncms_api_enabled"));
    /* Refused: nothing is written, the version does not move. */
    int64_t v0, v1;
    assert_int_equal(store_settings_version(ts->srv.store, &v0), 0);
    assert_int_equal(settings_set(&ts->srv, 0, "nope", "1", 0, NULL), ERR_NOT_FOUND);
    assert_int_equal(settings_set(&ts->srv, 0, k, "Not A Slug", 0, NULL), ERR_INVALID);
    assert_int_equal(store_settings_version(ts->srv.store, &v1), 0);
    assert_int_equal(v0, v1);
    /* The view lists every key in definition order. */
    struct setting_view *view;
    size_t n = settings_view(c, ts->a, site, &view);
    assert_int_equal(n, 16);
    assert_string_equal(view[0].def->key, "wncms_api_enabled");
    assert_string_equal(view[0].value, "false");
    settings_free(c);
    ts->srv.settings = NULL;
    test_server_free(ts);
}

static void another_cache_follows_the_version(void **state)
{
    (void)state;
    struct test_server *ts = test_server_new(NULL);
    int64_t site = test_tenant_new(ts, "site");
    /* Two other "instances": one refreshed by hand, one polling. */
    struct settings *manual = settings_new(ts->srv.store, 0);
    struct settings *polling = settings_new(ts->srv.store, 20);
    assert_int_equal(settings_set(&ts->srv, site, "wncms_api_posts_index_auth", "none", 0, NULL),
                     0);
    get(manual, site, "wncms_api_posts_index_auth", "simple", SOURCE_DEFAULT);
    assert_int_equal(settings_refresh(manual), 0);
    get(manual, site, "wncms_api_posts_index_auth", "none", SOURCE_TENANT);
    int64_t until = time_mono_ms() + 1000;
    char v[SETTING_VALUE_MAX + 1];
    do {
        settings_get(polling, site, "wncms_api_posts_index_auth", v, NULL);
        if (strcmp(v, "none") == 0)
            break;
        nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
    } while (time_mono_ms() < until);
    assert_string_equal(v, "none");
    settings_free(manual);
    settings_free(polling);
    test_server_free(ts);
}

int main(void)
{
    struct CMUnitTest tests[] = {
        cmocka_unit_test(values_are_checked),
        cmocka_unit_test(site_then_platform_then_default),
        cmocka_unit_test(another_cache_follows_the_version),
    };
    return test_run_on_both("settings", tests, sizeof(tests) / sizeof(tests[0]));
}
