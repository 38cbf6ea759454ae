#!/bin/sh
# debian/ takes its version from meson.build, the project's one version
# number; debian/changelog must still name one, and it must be the same
# (debian/rules checks it again at build time).  $1: meson's version.
. "$T_SRC/lib.sh"

version=${1:?usage: debian.sh MESON-VERSION}
changelog=$T_SRC/../debian/changelog
if ! [ -f "$changelog" ]; then
	echo "1..0 # SKIP no debian/ in this tree"
	exit 0
fi
# The first line: "sockkit (VERSION) DISTRIBUTION; urgency=...".
top=$(sed -n '1s/^sockkit (\([^)]*\)) .*/\1/p' "$changelog")
is "$top" "$version" "debian/changelog's newest entry is meson.build's version"
is "$("$SOCKKIT" --version)" "sockkit $version" "sockkit --version says the same"
if command -v dpkg-parsechangelog >/dev/null 2>&1; then
	check "dpkg-parsechangelog reads the same version" 0 "$version" '' \
		dpkg-parsechangelog -l "$changelog" -SVersion
else
	skip "dpkg-parsechangelog reads the same version" "dpkg-dev is not installed"
fi
done_testing
