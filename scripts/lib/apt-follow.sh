# Sourced by the install scripts that take Debian packages: they follow whatever build Debian
# offers today (the candidate of `apt-cache policy`), because Debian keeps only its newest security
# build in the archive and an exact pin breaks every fresh clone within weeks. Only the major
# version is checked, where the tests depend on it.
#
#   apt_need_root                                # sets apt_sudo=(sudo) when not root; dies if neither
#   apt_candidate <package>                      # prints the candidate version ('' when none)
#   apt_refresh_if_missing <package>…            # apt-get update when a package has no candidate
#   apt_check_major <package> <version> <min> <max>  # dies unless min ≤ major ≤ max
#   apt_install_quietly <package=version>…       # apt-get install, output in the step's log
#   apt_note_version <package> <version>         # logs "using <package> <version>" on one line
#
# Needs the caller's log_tag, log() and die(), and scripts/lib/quiet-step.sh sourced.

apt_sudo=()

apt_need_root() {
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found: $* come from Debian's packages (Debian or Ubuntu with apt); install them yourself or run \`npm run test:unit\`, which needs no apt"
	if [[ "$(id -u)" != "0" ]]; then
		command -v sudo >/dev/null 2>&1 || die "not root and no sudo: run as root (or with sudo) to install $*"
		apt_sudo=(sudo)
	fi
}

apt_candidate() {
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '^(none)$' | head -n 1 || true
}

apt_refresh_if_missing() {
	local package
	for package in "$@"; do
		if [[ -z "$(apt_candidate "$package")" ]]; then
			quiet_step apt "apt-get update" "${apt_sudo[@]}" apt-get update -o DPkg::Lock::Timeout=300
			return 0
		fi
	done
}

# The upstream major of a Debian version: strips the epoch ("5:7.0.15-1" → 7).
apt_major() {
	local version="${1#*:}"
	printf '%s\n' "${version%%[.+~-]*}"
}

apt_check_major() {
	local package="$1" version="$2" min="$3" max="$4"
	local major
	major="$(apt_major "$version")"
	[[ "$major" =~ ^[0-9]+$ ]] || die "$package $version: cannot read its major version"
	if ((major < min || major > max)); then
		die "$package $version is offered by apt, but the tests support majors $min to $max; install a supported $package yourself, or widen the range in $0 after running the tests with it"
	fi
}

apt_install_quietly() {
	quiet_step apt "apt-get install $*" env DEBIAN_FRONTEND=noninteractive "${apt_sudo[@]}" \
		apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 "$@"
}

# The version last installed by these scripts, kept only to say what changed.
apt_note_version() {
	local package="$1" version="$2" notes previous=''
	notes="$(quiet_cache_dir)/apt-versions"
	mkdir -p "$notes"
	[[ -f "$notes/$package" ]] && previous="$(cat "$notes/$package")"
	if [[ -n "$previous" && "$previous" != "$version" ]]; then
		log "using $package $version (last used here: $previous)"
	else
		log "using $package $version"
	fi
	printf '%s\n' "$version" >"$notes/$package"
}
