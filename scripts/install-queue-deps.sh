#!/usr/bin/env bash
# Installs what the queue-mode test tier needs from Debian's packages: Redis (Bull queue) and
# Postgres (n8n's queue mode does not support SQLite), and says on one line which versions are used.
#
# Takes whatever builds Debian offers today (the candidates of `apt-cache policy`): Debian keeps only
# its newest security build, so an exact pin would break every fresh clone within weeks. Only the
# majors are checked, against the ranges below (n8n's queue mode needs Redis 6+ and Postgres 13+;
# the tests ran with Debian 12's Redis 7 and Postgres 15). Nothing is installed when both are
# present. The tests start and stop their own redis-server and postgres as child processes; the
# services the packages register are never started here. apt's output goes to a log file under
# the cache folder (scripts/lib/quiet-step.sh).
#
# Needs Debian or Ubuntu with apt, and root (or sudo) for the first install.
set -euo pipefail

REDIS_MIN_MAJOR=6
REDIS_MAX_MAJOR=8
POSTGRES_MIN_MAJOR=13
POSTGRES_MAX_MAJOR=17

log_tag=install-queue-deps
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/quiet-step.sh
source "$root/scripts/lib/quiet-step.sh"
# shellcheck source=lib/apt-follow.sh
source "$root/scripts/lib/apt-follow.sh"

# Where Debian's packages put the servers (overridden only by test/unit/installScripts.test.ts).
postgres_lib="${POSTGRES_LIB:-/usr/lib/postgresql}"
redis_server="${REDIS_SERVER:-redis-server}"
policy="${POLICY_RC_D:-/usr/sbin/policy-rc.d}"

have_redis() { command -v "$redis_server" >/dev/null 2>&1; }
have_postgres() { ls "$postgres_lib"/*/bin/postgres >/dev/null 2>&1; }

redis_version() { "$redis_server" --version | sed -n 's/.* v=\([0-9][0-9.]*\).*/\1/p'; }
postgres_version() {
	local bin
	bin="$(ls -d "$postgres_lib"/*/bin/postgres | sort -V | tail -n 1)"
	# "postgres (PostgreSQL) 15.18 (Debian 15.18-0+…)" → 15.18
	"$bin" --version | sed -n 's/.*(PostgreSQL) \([0-9][0-9.]*\).*/\1/p'
}

if ! have_redis || ! have_postgres; then
	apt_need_root redis-server postgresql
	# Keep the packages' own services from starting (the tests run their own on free loopback ports).
	created_policy=0
	if [[ ! -e "$policy" ]]; then
		printf '#!/bin/sh\nexit 101\n' | "${apt_sudo[@]}" tee "$policy" >/dev/null
		"${apt_sudo[@]}" chmod +x "$policy"
		created_policy=1
	fi
	trap '[[ $created_policy == 1 ]] && "${apt_sudo[@]}" rm -f "$policy"' EXIT

	quiet_step apt "apt-get update" "${apt_sudo[@]}" apt-get update -o DPkg::Lock::Timeout=300
	pkgs=()
	if ! have_redis; then
		redis="$(apt_candidate redis-server)"
		[[ -n "$redis" ]] || die "apt offers no redis-server package: add Debian's main archive to the apt sources, or install Redis $REDIS_MIN_MAJOR+ yourself"
		apt_check_major redis-server "$redis" "$REDIS_MIN_MAJOR" "$REDIS_MAX_MAJOR"
		pkgs+=("redis-server=$redis")
	fi
	if ! have_postgres; then
		postgres="$(apt_candidate postgresql)"
		[[ -n "$postgres" ]] || die "apt offers no postgresql package: add Debian's main archive to the apt sources, or install PostgreSQL $POSTGRES_MIN_MAJOR+ yourself"
		# Debian's metapackage version starts with the server's major ("15+248" → 15).
		apt_check_major postgresql "$postgres" "$POSTGRES_MIN_MAJOR" "$POSTGRES_MAX_MAJOR"
		pkgs+=("postgresql=$postgres")
	fi
	apt_install_quietly "${pkgs[@]}"
	have_redis || die "redis-server missing after apt-get install ${pkgs[*]}"
	have_postgres || die "postgres missing under $postgres_lib after apt-get install ${pkgs[*]}"
fi

redis="$(redis_version)"
postgres="$(postgres_version)"
apt_check_major redis-server "$redis" "$REDIS_MIN_MAJOR" "$REDIS_MAX_MAJOR"
apt_check_major postgresql "$postgres" "$POSTGRES_MIN_MAJOR" "$POSTGRES_MAX_MAJOR"
log "using redis-server $redis, postgres $postgres"
