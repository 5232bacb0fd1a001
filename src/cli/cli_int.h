/*
 * cli_int.h - subcommands that live in a file of their own, called by the
 * command that owns the word (user.c, tenant.c).
 */
#pragma once
#include "cli/cli.h"

/* useradm.c: `latchkey user list | show | set-password | delete`. */
int cli_user_list(struct cli_run *r, struct cli_opt *o);
int cli_user_show(struct cli_run *r, struct cli_opt *o);
int cli_user_set_password(struct cli_run *r, struct cli_opt *o);
int cli_user_delete(struct cli_run *r, struct cli_opt *o);

/* team.c: `latchkey member list | set-role | remove`. */
int cli_member_list(struct cli_run *r, struct cli_opt *o);
int cli_member_set_role(struct cli_run *r, struct cli_opt *o);
int cli_member_remove(struct cli_run *r, struct cli_opt *o);
