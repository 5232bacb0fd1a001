#!/bin/sh
# gen-man.sh BIN - prints the man page latchkey(1) in roff, made from the
# binary's own help: `latchkey --help` for the command list and each
# `latchkey COMMAND --help` for its section, so the page and --help never
# disagree. Run by make ($(BUILD)/latchkey.1); needs no database.
set -eu
bin=$1

# Escapes help text for roff: backslashes, a leading dot or quote, minus signs.
esc() {
    sed -e 's/\\/\\e/g' -e 's/^\([.'"'"']\)/\\\&\1/' -e 's/-/\\-/g'
}

version=$("$bin" --version | sed 's/^latchkey //')
cat <<HEAD
.TH LATCHKEY 1 "" "latchkey $version" "User Commands"
.SH NAME
latchkey \\- multi\\-tenant authentication server and its administration commands
.SH SYNOPSIS
.B latchkey
.I command
.RI [ subcommand ]
.RI [ options ]
.br
.B latchkey
.I command
.B \\-\\-help
.SH DESCRIPTION
.B latchkey
serves the authentication APIs over HTTP
.RB ( "latchkey serve" )
and administers their database from the command line.
Every command takes
.B \\-\\-help
and
.B \\-\\-json
(one JSON document on standard output).
Configuration comes from
.B LATCHKEY_*
environment variables; see
.B latchkey config show
and the README.
.SH COMMANDS
HEAD

"$bin" --help | sed -n 's/^  \([a-z][a-z-]*\)  *\(.*\)$/\1\t\2/p' |
    while IFS="$(printf '\t')" read -r name summary; do
        printf '.SS %s\n' "$name"
        printf '%s\n' "$summary" | esc
        printf '.PP\n.nf\n'
        "$bin" "$name" --help | esc
        printf '.fi\n'
    done

cat <<'TAIL'
.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
a runtime failure: not found, already exists, the database refused or unreachable
.TP
.B 2
a usage error: unknown command or option, missing or invalid argument
.SH ENVIRONMENT
.TP
.B LATCHKEY_DATABASE_URL
the SQLite file or PostgreSQL URL (default
.IR ./var/latchkey.db )
.TP
.B LATCHKEY_LISTEN
where
.B serve
listens (default 127.0.0.1:8080)
.PP
Every other variable, with its effective value, is listed by
.BR "latchkey config show" .
.SH FILES
.TP
.I /etc/latchkey/env
the environment of the systemd unit
.IR latchkey.service .
.TP
.I /var/lib/latchkey
its state directory (the SQLite database and the key encryption key).
.SH SEE ALSO
.BR systemctl (1),
.BR systemd.exec (5)
TAIL
