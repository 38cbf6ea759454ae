#!/bin/sh
# The package as installed: meson installs every module of sockkit_prefork
# into the Python's site directory, and a copy laid out as meson would
# install it serves calls; from the build tree, `meson devenv` makes the
# source tree's package importable (as the README says).
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh" "$@"

BUILD=$T_BUILD/..
SRC=$T_SRC/../applets/prefork-interp/sockkit_prefork
meson introspect --installed "$BUILD" >"$T/installed.json"
for m in $(cd "$SRC" && ls *.py); do
	json_ok "$T/installed.json" "to_entries | any(.key | endswith(\"/sockkit_prefork/$m\"))" "meson installs $m"
	json_ok "$T/installed.json" "[to_entries[] | select(.key | endswith(\"/sockkit_prefork/$m\")) | .value] | .[0] | test(\"/(site|dist)-packages/sockkit_prefork/$m\$\")" "... into the Python's site directory"
done
ok '[ "$(jq "[keys[] | select(contains(\"/sockkit_prefork/\"))] | length" "$T/installed.json")" -eq "$(ls "$SRC"/*.py | wc -l)" ]' "... and nothing else of the package"

# A copy laid out as installed, and nothing from the source tree.
mkdir -p "$T/site/sockkit_prefork"
jq -r 'to_entries[] | select(.key | contains("/sockkit_prefork/")) | .key' "$T/installed.json" |
	while read -r f; do cp "$f" "$T/site/sockkit_prefork/"; done
mk inst <<'PY'
import sockkit_prefork, sys
@INIT@
print(sockkit_prefork.__file__)
sys.exit(3)
PY
for f in $FORMS; do
	check "$f: the installed copy serves a call" 3 "$T/site/sockkit_prefork/__init__.py" '' \
		env PYTHONPATH="$T/site" "$T/$f-inst.py"
done

check "meson devenv: the source tree's package" 0 "$(cd "$SRC" && pwd -P)/__init__.py" '' \
	env -u PYTHONPATH meson devenv -C "$BUILD" "$PYI" -c 'import os, sockkit_prefork; print(os.path.realpath(sockkit_prefork.__file__))'

done_testing
