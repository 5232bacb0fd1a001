/*
 * smtp.c - the `smtp` mail driver: one libcurl easy transfer per attempt.
 *
 * URL forms (LATCHKEY_SMTP_URL): smtp://host[:port] (default port 25),
 * smtps://host[:port] (implicit TLS, default 465), with optional
 * user:password@ (AUTH, percent-encoded) and an optional /name path (the
 * EHLO name). TLS on smtp:// follows enum mail_tls: STARTTLS when the
 * server offers it, and required (never plaintext AUTH) when the URL
 * carries credentials; `require` always demands it, `off` never tries.
 * Certificates are verified (the system's CAs, or ca_file).
 *
 * libcurl does SMTP dot-stuffing itself; our bodies are quoted-printable
 * anyway. The URL is never logged (it may hold a password); failures are
 * logged with curl's error code and the server's last reply code. A 5xx
 * reply is permanent (the message is dropped); anything else is retried.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "mail/mail_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#define CONNECT_TIMEOUT_MAX 10 /* seconds */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int smtp_global_init(void)
{
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        log_error("mail event=curl_init_failed code=%d", (int)global_rc);
        return ERR_UNAVAILABLE;
    }
    return 0;
}

struct upload {
    const char *data;
    size_t len, pos;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct upload *u = userdata;
    size_t room = size * nmemb;
    size_t n = u->len - u->pos < room ? u->len - u->pos : room;
    memcpy(ptr, u->data + u->pos, n);
    u->pos += n;
    return n;
}

/* Abandons the transfer once the mailer's stop deadline has passed. */
static int progress_cb(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    atomic_llong *abort_at = clientp;
    long long at = atomic_load(abort_at);
    return at != 0 && time_mono_ms() >= at ? 1 : 0;
}

/* True if the URL names a user (AUTH will be attempted). */
static bool url_has_credentials(const char *url)
{
    CURLU *u = curl_url();
    char *user = NULL;
    bool has = false;
    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
        has = user != NULL && user[0] != '\0';
    curl_free(user);
    curl_url_cleanup(u);
    return has;
}

static long use_ssl(const struct mail_options *o)
{
    switch (o->tls) {
    case MAIL_TLS_REQUIRE: return (long)CURLUSESSL_ALL;
    case MAIL_TLS_OFF: return (long)CURLUSESSL_NONE;
    default: return (long)(url_has_credentials(o->smtp_url) ? CURLUSESSL_ALL : CURLUSESSL_TRY);
    }
}

/* The connection's options: server, TLS, certificates, timeouts. */
static void set_connection(CURL *c, const struct mail_options *o)
{
    long total = (long)o->timeout_s;
    long connect = total < CONNECT_TIMEOUT_MAX ? total : CONNECT_TIMEOUT_MAX;
    curl_easy_setopt(c, CURLOPT_URL, o->smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl(o));
    if (o->ca_file != NULL)
        curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, total);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
}

static void set_options(CURL *c, const struct mail_options *o, struct upload *up,
                        struct curl_slist *rcpt, char *from, atomic_llong *abort_at)
{
    set_connection(c, o);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up->len);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, abort_at);
}

enum mail_result smtp_deliver(const struct mail_options *o, const struct mail_item *it,
                              atomic_llong *abort_at_ms)
{
    CURL *c = curl_easy_init();
    if (c == NULL) {
        log_error("mail event=smtp_failed id=%s reason=curl_easy_init", it->id);
        return MAIL_RETRY;
    }
    char from[300], to[300];
    snprintf(from, sizeof(from), "<%s>", o->from);
    snprintf(to, sizeof(to), "<%s>", it->to);
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    struct upload up = {.data = it->data, .len = it->len, .pos = 0};
    set_options(c, o, &up, rcpt, from, abort_at_ms);
    CURLcode rc = rcpt != NULL ? curl_easy_perform(c) : CURLE_OUT_OF_MEMORY;
    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    if (rc == CURLE_OK)
        return MAIL_SENT;
    bool permanent = reply >= 500 && reply < 600;
    log_warnx("mail event=smtp_failed id=%s to=%s curl=%d error=\"%s\" reply=%ld permanent=%s",
              it->id, it->to, (int)rc, curl_easy_strerror(rc), reply, permanent ? "yes" : "no");
    return permanent ? MAIL_PERMANENT : MAIL_RETRY;
}

int mail_smtp_probe(const struct mail_options *o, long *reply, char *why, size_t whylen)
{
    *reply = 0;
    why[0] = '\0';
    if (smtp_global_init() != 0)
        return ERR_UNAVAILABLE;
    CURL *c = curl_easy_init();
    if (c == NULL)
        return ERR_UNAVAILABLE;
    set_connection(c, o);
    /* Greeting, EHLO, STARTTLS and AUTH as a delivery does them, then
     * NOOP instead of MAIL FROM, and QUIT: nothing is sent. */
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "NOOP");
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, reply);
    curl_easy_cleanup(c);
    if (rc == CURLE_OK)
        return 0;
    snprintf(why, whylen, "%s", curl_easy_strerror(rc));
    return ERR_UNAVAILABLE;
}
