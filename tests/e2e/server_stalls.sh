#!/usr/bin/env bash
# Nothing stalls the server (tests/lib/server_stalls.py): a database whose port accepts and
# never answers, a host name whose resolver never answers, half-open TLS handshakes, a
# slowloris client, a burst of new connections; beside them a real PostgreSQL keeps answering.
exec "$(dirname "$0")/../lib/with_pg.sh" tests/lib/server_stalls.py
