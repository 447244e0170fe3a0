-- The same history as history.sql for MySQL / MariaDB (bench/run --engine mysql); the table
-- itself comes from tests/cases/schema/fixtures/flyway-ddl-mysql.sql, loaded first.
INSERT INTO flyway_schema_history
SELECT 1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'flyway', now(), 0, true;
INSERT INTO flyway_schema_history
SELECT n + 1, CONCAT('1.', n), CONCAT('migration ', n), 'SQL', CONCAT('V1_', n, '__m.sql'), n, 'flyway', now(), 10, true
FROM (WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 200) SELECT n FROM s) AS g;
INSERT INTO flyway_schema_history VALUES (202, NULL, 'views', 'SQL', 'R__views.sql', 1, 'flyway', now(), 1, true);
