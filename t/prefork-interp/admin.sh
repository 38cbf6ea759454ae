#!/bin/sh
. "$T_SRC/lib.sh"
done_testing
