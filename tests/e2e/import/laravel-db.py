#!/usr/bin/python3
"""laravel-db.py - writes a Laravel application's database, as Laravel 11
and Sanctum 4 would have written it, for the import tests.

usage: laravel-db.py sqlite PATH   writes the SQLite file PATH
       laravel-db.py pg            prints the SQL for psql

Either way it prints (the last line of stdout, or the only line for sqlite)
a JSON document with what a client of the Laravel app knows: each user's
password and each token's plaintext "<id>|<secret>".

The schema is the DDL Laravel's schema grammars generate from the
framework's users migration (0001_01_01_000000_create_users_table),
Sanctum's create_personal_access_tokens_table and Jetstream's teams
(create_teams_table, create_team_user_table, the users columns it adds). Passwords are hashed with
python3-bcrypt at cost 12 (Laravel's default BCRYPT_ROUNDS) and written
with PHP's "$2y$" prefix, which is the same algorithm as "$2b$". Tokens are
made like Sanctum 4's createToken(): 40 random [A-Za-z0-9] plus the crc32b
hex of those 40, the SHA-256 hex of that secret stored, abilities stored
with PHP's json_encode (which escapes "/" as "\\/").
"""
import hashlib
import json
import secrets
import sqlite3
import string
import sys
import zlib

import bcrypt

SQLITE_DDL = """
create table "users" ("id" integer primary key autoincrement not null, "name" varchar not null,
  "email" varchar not null, "email_verified_at" datetime, "password" varchar not null,
  "remember_token" varchar, "created_at" datetime, "updated_at" datetime,
  "current_team_id" integer, "profile_photo_path" varchar);
create unique index "users_email_unique" on "users" ("email");
create table "teams" ("id" integer primary key autoincrement not null, "user_id" integer not null,
  "name" varchar not null, "personal_team" tinyint(1) not null, "created_at" datetime,
  "updated_at" datetime);
create index "teams_user_id_index" on "teams" ("user_id");
create table "team_user" ("id" integer primary key autoincrement not null, "team_id" integer not null,
  "user_id" integer not null, "role" varchar, "created_at" datetime, "updated_at" datetime);
create unique index "team_user_team_id_user_id_unique" on "team_user" ("team_id", "user_id");
create table "personal_access_tokens" ("id" integer primary key autoincrement not null,
  "tokenable_type" varchar not null, "tokenable_id" integer not null, "name" text not null,
  "token" varchar not null, "abilities" text, "last_used_at" datetime, "expires_at" datetime,
  "created_at" datetime, "updated_at" datetime);
create index "personal_access_tokens_tokenable_type_tokenable_id_index"
  on "personal_access_tokens" ("tokenable_type", "tokenable_id");
create unique index "personal_access_tokens_token_unique" on "personal_access_tokens" ("token");
create index "personal_access_tokens_expires_at_index" on "personal_access_tokens" ("expires_at");
"""

PG_DDL = """
create table "users" ("id" bigserial not null primary key, "name" varchar(255) not null,
  "email" varchar(255) not null, "email_verified_at" timestamp(0) without time zone null,
  "password" varchar(255) not null, "remember_token" varchar(100) null,
  "created_at" timestamp(0) without time zone null, "updated_at" timestamp(0) without time zone null,
  "current_team_id" bigint null, "profile_photo_path" varchar(2048) null);
alter table "users" add constraint "users_email_unique" unique ("email");
create table "teams" ("id" bigserial not null primary key, "user_id" bigint not null,
  "name" varchar(255) not null, "personal_team" boolean not null,
  "created_at" timestamp(0) without time zone null, "updated_at" timestamp(0) without time zone null);
create index "teams_user_id_index" on "teams" ("user_id");
create table "team_user" ("id" bigserial not null primary key, "team_id" bigint not null,
  "user_id" bigint not null, "role" varchar(255) null,
  "created_at" timestamp(0) without time zone null, "updated_at" timestamp(0) without time zone null);
alter table "team_user" add constraint "team_user_team_id_user_id_unique" unique ("team_id", "user_id");
create table "personal_access_tokens" ("id" bigserial not null primary key,
  "tokenable_type" varchar(255) not null, "tokenable_id" bigint not null, "name" text not null,
  "token" varchar(64) not null, "abilities" text null,
  "last_used_at" timestamp(0) without time zone null, "expires_at" timestamp(0) without time zone null,
  "created_at" timestamp(0) without time zone null, "updated_at" timestamp(0) without time zone null);
create index "personal_access_tokens_tokenable_type_tokenable_id_index"
  on "personal_access_tokens" ("tokenable_type", "tokenable_id");
alter table "personal_access_tokens" add constraint "personal_access_tokens_token_unique" unique ("token");
create index "personal_access_tokens_expires_at_index" on "personal_access_tokens" ("expires_at");
"""

USER = "App\\Models\\User"
ALNUM = string.ascii_letters + string.digits


def laravel_hash(password):
    """Hash::make(): bcrypt at cost 12, "$2y$" as PHP writes it."""
    h = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()
    return "$2y$" + h[4:]


def sanctum_secret(with_crc=True):
    """Sanctum 4's generateTokenString() (no prefix); before 3.3: 40 chars."""
    entropy = "".join(secrets.choice(ALNUM) for _ in range(40))
    if not with_crc:
        return entropy
    return entropy + format(zlib.crc32(entropy.encode()) & 0xFFFFFFFF, "08x")


