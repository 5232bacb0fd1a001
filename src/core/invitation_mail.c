/*
 * invitation_mail.c - the invitation email (invitation.h).
 *
 * TODO(#5): the mail module (src/mail/, outbox and SMTP drivers) is not on
 * this branch yet; until it is, no email leaves and the invitation is only
 * logged (without its token).
 */
#include "core/invitation.h"

#include "util/log.h"

int invitation_mail(struct server *srv, struct arena *a, const struct invitation *inv,
                    const char *token, const struct tenant *tenant, const struct role *role,
                    const struct user *inviter)
{
    (void)srv;
    (void)a;
    (void)token;
    (void)role;
    (void)inviter;
    log_warnx("event=invitation_not_mailed invitation=%lld tenant=%s reason=no_mail_module",
              (long long)inv->id, tenant->slug);
    return 0;
}
