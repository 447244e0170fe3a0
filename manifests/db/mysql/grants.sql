-- manifests/db/mysql/grants.sql - lets the schemagate user read one tool's history on MySQL or
-- MariaDB, nothing else. Set the user, its host pattern, the application's database and the
-- tool first; run after the tool created its table:
--
--   mysql -e "SET @user='schemagate', @host='%', @db='orders', @tool='flyway'; SOURCE manifests/db/mysql/grants.sql"
--
-- Each tool's table as it creates it on MySQL (the webhook config's "table" must name the same
-- one; unqualified names are in the conninfo's database):
--   flyway  flyway_schema_history     liquibase  DATABASECHANGELOG    golang-migrate, dbmate,
--   goose   goose_db_version          atlas      atlas_schema_revisions   rails  schema_migrations
--   alembic alembic_version           django     django_migrations    prisma _prisma_migrations
--   knex    knex_migrations           sequelize  SequelizeMeta
--   sqitch  its registry database (default `sqitch`): changes, tags, events; @db is ignored
-- node-pg-migrate keeps its history on PostgreSQL only.

SET @table = CASE @tool
    WHEN 'flyway' THEN 'flyway_schema_history' WHEN 'liquibase' THEN 'DATABASECHANGELOG'
    WHEN 'golang-migrate' THEN 'schema_migrations' WHEN 'dbmate' THEN 'schema_migrations'
    WHEN 'rails' THEN 'schema_migrations' WHEN 'goose' THEN 'goose_db_version'
    WHEN 'atlas' THEN 'atlas_schema_revisions' WHEN 'alembic' THEN 'alembic_version'
    WHEN 'django' THEN 'django_migrations' WHEN 'prisma' THEN '_prisma_migrations'
    WHEN 'knex' THEN 'knex_migrations' WHEN 'sequelize' THEN 'SequelizeMeta' END;
SET @who = CONCAT(QUOTE(COALESCE(@user, 'schemagate')), '@', QUOTE(COALESCE(@host, '%')));
-- sqitch: three registry tables; every other tool: its one table (an unknown tool fails here,
-- on a NULL statement, before anything is granted).
SET @g1 = IF(@tool = 'sqitch', CONCAT('GRANT SELECT ON `', REPLACE(COALESCE(@registry, 'sqitch'), '`', '``'), '`.`changes` TO ', @who),
             CONCAT('GRANT SELECT ON `', REPLACE(@db, '`', '``'), '`.`', @table, '` TO ', @who));
SET @g2 = IF(@tool = 'sqitch', CONCAT('GRANT SELECT ON `', REPLACE(COALESCE(@registry, 'sqitch'), '`', '``'), '`.`tags` TO ', @who), 'DO 0');
SET @g3 = IF(@tool = 'sqitch', CONCAT('GRANT SELECT ON `', REPLACE(COALESCE(@registry, 'sqitch'), '`', '``'), '`.`events` TO ', @who), 'DO 0');
PREPARE s FROM @g1; EXECUTE s; DEALLOCATE PREPARE s;
PREPARE s FROM @g2; EXECUTE s; DEALLOCATE PREPARE s;
PREPARE s FROM @g3; EXECUTE s; DEALLOCATE PREPARE s;
