/*
 * invitation_mail.c - the invitation email (invitation.h): who invites
 * the address to which organisation with which role, and the link with
 * the token (LATCHKEY_PUBLIC_URL + INVITATION_LINK_PATH + "?token=..."),
 * in text and HTML, handed to the mailer (queued; delivered off the
 * request thread by the configured driver).
 */
#include "core/invitation.h"

#include "mail/mail.h"
#include "server.h"
#include "util/arena.h"

int invitation_mail(struct server *srv, struct arena *a, const struct invitation *inv,
                    const char *token, const struct tenant *tenant, const struct role *role,
                    const struct user *inviter)
{
    const char *keys[] = {"token"};
    const char *values[] = {token};
    const char *intro =
        inviter != NULL
            ? arena_printf(a, "%s (%s) has invited you to join %s as %s.", inviter->name,
                           inviter->email, tenant->name, role->name)
            : arena_printf(a, "You have been invited to join %s as %s.", tenant->name, role->name);
    struct mail_action act = {
        .to = inv->email,
        .subject = arena_printf(a, "Invitation to join %s", tenant->name),
        .greeting = "Hello,",
        .intro = arena_printf(a,
                              "%s\n\nAccept the invitation to create your account, or to add "
                              "this organization to the account you already have.",
                              intro),
        .action_label = "Accept Invitation",
        .action_url = mail_url(a, srv->cfg.public_url, INVITATION_LINK_PATH, keys, values, 1),
        .outro = arena_printf(a,
                              "This invitation will expire in %d days.\n\nIf you did not expect "
                              "an invitation to this organization, you may ignore this email.",
                              INVITATION_TTL_S / (24 * 3600)),
        .kind = "invitation",
    };
    struct mail_message msg;
    mail_render_action(a, &act, &msg);
    return mail_send(srv->mailer, &msg);
}
