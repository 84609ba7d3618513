# Debian packages ulogin needs to build, test and run its sandbox, and a
# function that installs the missing ones.  Sourced by scripts/quickstart
# and scripts/check.

ULOGIN_PACKAGES="gcc make autoconf automake libtool pkgconf
	libldap2-dev libsasl2-dev libyaml-dev libssl-dev libreadline-dev
	libjansson-dev libcsv-dev libcmocka-dev
	slapd ldap-utils jq bash-completion mandoc zsh"

# ensure_packages: install what dpkg does not know as installed; run
# apt-get update only when something is missing.
ensure_packages() {
	local missing=() p sudo=
	for p in $ULOGIN_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || {
			echo "$0: missing packages: ${missing[*]}; run as root or install sudo" >&2
			return 69
		}
		sudo=sudo
	fi
	echo "$0: installing ${missing[*]}"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}
