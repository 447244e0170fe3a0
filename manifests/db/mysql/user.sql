-- manifests/db/mysql/user.sql - the least-privilege user schemagate connects as on MySQL 8 or
-- MariaDB 10.2+: the counterpart of manifests/db/role.sql. Run it once per server as an admin,
-- with the password and host pattern set first, then manifests/db/mysql/grants.sql:
--
--   mysql -e "SET @user='schemagate', @host='%', @password='$(openssl rand -base64 24)'; SOURCE manifests/db/mysql/user.sql"
--
-- The user can log in and read what it is granted, nothing else: no global privileges, a
-- connection limit covering the pool (pool_size per database x replicas, plus a rollout's surge
-- pod). schemagate itself makes each session read-only (SET SESSION TRANSACTION READ ONLY),
-- bounds its statements (max_statement_time on MariaDB, max_execution_time on MySQL) and lock
-- waits (lock_wait_timeout); the grants are the guard, the session settings the backstop.
-- Idempotent: running it again resets the password and the limit.

SET @user = COALESCE(@user, 'schemagate'), @host = COALESCE(@host, '%');
SET @create = CONCAT('CREATE USER IF NOT EXISTS ', QUOTE(@user), '@', QUOTE(@host),
                     ' IDENTIFIED BY ', QUOTE(@password), ' WITH MAX_USER_CONNECTIONS 20');
PREPARE s FROM @create; EXECUTE s; DEALLOCATE PREPARE s;
SET @alter = CONCAT('ALTER USER ', QUOTE(@user), '@', QUOTE(@host), ' IDENTIFIED BY ', QUOTE(@password),
                    ' WITH MAX_USER_CONNECTIONS 20');
PREPARE s FROM @alter; EXECUTE s; DEALLOCATE PREPARE s;
SET @password = NULL;
