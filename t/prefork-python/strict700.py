# A strict chiark-utils 7.0.0 script side, for the tests: it greets with
# empty xdata (as Debian's Proc::Prefork::Interp does) and records what the
# client sent: the signalling byte, the fds, and whether anything came after
# the 7.0.0 request.  One call per server start; stdlib only.
import os, socket, struct, sys, select

out = sys.argv[1]
env = os.environ["PREFORK_INTERP"].split(" ")
fds = [int(x) for x in env[1].split(",")]
if os.fork():
    os._exit(0)
os.setsid()
call = socket.socket(fileno=fds[1])
call.sendall(b"PFI\n\0\0\0\0")
sig = call.recv(1)
got = []
for i in range(3):
    msg, anc, flags, _ = call.recvmsg(1, socket.CMSG_SPACE(16))
    for level, kind, data in anc:
        got.extend(struct.unpack("%di" % (len(data) // 4), data))
(n,) = struct.unpack(">I", call.recv(4, socket.MSG_WAITALL))
blob = b""
while len(blob) < n:
    blob += call.recv(n - len(blob))
extra = b""
if select.select([call], [], [], 0.3)[0]:
    extra = call.recv(100)
words = [env[0].split(",")[0]] + env[2:]
with open(out, "w") as f:
    f.write("env %s signalling %s fds %d extra %d argv %s\n" % (
        " ".join(words), sig.hex(), len(got), len(extra),
        blob.split(b"\0\0", 1)[1].rstrip(b"\0").replace(b"\0", b" ").decode()))
call.sendall(struct.pack(">I", 3 << 8))
os._exit(0)
