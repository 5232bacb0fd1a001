/*
 * mail.h - outgoing email: message building, templates, and the mailer
 * that delivers messages off the request threads (DESIGN section 1).
 *
 * A caller renders a message (mail_render_action for the usual "click this
 * link" email, or its own text and HTML) and hands it to mail_send(), which
 * builds the RFC 5322 / MIME text at once (so a bad address fails at the
 * call) and queues it. One mail thread per mailer delivers the queue with
 * the configured driver:
 *   log   (outbox.c) each message is written as a .eml file under the
 *         outbox directory and one log line names the file (never the link
 *         or token inside it);
 *   smtp  (smtp.c) libcurl, smtp:// or smtps://, STARTTLS and AUTH from the
 *         URL, connect and total timeouts; failures are retried with
 *         exponential backoff and logged, then dropped.
 * mail_send() never waits for the network or the disk. mail_defer() runs a
 * job on the same thread, shortly after. mailer_free() gives
 * what is queued a last chance within drain_ms, then drops the rest (each
 * logged).
 *
 * Threading: mail_send(), mailer_wait_idle() and mailer_stats() are
 * thread-safe (one mutex, `lock`, guards the queue). The mail thread is the
 * only caller of the drivers. Strings passed in are borrowed for the call.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;
struct config;
struct mailer;

/* A message to one recipient. text is required; html may be NULL. */
struct mail_message {
    const char *to;      /* bare address: a@b.c */
    const char *to_name; /* display name, may be NULL; any bytes (encoded) */
    const char *subject; /* any UTF-8; control characters become spaces */
    const char *text;    /* plain-text body, UTF-8, '\n' line ends */
    const char *html;    /* HTML body or NULL (then the message is text/plain only) */
    const char *kind;    /* short tag for logs: "password_reset", "invitation" */
};

/* What the sender adds to every message (mail_build's other input). */
struct mail_envelope {
    const char *from;       /* bare address */
    const char *from_name;  /* may be NULL */
    int64_t date;           /* Unix time of the Date header */
    const char *message_id; /* without <>: "x.y@host" */
    const char *boundary;   /* multipart boundary, [A-Za-z0-9_.=-]{1,60} */
};

/* True if s is a bare address we are willing to put in a header: one '@',
 * non-empty local part and domain, printable ASCII without spaces or any of
 * <>()[]\,;:" and at most 254 bytes. */
bool mail_address_valid(const char *s);

/*
 * Builds the whole message (headers + body, CRLF line ends) into out:
 * Date, From, To, Subject, Message-ID, MIME-Version and either a
 * text/plain part or multipart/alternative with text/plain and text/html,
 * both UTF-8 quoted-printable. Names and subjects are RFC 2047 encoded when
 * they are not plain ASCII; CR, LF and other control characters in them
 * never reach a header. Returns 0, or ERR_INVALID for an invalid address,
 * a missing subject or text, or a bad boundary.
 */
int mail_build(const struct mail_message *msg, const struct mail_envelope *env, struct buf *out)
    __attribute__((warn_unused_result));

/* Appends s as quoted-printable (RFC 2045): lines of at most 76
 * characters, CRLF line ends, a leading '.' encoded. Exposed for tests. */
void mail_qp_encode(struct buf *out, const char *s);

/* The usual transactional email: a greeting, paragraphs, one button. */
struct mail_action {
    const char *to;
    const char *to_name;      /* may be NULL */
    const char *subject;      /* also the HTML title */
    const char *greeting;     /* "Hello Jane," */
    const char *intro;        /* paragraphs before the button, split by "\n\n" */
    const char *action_label; /* "Reset Password" */
    const char *action_url;   /* the link (absolute) */
    const char *outro;        /* paragraphs after the button, may be NULL */
    const char *kind;
};

/* Renders a as text and HTML (every value HTML-escaped) into *out; the
 * strings live in the arena. */
void mail_render_action(struct arena *a, const struct mail_action *act, struct mail_message *out);

/* base + path + "?k1=v1&k2=v2..." with the values percent-encoded (RFC
 * 3986 unreserved kept). keys and values have n entries. Arena string. */
