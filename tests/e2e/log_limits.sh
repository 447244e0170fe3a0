#!/usr/bin/env bash
# Log volume is bounded (tests/lib/log_limits.py) against a real `schemagate serve` and a real
# PostgreSQL: a flood of malformed requests writes a burst of lines and then a count of the
# rest (a log_lines_dropped line and schemagate_log_lines_dropped_total), and the notices the
# database server sends during the gate's query arrive as JSON log lines, not libpq's raw text.
exec "$(dirname "$0")/../lib/with_pg.sh" tests/lib/log_limits.py
