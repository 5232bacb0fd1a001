/*
 * mail_int.h - what the mailer (mailer.c) and its drivers (outbox.c,
 * smtp.c) share, private to src/mail/.
 *
 * A driver delivers one built message. It runs only on the mail thread.
 */
#pragma once
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mail/mail.h"

/* One queued message (or job); owned by the queue, then by the mail thread. */
struct mail_item {
    struct mail_item *next;
    void (*job)(void *arg); /* non-NULL: a mail_defer job, not a message */
    void *job_arg;
    char *to;   /* the recipient address (the SMTP RCPT) */
    char *data; /* the whole message, CRLF line ends */
    size_t len;
    char kind[32];
    char id[80];       /* the Message-ID, without <> (for logs) */
    unsigned attempts; /* failed attempts so far */
    int64_t due_ms;    /* monotonic time of the next attempt */
};

/* What a delivery attempt came to. */
enum mail_result {
    MAIL_SENT = 0,
    MAIL_RETRY,     /* temporary: try again later */
    MAIL_PERMANENT, /* will never work: drop */
};

/*
 * Writes the message as <dir>/<UTC time>-<id>.eml (mode 0600, through a
 * temporary file and rename, so a reader never sees half a message) and
 * logs one line naming the file. *path_out (may be NULL) receives the
 * file's path (caller frees).
 */
enum mail_result outbox_deliver(const char *dir, const struct mail_item *it, char **path_out);

/*
 * Sends the message over SMTP with libcurl. abort_at_ms (monotonic ms; 0 =
 * never) is read while the transfer runs: past it, the attempt is
 * abandoned (shutdown).
 */
enum mail_result smtp_deliver(const struct mail_options *o, const struct mail_item *it,
                              atomic_llong *abort_at_ms);

/* curl_global_init, once per process (the first mailer_new). */
int smtp_global_init(void);
