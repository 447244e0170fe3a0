#!/usr/bin/env bash
# Database faults against the real server over HTTPS (tests/lib/schema_faults.py): PostgreSQL
# stopped, a statement slower than the budget (pg_sleep, and a lock held by a "migration"),
# PostgreSQL restarted mid-run. Every request is answered within the budget, on_unreachable
# is honoured, and the gate recovers without restarting schemagate. Then the prepared-statement
# path (tests/lib/schema_prepared.py): prepared once per connection, right answers after
# DEALLOCATE ALL in schemagate's session, a restart, a dropped and recreated table, a type change.
exec "$(dirname "$0")/../lib/with_pg.sh" tests/lib/schema_faults.py tests/lib/schema_prepared.py
