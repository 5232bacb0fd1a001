/*
 * page.h - the few HTML pages latchkey serves itself (the forms emailed
 * links open), shared by the surfaces whose seeds send such links. Each
 * page is plain HTML without script, under a strict Content-Security-Policy.
 */
#pragma once

struct request;

/*
 * Replies 200 with a "Reset password" form posting token, email, password
 * and password_confirmation (and csrf as "_token" when not NULL) to
 * action. token and email are the link's (escaped; dropped when longer
 * than 255 bytes). The reply is never cached (it holds the token).
 */
void page_reset_form(struct request *req, const char *action, const char *token, const char *email,
                     const char *csrf);
