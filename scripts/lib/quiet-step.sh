# Sourced by the install scripts: their log() and die() (tagged with the caller's log_tag), and
# quiet_step, which runs one step with its output in a log file under the cache folder, and prints one line for it on stderr: "[tag] <step> … done in N s". When the step fails it
# prints the log's path and the log's last lines, then exits with the step's status.
#
#   log_tag=install-n8n                        # the caller's tag, before sourcing
#   quiet_step <log name> "<what>" cmd args…   # log: <cache>/logs/<log name>.log (appended)
#   quiet_step <log name> "<what>" in_dir <folder> cmd args…
#
# The cache folder is the one of scripts/lib/pinned-install.sh:
# ${N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-useapi-midjourney}.

log() { printf '[%s] %s\n' "${log_tag:-install}" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# Runs a command in another folder: `quiet_step … in_dir <folder> cmd args…`.
in_dir() {
	cd "$1" && shift && "$@"
}

quiet_cache_dir() {
	printf '%s\n' "${N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-useapi-midjourney}"
}

quiet_step() {
	local name="$1" what="$2"
	shift 2
	local logs
	logs="$(quiet_cache_dir)/logs"
	mkdir -p "$logs"
	local log_file="$logs/$name.log"
	local started=$SECONDS status=0
	printf '\n=== %s: %s (%s)\n' "$(date -u +%FT%TZ)" "$what" "$*" >>"$log_file"
	("$@") >>"$log_file" 2>&1 </dev/null || status=$?
	if [[ $status -ne 0 ]]; then
		printf '[%s] %s failed after %d s (exit %d); log: %s\n' "${log_tag:-install}" "$what" \
			$((SECONDS - started)) "$status" "$log_file" >&2
		tail -n 25 "$log_file" | sed 's/^/    /' >&2
		exit "$status"
	fi
	printf '[%s] %s: done in %d s\n' "${log_tag:-install}" "$what" $((SECONDS - started)) >&2
}
