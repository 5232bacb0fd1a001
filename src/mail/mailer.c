/*
 * mailer.c - the mail queue and its thread (mail.h).
 *
 * mail_send() builds the message on the caller's thread and appends it to
 * the queue; the mail thread takes the item whose attempt is due first,
 * delivers it with the driver (without holding the lock), and either
 * forgets it (sent, or a permanent failure), or puts it back with a due
 * time of now + backoff * 2^(attempts-1) (at most 5 minutes) until
 * retries are used up. Every outcome is one log line with the message's
 * kind, id and recipient; never its content.
 *
 * A mail_defer() job is an item like a message, due MAIL_DEFER_DELAY_MS
 * after it was deferred: the thread runs it (unlocked) and forgets it.
 *
 * Stopping: mailer_free() sets `stopping` and a drain deadline; the thread
 * then tries each remaining message once more, ignoring backoff, until the
 * queue is empty or the deadline passes (an SMTP transfer in progress is
 * abandoned at the deadline), and drops what is left, logged (jobs left
 * still run, so their owners free what they hold).
 *
 * Locking: `lock` guards the queue, the counters, `busy` and `stopping`;
 * `cond` signals changes of any of them. Options are constant after
 * mailer_new.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto/random.h"
#include "mail/mail_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define BACKOFF_MAX_MS      ((int64_t)5 * 60 * 1000)
#define MAIL_DEFER_DELAY_MS 50

/* The strings of struct mail_options, owned by the mailer. */
struct owned_strings {
    char *from, *from_name, *outbox_dir, *smtp_url, *ca_file;
};

struct mailer {
    struct mail_options o; /* points into `strings`; constant */
    struct owned_strings strings;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct mail_item *head; /* guarded by lock */
    size_t queued;          /* items in the list, guarded by lock */
    bool busy;              /* an item is being delivered, guarded by lock */
    bool stopping;          /* guarded by lock */
    int64_t drain_until_ms; /* guarded by lock */
    struct mail_stats stats;
    atomic_llong abort_at_ms; /* read by the SMTP progress callback */
};

static char *dup_or_null(const char *s)
{
    return s != NULL ? xstrdup(s) : NULL;
}

void mail_options_from_config(const struct config *cfg, struct mail_options *o)
{
    enum mail_tls tls = MAIL_TLS_AUTO;
    if (cfg->smtp_tls != NULL && strcmp(cfg->smtp_tls, "require") == 0)
        tls = MAIL_TLS_REQUIRE;
    else if (cfg->smtp_tls != NULL && strcmp(cfg->smtp_tls, "off") == 0)
        tls = MAIL_TLS_OFF;
    *o = (struct mail_options){
        .driver = strcmp(cfg->mail_driver, "smtp") == 0 ? MAIL_DRIVER_SMTP : MAIL_DRIVER_LOG,
        .from = cfg->mail_from,
        .from_name = cfg->mail_from_name,
        .outbox_dir = cfg->mail_dir,
        .smtp_url = cfg->smtp_url,
        .tls = tls,
        .ca_file = cfg->smtp_ca_file,
        .timeout_s = cfg->smtp_timeout_s,
        .retries = cfg->mail_retries,
        .backoff_ms = cfg->mail_backoff_ms,
        .queue_max = cfg->mail_queue,
        .drain_ms = cfg->mail_drain_ms,
    };
}

static void item_free(struct mail_item *it)
{
    if (it == NULL)
        return;
    free(it->to);
    if (it->data != NULL)
        secure_wipe(it->data, it->len); /* it holds a reset or invitation link */
    free(it->data);
    free(it);
}

