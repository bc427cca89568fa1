# Sourced by the install scripts: `npm ci` of a pinned package.json + package-lock.json into a cache
# folder, once. The folder is <cache>/<name>-<hash>, where <cache> is
# ${N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-useapi-midjourney} and <hash> covers the
# two files, so a new pin installs afresh and older installs of the same name are removed. A finished
# install carries a `.installed` marker; concurrent installs of one pin wait for each other (flock).
# Each step's output goes to <cache>/logs/<name>.log; the console gets one line per step.
#
#   log() { …; }                                   # the caller's progress printer (stderr)
#   source scripts/lib/quiet-step.sh               # quiet_step, used for each step
#   pinned_install_begin <name> <spec folder>      # prints the folder and exits if installed;
#                                                  # otherwise sets pinned_dir and pinned_tmp and
#                                                  # runs `npm ci --ignore-scripts` in pinned_tmp
#   …                                              # the caller's own steps in pinned_tmp
#   pinned_install_finish                          # marks, moves into place, prints the folder

pinned_install_begin() {
	local name="$1" spec="$2"
	[[ -f "$spec/package.json" && -f "$spec/package-lock.json" ]] || die "missing $spec/package.json or package-lock.json"
	local hash
	hash="$(cat "$spec/package.json" "$spec/package-lock.json" | sha256sum | cut -c1-16)"
	pinned_cache="${N8N_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-useapi-midjourney}"
	pinned_name="$name"
	pinned_dir="$pinned_cache/$name-$hash"
	if [[ -f "$pinned_dir/.installed" ]]; then
		echo "$pinned_dir"
		exit 0
	fi
	mkdir -p "$pinned_cache"
	# Serialize concurrent installs of the same pin (parallel test workers, two terminals).
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$pinned_dir.lock"
		if ! flock -n 9; then
			log "another install of this pin is running; waiting for $pinned_dir.lock"
			flock 9
		fi
		if [[ -f "$pinned_dir/.installed" ]]; then
			echo "$pinned_dir"
			exit 0
		fi
	fi
	pinned_start=$SECONDS
	pinned_tmp="$pinned_dir.tmp"
	rm -rf "$pinned_tmp" "$pinned_dir"
	mkdir -p "$pinned_tmp"
	cp "$spec/package.json" "$spec/package-lock.json" "$pinned_tmp/"
	# Settings a parent `npm run`/`npm test` exports must not leak into this separate install.
	unset npm_config_prefix npm_config_local_prefix npm_config_global npm_config_workspace npm_config_workspaces \
		npm_config_omit npm_config_include npm_config_production npm_config_only 2>/dev/null || true
	log "installing $name from $spec into $pinned_tmp"
	quiet_step "$name" "npm ci (no install scripts)" \
		in_dir "$pinned_tmp" npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn
}

pinned_install_finish() {
	touch "$pinned_tmp/.installed"
	mv -T "$pinned_tmp" "$pinned_dir"
	local old
	for old in "$pinned_cache/$pinned_name"-*; do
		[[ "$old" == "$pinned_dir" || "$old" == "$pinned_dir.lock" ]] && continue
		[[ -e "$old" ]] || continue
		log "removing older install $old"
		rm -rf "$old"
	done
	log "$pinned_name ready in $pinned_dir ($((SECONDS - pinned_start)) s)"
	echo "$pinned_dir"
}
