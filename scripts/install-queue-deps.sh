#!/usr/bin/env bash
# Installs what the queue-mode test tier needs from Debian's packages: Redis (Bull queue) and
# Postgres (n8n's queue mode does not support SQLite). Pinned to the versions Debian 12 (bookworm)
# ships (redis from bookworm-security); skipped when both binaries are already present, so a second run costs nothing.
# The tests start and stop their own redis-server and postgres as child processes; the services
# the packages register are never started here.
set -euo pipefail

log() { printf '[install-queue-deps] %s\n' "$*" >&2; }

REDIS_VERSION='5:7.0.15-1~deb12u10'
POSTGRES_VERSION='15+248+deb12u1'

have_redis() { command -v redis-server >/dev/null 2>&1; }
have_postgres() { ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; }

if have_redis && have_postgres; then
	exit 0
fi

if [[ "$(id -u)" != "0" ]]; then
	log "redis-server and postgresql are needed by the queue-mode tests; run as root or install them:"
	log "  apt-get install -y redis-server=$REDIS_VERSION postgresql=$POSTGRES_VERSION"
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Keep the packages' own services from starting (the tests run their own on free loopback ports).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e "$policy" ]]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod +x "$policy"
	created_policy=1
fi
trap '[[ $created_policy == 1 ]] && rm -f "$policy"' EXIT

start=$SECONDS
log "apt-get update"
apt-get update -qq >&2
pkgs=()
have_redis || pkgs+=("redis-server=$REDIS_VERSION" "redis-tools=$REDIS_VERSION")
have_postgres || pkgs+=("postgresql=$POSTGRES_VERSION")
log "apt-get install ${pkgs[*]}"
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2
log "done in $((SECONDS - start)) s"
