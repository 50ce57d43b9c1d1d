#!/usr/bin/python3
"""Tiny syslog listener for the capture lab: binds a unix datagram socket (default /dev/log),
writes each message as one line "<Mon dd hh:mm:ss> HOST <tag[pid]: msg>" to a file, and removes
the socket when it stops (SIGTERM, or --max-runtime).  Refuses to replace an existing socket."""
import argparse, os, re, signal, socket, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--socket", default="/dev/log")
ap.add_argument("--out", required=True)
ap.add_argument("--host", default="mx")
ap.add_argument("--max-runtime", type=float, default=900)
a = ap.parse_args()
if os.path.exists(a.socket):
    sys.exit("%s exists: not replacing it" % a.socket)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(a.socket)
os.chmod(a.socket, 0o666)
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
signal.signal(signal.SIGINT, lambda *_: stop.append(1))
s.settimeout(0.5)
end = time.time() + a.max_runtime
with open(a.out, "a", encoding="utf-8") as out:
    try:
        while not stop and time.time() < end:
            try:
                data = s.recv(65536)
            except socket.timeout:
                continue
            msg = data.decode("utf-8", "replace").rstrip("\n\x00")
            msg = re.sub(r"^<\d+>", "", msg)
            m = re.match(r"^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (.*)$", msg, re.S)
            stamp, rest = (m.group(1), m.group(2)) if m else (time.strftime("%b %e %H:%M:%S"), msg)
            out.write("%s %s %s\n" % (stamp, a.host, rest.replace("\n", " ")))
            out.flush()
    finally:
        s.close()
        os.unlink(a.socket)