char *mail_url(struct arena *a, const char *base, const char *path, const char *const *keys,
               const char *const *values, size_t n);

/* Appends s with & < > " ' escaped. */
void mail_html_escape(struct buf *out, const char *s);

/* ---- the mailer ---- */

enum mail_driver { MAIL_DRIVER_LOG = 0, MAIL_DRIVER_SMTP = 1 };
enum mail_tls {
    MAIL_TLS_AUTO = 0, /* smtps: implicit; smtp: STARTTLS when offered, required with AUTH */
    MAIL_TLS_REQUIRE,  /* smtp: STARTTLS required */
    MAIL_TLS_OFF,      /* smtp: never STARTTLS (a local relay) */
};

struct mail_options {
    enum mail_driver driver;
    const char *from;       /* bare address */
    const char *from_name;  /* may be NULL */
    const char *outbox_dir; /* log driver: created 0700 if missing */
    const char *smtp_url;   /* smtp driver: smtp[s]://[user:pass@]host[:port][/ehlo-name] */
    enum mail_tls tls;      /* smtp driver */
    const char *ca_file;    /* smtp driver: PEM bundle, NULL = the system's */
    unsigned timeout_s;     /* smtp: one attempt, connect included (connect: <= 10 s) */
    unsigned retries;       /* attempts after the first failure */
    unsigned backoff_ms;    /* delay before the first retry; doubles, at most 5 min */
    unsigned queue_max;     /* messages waiting at most; beyond, mail_send says ERR_BUSY */
    unsigned drain_ms;      /* at mailer_free: time left to deliver what is queued */
};

/* The options of a loaded configuration (strings borrowed from cfg). */
void mail_options_from_config(const struct config *cfg, struct mail_options *o);
/*
 * Checks the smtp driver's server without sending mail (`latchkey
 * doctor`): connects, EHLO, STARTTLS and AUTH as a delivery would (o->tls,
 * the URL's credentials), then NOOP and QUIT. Returns 0, or
 * ERR_UNAVAILABLE with curl's reason in why and the server's last reply
 * code (0 if none) in *reply.
 */
int mail_smtp_probe(const struct mail_options *o, long *reply, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* Starts a mailer and its thread (options copied). ERR_INVALID for bad
 * options; *out is owned by the caller, freed with mailer_free(). Calls
 * curl_global_init the first time: call from the main thread, early. */
int mailer_new(const struct mail_options *o, struct mailer **out)
    __attribute__((warn_unused_result));

/*
 * Builds msg and queues it. Returns 0 (queued; delivery is logged later),
 * ERR_INVALID (see mail_build), ERR_BUSY (queue full, logged) or
 * ERR_UNAVAILABLE (m is NULL or stopping). Never blocks on I/O.
 */
int mail_send(struct mailer *m, const struct mail_message *msg) __attribute__((warn_unused_result));

/*
 * Runs fn(arg) on the mail thread about 50 ms from now (jobs in the order
 * they were deferred): for work that decides what to send and must not
 * show in the time the request that caused it takes, since that request
 * has answered by then (a password reset: look the address up, store a
 * token, mail_send). fn owns arg and frees it; it may call mail_send.
 * Returns 0, or ERR_BUSY (queue full) / ERR_UNAVAILABLE (m NULL or
 * stopping), both logged; then fn is never called and arg stays the
 * caller's.
 */
int mail_defer(struct mailer *m, void (*fn)(void *arg), void *arg)
    __attribute__((warn_unused_result));

/* Waits until nothing is queued, being delivered or running, at most
 * timeout_ms. Returns 0 or ERR_BUSY (still busy). For tests and tools. */
int mailer_wait_idle(struct mailer *m, unsigned timeout_ms) __attribute__((warn_unused_result));

struct mail_stats {
    uint64_t queued, sent, retried, dropped; /* totals */
    uint64_t depth;                          /* messages waiting now */
};
void mailer_stats(struct mailer *m, struct mail_stats *out);

/* Stops accepting, delivers what it can within drain_ms, logs and drops
 * the rest, joins the thread, frees. Accepts NULL. */
void mailer_free(struct mailer *m);
