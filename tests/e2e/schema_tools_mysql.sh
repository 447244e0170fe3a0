#!/usr/bin/env bash
# The schema gate against the real migration tools on MariaDB: schema_tools.sh with
# TOOLS_ENGINE=mysql (eight tools; node-pg-migrate is PostgreSQL only).
TOOLS_ENGINE=mysql exec bash "$(dirname "$0")/schema_tools.sh" "$@"
