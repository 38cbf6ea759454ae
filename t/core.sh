#!/bin/sh
. "$T_SRC/lib.sh"
run "$SOCKKIT" --list
is_rc 0 "--list"
done_testing
