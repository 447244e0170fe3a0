CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
-- A realistic history: 200 versions 1.1 .. 1.200 (so 1.10 is mid-table), a baseline, a repeatable.
INSERT INTO "public"."flyway_schema_history"
SELECT 1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'flyway', now(), 0, true;
INSERT INTO "public"."flyway_schema_history"
SELECT n + 1, '1.' || n, 'migration ' || n, 'SQL', 'V1_' || n || '__m.sql', n, 'flyway', now(), 10, true
FROM generate_series(1, 200) AS n;
INSERT INTO "public"."flyway_schema_history" VALUES (202, NULL, 'views', 'SQL', 'R__views.sql', 1, 'flyway', now(), 1, true);
