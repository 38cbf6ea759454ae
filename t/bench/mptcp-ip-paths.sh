#!/bin/sh
# The baseline for `mptcp-sockopt --subflows 2`: the same two namespaces,
# two veth links, addresses, limits and signal endpoint made with ip(8), as
# the kernel's mptcp_join.sh makes them, then removed.  Setup only: no
# connection, no check.  Used by t/bench/mptcp-sockopt.sh.
set -e
n=skbench$$
ip netns add "${n}s"
ip netns add "${n}c"
trap 'ip netns del "${n}s"; ip netns del "${n}c"' EXIT
for i in 0 1; do
	ip link add "sv$i" netns "${n}s" type veth peer name "cl$i" netns "${n}c"
	ip -n "${n}s" addr add "198.18.$i.1/24" dev "sv$i"
	ip -n "${n}c" addr add "198.18.$i.2/24" dev "cl$i"
	ip -n "${n}s" link set "sv$i" up
	ip -n "${n}c" link set "cl$i" up
done
ip -n "${n}s" mptcp limits set subflows 1 add_addr_accepted 0
ip -n "${n}c" mptcp limits set subflows 1 add_addr_accepted 1
ip -n "${n}s" mptcp endpoint add 198.18.1.1 dev sv1 signal
