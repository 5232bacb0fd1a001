/*
 * profile.c - the dashboard's profile routes (issue 15), on the session
 * of the WedoCOD issue, in Laravel's dialect (Breeze and Jetstream):
 *
 *   PATCH  /profile                      name -> the new name (Breeze's ProfileController)
 *   PUT    /password                     current_password, password, password_confirmation
 *                                        (Breeze's PasswordController): ends the user's
 *                                        other sessions and revokes their tokens
 *   GET    /user/sessions                the user's live sessions, this one marked
 *   DELETE /user/other-browser-sessions  password -> the other sessions end (Jetstream)
 *
 * Every route takes the session only (AUTH_SESSION: CSRF-checked). The
 * password checks run on the hashing pool (http_defer).
 */
#include <string.h>

#include "core/passwd.h"
#include "core/profile.h"
#include "core/session.h"
#include "server.h"
#include "surfaces/dispatch.h"
#include "surfaces/surfaces.h"
#include "surfaces/validate.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/jsonutil.h"

#define WRONG_CURRENT      "The password is incorrect."
#define WRONG_CONFIRMATION "This password does not match our records."

static void reply_status(struct request *req, const char *status)
{
    http_reply_json(req, 200, json_pack("{s:s}", "status", status));
}

/* ---- PATCH /profile ---- */

static void profile_update_handler(struct server *srv, struct request *req,
                                   const struct principal *p)
{
    struct validator v;
    validator_init(&v, req);
    const char *name = validate_string(&v, req, "name", V_REQUIRED, PROFILE_NAME_MAX);
    if (validate_failed(&v)) {
        validate_reply(&surface_profile, req, &v);
        return;
    }
    int rc = profile_rename(srv, p, name, http_client_ip(req));
    if (rc != 0) {
        surface_fail(&surface_profile, req, rc);
        return;
    }
    http_reply_json(req, 200, json_pack("{s:s, s:s}", "status", "profile-updated", "name", name));
}

/* ---- PUT /password ---- */

static void password_resume(struct request *req, void *arg)
{
    struct passwd_change *pc = arg;
    int rc = passwd_finish(pc, NULL);
    passwd_fini(pc);
    if (rc == ERR_UNAUTHENTICATED)
        validate_reply_field(&surface_profile, req, "current_password", WRONG_CURRENT);
    else if (rc != 0)
        surface_fail(&surface_profile, req, rc);
    else
        reply_status(req, "password-updated");
}

static void password_handler(struct server *srv, struct request *req, const struct principal *p)
{
    surface_change_password(srv, &surface_profile, req, p, password_resume);
}

/* ---- GET /user/sessions ---- */

static void sessions_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct session *rows = NULL;
    size_t n = 0;
    int rc = session_list_user(srv, http_arena(req), p->user.id, &rows, &n);
    if (rc != 0) {
        surface_fail(&surface_profile, req, rc);
        return;
    }
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct session *s = &rows[i];
        bool current = strcmp(s->id_hash, p->session.id_hash) == 0;
        json_array_append_new(
            data,
            json_pack("{s:o, s:o, s:o, s:o, s:b}", "ip_address", json_str_or_null(s->ip),
                      "user_agent", json_str_or_null(s->user_agent), "created_at",
                      json_time_laravel(s->created_at), "last_active",
                      json_time_laravel(s->last_seen_at != 0 ? s->last_seen_at : s->created_at),
                      "is_current_device", current));
    }
    http_reply_json(req, 200, json_pack("{s:o}", "data", data));
}

/* ---- DELETE /user/other-browser-sessions ---- */

struct others_job {
    struct profile_confirm c; /* first: profile_confirm_work gets the job */
    struct server *srv;
    struct session session;
};

static void others_resume(struct request *req, void *arg)
{
    struct others_job *j = arg;
    bool ok = j->c.ok;
    profile_confirm_fini(&j->c);
    if (!ok) {
        validate_reply_field(&surface_profile, req, "password", WRONG_CONFIRMATION);
        return;
    }
    int rc = session_end_others(j->srv, &j->session, http_client_ip(req), NULL);
    if (rc != 0)
        surface_fail(&surface_profile, req, rc);
    else
        http_reply_json(req, 204, NULL);
}

static void others_handler(struct server *srv, struct request *req, const struct principal *p)
{
    struct validator v;
    validator_init(&v, req);
    const char *password =
        validate_string(&v, req, "password", V_REQUIRED | V_NO_TRIM, PASSWORD_MAX_BYTES);
    if (validate_failed(&v)) {
        validate_reply(&surface_profile, req, &v);
        return;
    }
    struct others_job *j = arena_alloc(http_arena(req), sizeof(*j));
    profile_confirm_begin(http_arena(req), &j->c, p, password);
    j->srv = srv;
    j->session = p->session;
    int rc = http_defer(req, profile_confirm_work, others_resume, j);
    if (rc != 0) {
        profile_confirm_fini(&j->c);
        surface_fail(&surface_profile, req, rc);
    }
}

static const struct route routes[] = {
    {HTTP_PATCH, "/profile", profile_update_handler, AUTH_SESSION, NULL, NULL, 0},
    {HTTP_PUT, "/password", password_handler, AUTH_SESSION, NULL, "web_password", 0},
    {HTTP_GET, "/user/sessions", sessions_handler, AUTH_SESSION, NULL, NULL, 0},
    {HTTP_DELETE, "/user/other-browser-sessions", others_handler, AUTH_SESSION, NULL,
     "web_password", 0},
};

const struct surface surface_profile = {
    .name = "profile",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(routes[0]),
    .error = laravel_error,
};