static int64_t backoff_ms(const struct mailer *m, unsigned attempts)
{
    int64_t d = m->o.backoff_ms;
    for (unsigned i = 1; i < attempts && d < BACKOFF_MAX_MS; i++)
        d *= 2;
    return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

static enum mail_result deliver(struct mailer *m, struct mail_item *it)
{
    if (m->o.driver == MAIL_DRIVER_SMTP)
        return smtp_deliver(&m->o, it, &m->abort_at_ms);
    return outbox_deliver(m->o.outbox_dir, it, NULL);
}

/* Removes and returns the item due first, or NULL; *wait_ms receives how
 * long until it is due (0 if due now). Under lock. */
static struct mail_item *take_next(struct mailer *m, int64_t now, int64_t *wait_ms)
{
    struct mail_item **best = NULL;
    for (struct mail_item **pp = &m->head; *pp != NULL; pp = &(*pp)->next) {
        if (best == NULL || (*pp)->due_ms < (*best)->due_ms)
            best = pp;
    }
    *wait_ms = -1;
    if (best == NULL)
        return NULL;
    /* While stopping, every message gets its last try now. */
    if (!m->stopping && (*best)->due_ms > now) {
        *wait_ms = (*best)->due_ms - now;
        return NULL;
    }
    struct mail_item *it = *best;
    *best = it->next;
    it->next = NULL;
    m->queued--;
    *wait_ms = 0;
    return it;
}

static void wait_ms(struct mailer *m, int64_t ms)
{
    if (ms < 0) {
        pthread_cond_wait(&m->cond, &m->lock);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&m->cond, &m->lock, &ts);
}

/* After an attempt: count it, log it, and requeue or free the item. Under lock. */
static void settle(struct mailer *m, struct mail_item *it, enum mail_result r)
{
    const char *driver = m->o.driver == MAIL_DRIVER_SMTP ? "smtp" : "log";
    if (r == MAIL_SENT) {
        m->stats.sent++;
        /* The outbox driver has logged its own line, naming the file. */
        if (m->o.driver == MAIL_DRIVER_SMTP)
            log_info("mail event=sent driver=smtp kind=%s id=%s to=%s attempts=%u", it->kind,
                     it->id, it->to, it->attempts + 1);
        item_free(it);
        return;
    }
    it->attempts++;
    if (r == MAIL_RETRY && it->attempts <= m->o.retries && !m->stopping) {
        int64_t delay = backoff_ms(m, it->attempts);
        it->due_ms = time_mono_ms() + delay;
        it->next = m->head;
        m->head = it;
        m->queued++;
        m->stats.retried++;
        log_warnx("mail event=retry driver=%s kind=%s id=%s to=%s attempt=%u in_ms=%lld", driver,
                  it->kind, it->id, it->to, it->attempts, (long long)delay);
        return;
    }
    m->stats.dropped++;
    log_error("mail event=dropped driver=%s kind=%s id=%s to=%s attempts=%u reason=%s", driver,
              it->kind, it->id, it->to, it->attempts,
              r == MAIL_PERMANENT ? "permanent_failure"
                                  : (m->stopping ? "stopping" : "retries_exhausted"));
    item_free(it);
}

static void *mail_thread(void *arg)
{
    struct mailer *m = arg;
    pthread_mutex_lock(&m->lock);
    for (;;) {
        int64_t now = time_mono_ms();
        if (m->stopping && (m->head == NULL || now >= m->drain_until_ms))
            break;
        int64_t wait;
        struct mail_item *it = take_next(m, now, &wait);
        if (it == NULL) {
            if (m->stopping)
                wait = m->drain_until_ms - now;
            wait_ms(m, wait);
            continue;
        }
        m->busy = true;
        pthread_mutex_unlock(&m->lock);
        if (it->job != NULL) {
            it->job(it->job_arg);
            pthread_mutex_lock(&m->lock);
            m->busy = false;
            item_free(it);
        } else {
            enum mail_result r = deliver(m, it);
            pthread_mutex_lock(&m->lock);
            m->busy = false;
            settle(m, it, r);
        }
        pthread_cond_broadcast(&m->cond);
    }
    while (m->head != NULL) {
        struct mail_item *it = m->head;
        m->head = it->next;
        m->queued--;
        if (it->job != NULL) {
            /* Its owner's work never ran: let it run now (it cannot send). */
            pthread_mutex_unlock(&m->lock);
            it->job(it->job_arg);
            pthread_mutex_lock(&m->lock);
        } else {
            m->stats.dropped++;
            log_error("mail event=dropped kind=%s id=%s to=%s reason=stopping", it->kind, it->id,
                      it->to);
        }
        item_free(it);
    }
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

/* Frees a mailer whose thread is not running. */
static void destroy(struct mailer *m)
{
    pthread_cond_destroy(&m->cond);
    pthread_mutex_destroy(&m->lock);
    free(m->strings.from);
    free(m->strings.from_name);
    free(m->strings.outbox_dir);
    if (m->strings.smtp_url != NULL)
        secure_wipe(m->strings.smtp_url, strlen(m->strings.smtp_url)); /* may hold a password */
    free(m->strings.smtp_url);
    free(m->strings.ca_file);
    free(m);
}

static bool options_valid(const struct mail_options *o)
{
    if (o->from == NULL || !mail_address_valid(o->from) || o->queue_max == 0)
        return false;
    if (o->driver == MAIL_DRIVER_LOG)
        return o->outbox_dir != NULL && o->outbox_dir[0] != '\0';
    return o->smtp_url != NULL &&
           (strncmp(o->smtp_url, "smtp://", 7) == 0 || strncmp(o->smtp_url, "smtps://", 8) == 0);
}

int mailer_new(const struct mail_options *o, struct mailer **out)
{
    *out = NULL;
    if (!options_valid(o))
        return ERR_INVALID;
    if (o->driver == MAIL_DRIVER_SMTP && smtp_global_init() != 0)
        return ERR_UNAVAILABLE;
    struct mailer *m = xcalloc(1, sizeof(*m));
    m->strings = (struct owned_strings){
        .from = xstrdup(o->from),
        .from_name = dup_or_null(o->from_name),
        .outbox_dir = dup_or_null(o->outbox_dir),
        .smtp_url = dup_or_null(o->smtp_url),
        .ca_file = dup_or_null(o->ca_file),
    };
    m->o = *o;
    m->o.from = m->strings.from;
    m->o.from_name = m->strings.from_name;
    m->o.outbox_dir = m->strings.outbox_dir;
    m->o.smtp_url = m->strings.smtp_url;
    m->o.ca_file = m->strings.ca_file;
    atomic_init(&m->abort_at_ms, 0);
    pthread_mutex_init(&m->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cond, &ca);
    pthread_condattr_destroy(&ca);
    int rc = pthread_create(&m->thread, NULL, mail_thread, m);
    if (rc != 0) {
        errno = rc;
        log_warn("mail event=thread_failed");
        destroy(m);
        return ERR_UNAVAILABLE;
    }
    log_info("mail event=ready driver=%s", o->driver == MAIL_DRIVER_SMTP ? "smtp" : "log");
    *out = m;
    return 0;
}

/* Appends it at the tail (equal due times keep their order). Under lock. */
static void enqueue(struct mailer *m, struct mail_item *it)
{
    struct mail_item **pp = &m->head;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = it;
    m->queued++;
    pthread_cond_broadcast(&m->cond);
}

/* A Message-ID: 16 random bytes as hex, at the From address's domain. */
static void message_id(const char *from, char out[80])
{
    unsigned char r[16];
    static const char hex[] = "0123456789abcdef";
    char rnd[33];
    random_bytes(r, sizeof(r));
    for (size_t i = 0; i < sizeof(r); i++) {
        rnd[2 * i] = hex[r[i] >> 4];
        rnd[2 * i + 1] = hex[r[i] & 15];
    }
    rnd[32] = '\0';
    const char *domain = strchr(from, '@');
    snprintf(out, 80, "%s@%.40s", rnd, domain != NULL ? domain + 1 : "latchkey");
}

int mail_send(struct mailer *m, const struct mail_message *msg)
{
    if (m == NULL)
        return ERR_UNAVAILABLE;
    struct mail_item *it = xcalloc(1, sizeof(*it));
    char boundary[48];
    message_id(m->o.from, it->id);
    /* "=_" never occurs in quoted-printable text, so no body line can
     * equal the boundary. */
    snprintf(boundary, sizeof(boundary), "=_lk_%.32s", it->id);
    struct mail_envelope env = {
        .from = m->o.from,
        .from_name = m->o.from_name,
        .date = time_now(),
        .message_id = it->id,
        .boundary = boundary,
    };
    struct buf b;
    buf_init(&b);
    int rc = mail_build(msg, &env, &b);
    if (rc != 0) {
        buf_fini(&b);
        item_free(it);
        return rc;
    }
    it->len = b.len;
    it->data = buf_steal(&b);
    it->to = xstrdup(msg->to);
    snprintf(it->kind, sizeof(it->kind), "%s", msg->kind != NULL ? msg->kind : "mail");
    it->due_ms = time_mono_ms();

    pthread_mutex_lock(&m->lock);
    if (m->stopping) {
        rc = ERR_UNAVAILABLE;
    } else if (m->queued >= m->o.queue_max) {
        rc = ERR_BUSY;
        m->stats.dropped++;
    } else {
        enqueue(m, it);
        m->stats.queued++;
    }
    pthread_mutex_unlock(&m->lock);
    if (rc != 0) {
        log_error("mail event=refused kind=%s to=%s reason=%s", it->kind, it->to,
                  rc == ERR_BUSY ? "queue_full" : "stopping");
        item_free(it);
    }
    return rc;
}

int mail_defer(struct mailer *m, void (*fn)(void *arg), void *arg)
{
    if (m == NULL) {
        log_error("mail event=defer_refused reason=no_mailer");
        return ERR_UNAVAILABLE;
    }
    struct mail_item *it = xcalloc(1, sizeof(*it));
    it->job = fn;
    it->job_arg = arg;
    /* Not at once: the request that deferred it answers first, so the
     * job's work never shows in that request's time. */
    it->due_ms = time_mono_ms() + MAIL_DEFER_DELAY_MS;
    int rc = 0;
    pthread_mutex_lock(&m->lock);
    if (m->stopping)
        rc = ERR_UNAVAILABLE;
    else if (m->queued >= m->o.queue_max)
        rc = ERR_BUSY;
    else
        enqueue(m, it);
    pthread_mutex_unlock(&m->lock);
    if (rc != 0) {
        log_error("mail event=defer_refused reason=%s", rc == ERR_BUSY ? "queue_full" : "stopping");
        free(it);
    }
    return rc;
}

int mailer_wait_idle(struct mailer *m, unsigned timeout_ms)
{
    if (m == NULL)
        return 0;
    int64_t end = time_mono_ms() + timeout_ms;
    pthread_mutex_lock(&m->lock);
    while (m->head != NULL || m->busy) {
        int64_t left = end - time_mono_ms();
        if (left <= 0)
            break;
        wait_ms(m, left);
    }
    bool idle = m->head == NULL && !m->busy;
    pthread_mutex_unlock(&m->lock);
    return idle ? 0 : ERR_BUSY;
}

void mailer_stats(struct mailer *m, struct mail_stats *out)
{
    pthread_mutex_lock(&m->lock);
    *out = m->stats;
    out->depth = m->queued;
    pthread_mutex_unlock(&m->lock);
}

void mailer_free(struct mailer *m)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->lock);
    m->stopping = true;
    m->drain_until_ms = time_mono_ms() + m->o.drain_ms;
    atomic_store(&m->abort_at_ms, m->drain_until_ms);
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->thread, NULL);
    destroy(m);
}
