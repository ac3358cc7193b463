#!/usr/bin/env bash
# Writes the three secret files docker-compose.yml mounts, with a fresh random database password.
# Keep secrets/ out of version control (it has its own .gitignore).
set -euo pipefail
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
printf '*\n!.gitignore\n' > secrets/.gitignore
password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s' "$password" > secrets/postgres_password.txt
printf 'postgres://treeinstruct:%s@postgres:5432/treeinstruct?sslmode=disable' "$password" > secrets/database_url.txt
if [ ! -s secrets/openai_api_key.txt ]; then
  # The simulator checks this key; replace it with a real one when pointing at a real endpoint.
  printf 'sim-%s' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" > secrets/openai_api_key.txt
fi
echo "wrote $(pwd)/secrets/{postgres_password,database_url,openai_api_key}.txt"