def php_json(value):
    """json_encode() with PHP's default flags: "/" escaped, non-ASCII as \\u."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/")


def fixtures():
    users = [
        # id, name, email, password (None: the hash given), hash, verified, created
        (1, "Alice Laravel", "alice@example.com", "laravel-secret-1", None,
         "2024-01-02 03:04:05", "2024-01-01 00:00:00"),
        (2, "Bob Builder", "bob@example.com", "bob-password-22", None, None, "2024-02-01 10:00:00"),
        (3, "Carol", "not-an-email", "carol-password-3", None, None, "2024-02-02 00:00:00"),
        (4, "Dave", "dave@example.com", None, "5f4dcc3b5aa765d61d8327deb882cf99", None,
         "2024-02-03 00:00:00"),
        (5, "Alice Again", "ALICE@example.com", "another-secret-5", None, None,
         "2024-02-04 00:00:00"),
        (6, "Frank Laravel", "frank@example.com", "frank-laravel-6", None, None,
         "2024-02-05 00:00:00"),
        (7, "Grace", "grace@example.com", "grace-password-7", None, None, "2024-02-06 00:00:00"),
    ]
    user_rows, passwords = [], {}
    for uid, name, email, pw, given, verified, created in users:
        h = laravel_hash(pw) if pw is not None else given
        user_rows.append((uid, name, email, verified, h, created, created))
        if pw is not None:
            passwords[email] = pw
    tokens = [
        # id, type, user, name, abilities (text), last_used, expires, crc
        (1, USER, 2, "collides", php_json(["*"]), None, None, True),
        (101, USER, 1, "alice-cli", php_json(["*"]), "2024-03-01 12:00:00", None, True),
        (102, USER, 1, "alice-scoped", php_json(["orders:read", "orders/write"]), None,
         "2099-01-01 00:00:00", True),
        (103, USER, 2, "bob-expired", php_json(["*"]), None, "2024-01-01 00:00:00", True),
        (104, "App\\Models\\Team", 2, "a team's", php_json(["*"]), None, None, True),
        (105, USER, 2, "bad-abilities", '{"read":true}', None, None, True),
        (106, USER, 3, "carols", php_json(["*"]), None, None, True),
        (107, USER, 2, "bob-sanctum2", php_json(["*"]), None, None, False),
    ]
    token_rows, plaintexts = [], {}
    for tid, ttype, uid, name, abilities, used, expires, crc in tokens:
        secret = sanctum_secret(crc)
        token_rows.append((tid, ttype, uid, name, hashlib.sha256(secret.encode()).hexdigest(),
                           abilities, used, expires, "2024-02-10 00:00:00", "2024-02-10 00:00:00"))
        plaintexts[name] = f"{tid}|{secret}"
    teams = [
        # id, owner, name, personal_team; Jetstream's personal team and two
        # teams whose names make the same slug.
        (1, 1, "Alice's Team", True),
        (2, 2, "Acme Sales", False),
        (3, 7, "Acme sales!", False),
    ]
    members = [
        # id, team, user, role (Jetstream's default roles are admin and editor)
        (1, 2, 1, "admin"),
        (2, 2, 7, "editor"),
        (3, 2, 3, "admin"),
        (4, 9, 2, "admin"),
    ]
    return user_rows, token_rows, teams, members, {"passwords": passwords, "tokens": plaintexts}


def sql_literal(v, pg=False):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return ("true" if v else "false") if pg else str(int(v))
    if isinstance(v, int):
        return str(v)
    return "'" + v.replace("'", "''") + "'"


def inserts(user_rows, token_rows, teams, members, pg):
    out = []
    for tid, owner, name, personal in teams:
        out.append('insert into "teams" ("id", "user_id", "name", "personal_team", "created_at",'
                   f' "updated_at") values ({tid}, {owner}, {sql_literal(name)},'
                   f" {sql_literal(personal, pg)}, '2024-02-01 00:00:00', '2024-02-01 00:00:00');")
    for r in members:
        out.append('insert into "team_user" ("id", "team_id", "user_id", "role") values ('
                   + ", ".join(map(sql_literal, r)) + ");")
    for r in user_rows:
        out.append('insert into "users" ("id", "name", "email", "email_verified_at", "password",'
                   ' "created_at", "updated_at") values (' + ", ".join(map(sql_literal, r)) + ");")
    for r in token_rows:
        out.append('insert into "personal_access_tokens" ("id", "tokenable_type", "tokenable_id",'
                   ' "name", "token", "abilities", "last_used_at", "expires_at", "created_at",'
                   ' "updated_at") values (' + ", ".join(map(sql_literal, r)) + ");")
    return "\n".join(out)


def main():
    user_rows, token_rows, teams, members, known = fixtures()
    if sys.argv[1:2] == ["sqlite"] and len(sys.argv) == 3:
        db = sqlite3.connect(sys.argv[2])
        db.executescript(SQLITE_DDL + inserts(user_rows, token_rows, teams, members, False))
        db.commit()
        db.close()
    elif sys.argv[1:] == ["pg"]:
        print(PG_DDL + inserts(user_rows, token_rows, teams, members, True))
        print("select setval('users_id_seq', 100); select setval('personal_access_tokens_id_seq', 200);")
    else:
        sys.exit("usage: laravel-db.py sqlite PATH | pg")
    print(json.dumps(known))


if __name__ == "__main__":
    main()
