-- What Flyway writes when it applies V1_10__add_order_status.sql: one successful row for version
-- 1.10 in flyway_schema_history (installed_rank = next rank). `make run` demo:
--   psql "host=127.0.0.1 port=<port> user=postgres dbname=orders" -f examples/flyway-1.10.sql
INSERT INTO public.flyway_schema_history
    (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
SELECT coalesce(max(installed_rank), 0) + 1, '1.10', 'add order status', 'SQL',
       'V1_10__add_order_status.sql', 1338209171, 'flyway', 41, true
FROM public.flyway_schema_history;
