#!/usr/bin/env bash
# Runs docs/compose.yml as an operator would (`podman-compose`, Debian's), on the image store that
# ../shared/tools/image-check.sh assembles (run that first: it builds node:<major>-bookworm-slim locally,
# since Docker Hub cannot be reached here), and checks: both replicas serve /readyz with Redis, from the
# .env the compose file's comment names. Redis's image (`redis:7`, Docker Hub) is stood in for by Debian's
# redis-server on that same base. Root; Debian's and npm's registries only.
#
#   scripts/compose-check.sh            prints one line per check and `compose: N/M checks pass`
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
W=/var/tmp/image-check
[ -d "$W/storage" ] || { echo "compose: run ../shared/tools/image-check.sh first (it assembles the base image)"; exit 1; }
command -v podman-compose >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman-compose golang-github-containernetworking-plugin-dnsname >/dev/null
export CONTAINERS_CONF=$W/containers.conf
STORE="--root $W/storage --runroot $W/runroot --storage-driver overlay"
P=(podman $STORE)
MAJOR=$(sed -nE 's/^FROM[[:space:]]+node:([0-9]+)-bookworm-slim.*/\1/p' "$SRC/Dockerfile" | head -1)

if ! "${P[@]}" image exists docker.io/library/redis:7; then
  # Like the official image: reachable from the other containers (no protected mode), whatever command compose gives.
  printf 'FROM docker.io/library/node:%s-bookworm-slim\nRUN apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null && rm -rf /var/lib/apt/lists/*\nWORKDIR /data\nENTRYPOINT ["sh", "-c", "exec \\"$@\\" --protected-mode no", "--"]\nCMD ["redis-server"]\n' "$MAJOR" \
    | "${P[@]}" build --pull=never --network host -t docker.io/library/redis:7 -f - "$W" >/dev/null
fi

# A copy of the repository as committed, with the .env the compose file reads (../.env from docs/).
work=$(mktemp -d); trap 'cd "$work/docs" && podman-compose --podman-args="$STORE" -p compose-check down -t 5 >/dev/null 2>&1; rm -rf "$work"' EXIT
git -C "$SRC" archive HEAD | tar -x -C "$work"
key=$(openssl genrsa 2048 2>/dev/null | awk '{printf "%s\\n", $0}')
printf 'APP_ID=1\nPRIVATE_KEY=%s\nWEBHOOK_SECRET=compose-check\nDOCKHAND_SWEEP=off\n' "$key" >"$work/.env"
printf 'cafile=/run/host-ca.crt\n' >"$W/npmrc"
cd "$work/docs"
podman-compose --podman-args="$STORE" -p compose-check \
  --podman-build-args="--format docker --pull=never --network host -v ${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}:/run/host-ca.crt:ro -v $W/npmrc:/usr/local/etc/npmrc:ro" \
  up -d --build >"$work/up.log" 2>&1 || { tail -20 "$work/up.log"; echo "compose: up failed"; exit 1; }

pass=0; total=0
check() { total=$((total + 1)); if [ "$1" = ok ]; then pass=$((pass + 1)); echo "ok   $2"; else echo "FAIL $2${3:+ ($3)}"; fi; }
ready() { for _ in $(seq 120); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ] && return 0; sleep 1; done; return 1; }
for port in 3001 3002; do
  if ready $port; then check ok "replica on :$port answers /readyz 200"; else check fail "replica on :$port answers /readyz 200" "$(curl -s "http://127.0.0.1:$port/readyz")"; fi
done
clients=$("${P[@]}" exec compose-check_redis_1 redis-cli client list 2>/dev/null | wc -l || echo 0)
[ "$clients" -ge 3 ] && check ok "both replicas hold Redis connections ($clients clients)" || check fail "both replicas hold Redis connections" "$clients clients"
env_seen=$("${P[@]}" exec compose-check_dockhand-1_1 printenv WEBHOOK_SECRET 2>/dev/null || true)
[ "$env_seen" = compose-check ] && check ok "the replicas read ../.env (the repository's root)" || check fail "the replicas read ../.env" "WEBHOOK_SECRET=$env_seen"
echo "compose: $pass/$total checks pass"
[ "$pass" = "$total" ]
