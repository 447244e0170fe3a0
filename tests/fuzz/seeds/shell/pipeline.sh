set -e; export PGPASSWORD="$(cat /run/secrets/pw)" && psql -h db -c 'select 1' | tee -a /tmp/log 2>&1
