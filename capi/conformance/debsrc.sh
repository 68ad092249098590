# Sourced by run.sh, czmq.sh and perf.sh: deb-src entries for Debian's
# package registry, so that `apt-get source zeromq3` works on a machine
# configured for binary packages only, and the installation of the
# packages a runner needs.
#
# add_deb_src: when no deb-src entry is configured, writes entries beside
# the configured deb ones (same archives, suites and keys) and sets
# added_src, added_list and need_update=1; otherwise leaves added_src empty.
# remove_deb_src: removes what add_deb_src wrote.
# install_debs NAME PKG...: add_deb_src, then installs the packages not
# installed yet (updating the package lists first when either needs it);
# NAME prefixes its messages. Fails when the installation does.

have_src_line() {
	grep -qs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources ||
		grep -qs '^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list
}

added_src=""
add_deb_src() {
	have_src_line && return 0
	added_src=/etc/apt/sources.list.d/purezmq-capi-src.sources
	added_list=/etc/apt/sources.list.d/purezmq-capi-src.list
	echo "adding deb-src entries beside the configured deb ones" >&2
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$added_src" ] || continue
		sed 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' "$f"
		echo
	done >"$added_src"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && [ "$f" != "$added_list" ] && sed -n 's/^deb[[:space:]]/deb-src /p' "$f"
	done >"$added_list"
	need_update=1
}

remove_deb_src() {
	[ -n "$added_src" ] && rm -f "$added_src" "$added_list"
	added_src=""
}

install_debs() {
	local name=$1 need="" p
	shift
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
	done
	add_deb_src
	if [ -n "$need" ] || [ -n "${need_update:-}" ]; then
		apt-get update -qq >/dev/null 2>&1 || echo "$name: apt-get update failed" >&2
	fi
	if [ -n "$need" ]; then
		echo "$name: installing$need" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null 2>&1 ||
			{ echo "$name: cannot install$need" >&2; return 1; }
	fi
}
