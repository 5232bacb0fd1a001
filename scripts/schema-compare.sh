#!/bin/sh
# schema-compare.sh OLD_BIN NEW_BIN - shows that two latchkey binaries create
# the same database: each migrates a fresh SQLite file (compared with
# `sqlite3 .schema`) and, when LATCHKEY_TEST_PG_URL names a throw-away
# PostgreSQL superuser URL (scripts/pg-test-cluster.sh), a fresh PostgreSQL
# database (compared with `pg_dump --schema-only`). Exits 0 when both
# schemas are the same, 1 with a diff when not.
#
#   scripts/schema-compare.sh /tmp/old/build/latchkey build/latchkey
set -eu

old=$1
new=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0

for which in old new; do
    bin=$old
    [ "$which" = new ] && bin=$new
    LATCHKEY_DATABASE_URL="$dir/$which.db" "$bin" migrate >/dev/null 2>"$dir/$which.log"
    sqlite3 "$dir/$which.db" .schema >"$dir/$which.sqlite.schema"
done
if diff -u "$dir/old.sqlite.schema" "$dir/new.sqlite.schema"; then
    echo "sqlite: same schema ($(grep -c 'CREATE' "$dir/new.sqlite.schema") statements)"
else
    status=1
fi

if [ -n "${LATCHKEY_TEST_PG_URL:-}" ]; then
    for which in old new; do
        db="lk_schema_${which}_$$"
        psql -q "$LATCHKEY_TEST_PG_URL" -c "CREATE DATABASE $db" >/dev/null
        url=$(printf '%s' "$LATCHKEY_TEST_PG_URL" | sed "s|/[^/?]*\(?\{0,1\}[^/]*\)$|/$db\1|")
        LATCHKEY_DATABASE_URL=$url "$(eval echo \$"$which")" migrate >/dev/null 2>>"$dir/$which.log"
        pg_dump --schema-only --no-owner "$url" | grep -v '^\\\(un\)\{0,1\}restrict ' \
            >"$dir/$which.pg.schema"
        psql -q "$LATCHKEY_TEST_PG_URL" -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
    done
    if diff -u "$dir/old.pg.schema" "$dir/new.pg.schema"; then
        echo "postgres: same schema ($(grep -c 'CREATE' "$dir/new.pg.schema") statements)"
    else
        status=1
    fi
else
    echo "postgres: skipped (LATCHKEY_TEST_PG_URL is not set)"
fi
exit $status
