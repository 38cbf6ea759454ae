. "$T_SRC/bindtest/common.sh"; done_testing
