-- The table itself comes from tests/cases/schema/fixtures/flyway-ddl.sql, loaded first.
-- A realistic history: 200 versions 1.1 .. 1.200 (so 1.10 is mid-table), a baseline, a repeatable.
INSERT INTO "public"."flyway_schema_history"
SELECT 1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'flyway', now(), 0, true;
INSERT INTO "public"."flyway_schema_history"
SELECT n + 1, '1.' || n, 'migration ' || n, 'SQL', 'V1_' || n || '__m.sql', n, 'flyway', now(), 10, true
FROM generate_series(1, 200) AS n;
INSERT INTO "public"."flyway_schema_history" VALUES (202, NULL, 'views', 'SQL', 'R__views.sql', 1, 'flyway', now(), 1, true);
