# What this kernel answers, asked the way mptcp-sockopt asks, for the tests
# to expect a skip exactly where an option is missing.  Prints shell
# assignments: mptcp_info_size (0: no MPTCP_INFO), tcp_info_size (the
# MPTCP_TCPINFO element), full_info and is_mptcp (1 or 0).  Under the test
# shim (LD_PRELOAD) it sees the shim's answers, as sockkit does.
import ctypes
import socket
import struct

SOL_MPTCP, MPTCP_INFO, MPTCP_TCPINFO, MPTCP_FULL_INFO = 284, 1, 2, 4
TCP_IS_MPTCP = 43
libc = ctypes.CDLL(None, use_errno=True)


def gso(fd, level, name, request):
    buf = ctypes.create_string_buffer(request, len(request))
    size = ctypes.c_uint32(len(request))
    if libc.getsockopt(fd, level, name, buf, ctypes.byref(size)) < 0:
        return None
    return buf.raw[:size.value]


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
listener.bind(("127.0.0.1", 0))
listener.listen()
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
client.connect(listener.getsockname())
fd = client.fileno()

info = gso(fd, SOL_MPTCP, MPTCP_INFO, bytes(256))
tcpinfo = gso(fd, SOL_MPTCP, MPTCP_TCPINFO, struct.pack("IIII", 16, 0, 0, 512) + bytes(512))
# Arrays of no element: the kernel fills the header and mptcp_info only.
full = gso(fd, SOL_MPTCP, MPTCP_FULL_INFO, bytes(40 + 256))
is_mptcp = gso(fd, socket.IPPROTO_TCP, TCP_IS_MPTCP, bytes(4))

print("mptcp_info_size=%d" % (len(info) if info is not None else 0))
print("tcp_info_size=%d" % (struct.unpack_from("I", tcpinfo, 8)[0] if tcpinfo else 0))
print("full_info=%d" % (full is not None))
print("is_mptcp=%d" % (is_mptcp is not None))
