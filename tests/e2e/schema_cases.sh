#!/usr/bin/env bash
# Data cases for the schema gate (tests/cases/schema/*.json) against a real PostgreSQL 15:
# each case's history rows go into a fresh database and the object goes through
# `schemagate review --config` (tests/lib/schema_cases.py does the per-case work).
exec "$(dirname "$0")/../lib/with_pg.sh" tests/lib/schema_cases.py
