/*
 * settings.h - runtime settings (issue 14): values held in the settings
 * table per tenant, with a platform default (tenant 0), else the compiled
 * default of their definition. The per-endpoint switches, auth modes and
 * required roles of gated routes (surfaces/route.h) are settings.
 *
 * Every key is declared by a surface (struct setting_def, listed in
 * setting_defs[] in surfaces/surfaces.c, like products[]); a value is
 * checked against its type when it is set, so the request path never sees
 * a value it cannot read.
 *
 * The cache: an immutable snapshot of every row, replaced whole. A
 * background thread reads the settings version (one row bumped in the
 * transaction of every change) every poll_ms and reloads the rows when it
 * moved, so a change made by any instance is in force on every instance
 * within poll_ms plus one read; the request path only takes a read lock.
 * Thread-safe.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct server;
struct store;
struct settings;

enum setting_type {
    SETTING_BOOL,      /* "true" or "false" (set as true/false/1/0/on/off/yes/no) */
    SETTING_AUTH_MODE, /* "none", "simple" or "basic" */
    SETTING_ROLE,      /* "none" or a role slug ([a-z0-9_-], 1..64) */
};

struct setting_def {
    const char *key; /* [a-z0-9_], at most SETTING_KEY_MAX bytes */
    enum setting_type type;
    const char *fallback; /* the compiled default, in canonical form */
    const char *help;     /* one line for `setting list` and the README */
};

#define SETTING_KEY_MAX   64
#define SETTING_VALUE_MAX 64

/* Every surface's definitions, NULL-terminated (surfaces/surfaces.c). */
extern const struct setting_def *const setting_defs[];
extern const size_t n_setting_defs;

/* The definition of key, or NULL. */
const struct setting_def *setting_def_find(const char *key);
/*
 * The canonical form of value for def into out (SETTING_VALUE_MAX + 1
 * bytes): "true"/"false", a mode, "none" or a slug. ERR_INVALID otherwise.
 */
int setting_canonical(const struct setting_def *def, const char *value,
                      char out[SETTING_VALUE_MAX + 1]) __attribute__((warn_unused_result));

/*
 * Loads the settings from store and, when poll_ms > 0, starts the thread
 * that keeps them current. store is borrowed. NULL on a store error.
 */
struct settings *settings_new(struct store *store, unsigned poll_ms);
/* Stops the thread and frees. Accepts NULL. */
void settings_free(struct settings *c);
/* Re-reads the version now and reloads on a change (after a local set). */
int settings_refresh(struct settings *c) __attribute__((warn_unused_result));
/*
 * Other state kept in the database and bumping the same version (the
 * forward-auth rules, core/access.h) follows it through a listener: fn is
 * called with arg and the new version after every reload, on the thread
 * that reloaded (the poller, or a settings_refresh caller), outside the
 * settings lock. At most SETTINGS_LISTENERS; register before other threads
 * read the settings. A listener that fails keeps its state and is called
 * again at the next change.
 */
#define SETTINGS_LISTENERS 4
void settings_listen(struct settings *c, void (*fn)(void *arg, int64_t version), void *arg);

/* Where an effective value comes from. */
enum setting_source { SOURCE_DEFAULT, SOURCE_PLATFORM, SOURCE_TENANT };

/*
 * The effective value of key for tenant_id (0: the platform's) into out:
 * the tenant's row, else the platform's, else the compiled default; an
 * unknown key reads as "". *source (may be NULL) says which.
 */
void settings_get(struct settings *c, int64_t tenant_id, const char *key,
                  char out[SETTING_VALUE_MAX + 1], enum setting_source *source);
/* settings_get of a SETTING_BOOL key. */
bool settings_on(struct settings *c, int64_t tenant_id, const char *key);
const char *setting_source_str(enum setting_source s);

/*
 * Sets key in scope tenant_id (0: the platform default) to value's
 * canonical form, or removes the scope's value when value is NULL (the
 * next scope then decides), in one transaction with the version; audited
 * as setting.update by actor_user_id (0: the CLI); srv->settings (if any)
 * is refreshed before returning. ERR_NOT_FOUND for an unknown key,
 * ERR_INVALID for a bad value.
 */
int settings_set(struct server *srv, int64_t tenant_id, const char *key, const char *value,
                 int64_t actor_user_id, const char *ip) __attribute__((warn_unused_result));

/* One defined key's effective value (settings_view). */
struct setting_view {
    const struct setting_def *def;
    char value[SETTING_VALUE_MAX + 1];
    enum setting_source source;
};
/* Every defined key's effective value for tenant_id, in definition
 * order: an arena array; returns its length. */
size_t settings_view(struct settings *c, struct arena *a, int64_t tenant_id,
                     struct setting_view **out);
