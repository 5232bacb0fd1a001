-- 0016_change_notify.sqlite.sql - nothing to do on SQLite: its change
-- stamp is the WAL hook's commit count and PRAGMA data_version
-- (src/store/sqlite.c). The PostgreSQL file adds the triggers that tell
-- other instances about a change (issue 19).
SELECT 1;
