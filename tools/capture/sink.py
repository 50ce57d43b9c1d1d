#!/usr/bin/python3
"""Scripted SMTP sink for the libsmtpreply capture lab (Python standard library only).

It listens on 127.0.0.1 only.  Every reply it sends comes from a script:

* a reply table (``--table``, TSV ``key<TAB>stage<TAB>reply[<TAB>times]``) where ``key`` is
    - the recipient local part for stages ``rcpt``, ``data`` and ``eod`` (end of data),
    - the sender local part for stage ``mail``,
    - the listener profile (see ``--listen``) for stages ``connect``, ``helo``, ``mail``, ``rcpt``,
      ``data``, ``eod`` and ``auth`` (a profile rule applies to every session on that port),
    - the AUTH user name's local part for stage ``auth``;
  ``reply`` is the reply with ``\\r\\n`` between the lines of a multiline reply (``{rcpt}``,
  ``{sender}``, ``{helo}`` and ``{peer}`` are substituted), or one of the actions ``DROP`` (close
  the connection without a reply), ``STALL`` (never answer; close after ``--stall`` seconds or when
  the client gives up); ``times`` (optional) limits the rule to its first N uses (greylisting), and
  a plain acceptance is sent afterwards.
* a generic local part ``<stage>-<code>[-<enhanced digits>]`` such as ``rcpt-550-511`` or
  ``eod-452-422``: the reply is ``550 5.1.1 <addr>: Recipient address rejected: User unknown``
  and the like (see GENERIC below).

Every message accepted at end of data is written to ``--spool`` as ``NNNN-<first rcpt local
part>.eml`` (the bytes as received, dot-unstuffed).  ``--events`` receives one JSON object per
line: every command received, every reply sent, every decision taken, every message saved.

The sink stops by itself after ``--max-runtime`` seconds, and on SIGTERM/SIGINT.
"""

import argparse
import base64
import json
import os
import re
import signal
import socket
import socketserver
import sys
import threading
import time

HOSTNAME = "sink.capture.test"

GENERIC = {
    "mail": "{code} {enh}<{sender}>: Sender address rejected: Access denied",
    "rcpt": "{code} {enh}<{rcpt}>: Recipient address rejected: {why}",
    "data": "{code} {enh}Error: no valid recipients",
    "eod": "{code} {enh}Error: message content rejected",
    "helo": "{code} {enh}<{helo}>: Helo command rejected: Access denied",
    "connect": "{code} {enh}" + HOSTNAME + " Service unavailable",
    "auth": "{code} {enh}Error: authentication failed",
}
RCPT_WHY = {"511": "User unknown", "512": "Domain not found", "522": "Mailbox full",
            "571": "Access denied", "420": "Greylisted", "471": "Greylisted", "421": "Greylisted"}

LOCK = threading.Lock()
STATE = {"events": None, "counts": {}, "seq": 0, "spool": None, "table": {}, "stall": 120,
         "size": 10240000, "idle": 300}


def emit(**ev):
    ev["t"] = round(time.time(), 3)
    with LOCK:
        if STATE["events"] is not None:
            STATE["events"].write(json.dumps(ev, ensure_ascii=False) + "\n")
            STATE["events"].flush()


def load_table(path):
    table = {}
    with open(path, encoding="utf-8") as fh:
        for ln in fh:
            ln = ln.rstrip("\n")
            if not ln or ln.startswith("#"):
                continue
            cols = ln.split("\t")
            if len(cols) < 3:
                continue
            key, stage, reply = cols[0], cols[1], cols[2]
            times = int(cols[3]) if len(cols) > 3 and cols[3].strip().isdigit() else None
            reply = reply.replace("\\r\\n", "\r\n").replace("\\n", "\r\n")
            table[(key.lower(), stage)] = (reply, times)
    return table


def generic_rule(key, stage):
    m = re.fullmatch(r"(connect|helo|mail|rcpt|data|eod|auth)-([245]\d\d)(?:-(\d)(\d)(\d+))?(?:[-+.].*)?", key)
    if not m or m.group(1) != stage:
        return None
    code = m.group(2)
    enh = "%s.%s.%s " % (m.group(3), m.group(4), m.group(5)) if m.group(3) else ""
    why = RCPT_WHY.get((m.group(3) or "") + (m.group(4) or "") + (m.group(5) or ""), "Access denied")
    return GENERIC[stage].replace("{code}", code).replace("{enh}", enh).replace("{why}", why)


def lookup(key, stage):
    """Return the scripted reply for key at stage, or None (not scripted / used up)."""
    if not key:
        return None
    key = key.lower()
    with LOCK:
        ent = STATE["table"].get((key, stage))
        if ent is not None:
            reply, times = ent
            if times is not None:
                n = STATE["counts"].get((key, stage), 0)
                STATE["counts"][(key, stage)] = n + 1
                if n >= times:
                    return None
            return reply
    return generic_rule(key, stage)


def local_part(addr):
    addr = addr.strip()
    if addr.startswith("<"):
        addr = addr[1:addr.find(">")] if ">" in addr else addr[1:]
    return addr.rsplit("@", 1)[0].lower() if "@" in addr else addr.lower()


def bare_addr(arg):
    m = re.search(r"<([^>]*)>", arg)
    if m:
        return m.group(1)
    return arg.split()[0] if arg.split() else ""


class Stop(Exception):
    pass


class Handler(socketserver.StreamRequestHandler):
    timeout = None

    def setup(self):
        super().setup()
        self.request.settimeout(STATE["idle"])
        self.port = self.server.server_address[1]
        self.profile = self.server.profile
        self.peer = "%s:%d" % self.client_address[:2]
        self.sid = "%d-%d-%d" % (self.port, self.client_address[1], int(time.time() * 1000) % 100000)

    # -- low level ---------------------------------------------------------------------------
    def send(self, text):
        data = text if text.endswith("\r\n") else text + "\r\n"
        emit(sid=self.sid, port=self.port, dir="S", line=data.rstrip("\r\n"))
        self.wfile.write(data.encode("utf-8", "surrogateescape"))
        self.wfile.flush()

    def readline(self):
        try:
            ln = self.rfile.readline(65536)
        except (socket.timeout, ConnectionError, OSError):
            raise Stop("read failed")
        if not ln:
            raise Stop("eof")
        return ln

    def act(self, reply, stage, key, **subst):
        """Send a scripted reply or perform an action.  Returns the reply code (or None)."""
        for k, v in subst.items():
            reply = reply.replace("{%s}" % k, v)
        emit(sid=self.sid, port=self.port, profile=self.profile, event="decision", stage=stage,
             key=key, reply=reply, rcpt=subst.get("rcpt", ""), sender=subst.get("sender", ""))
        if reply == "DROP":
            raise Stop("drop")
        if reply == "STALL":
            emit(sid=self.sid, port=self.port, event="stall", stage=stage)
            end = time.time() + STATE["stall"]
            self.request.settimeout(1.0)
            while time.time() < end:
                try:
                    if not self.request.recv(4096):
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
            raise Stop("stall")
        self.send(reply)
        last = reply.split("\r\n")[-1]
        if last.startswith("421"):
            raise Stop("421 sent")
        return reply[:3]

    def scripted(self, stage, keys, **subst):
        for key in keys:
            r = lookup(key, stage)
            if r is not None:
                return self.act(r, stage, key, **subst)
        return None

    # -- session -----------------------------------------------------------------------------
    def handle(self):
        emit(sid=self.sid, port=self.port, profile=self.profile, event="connect", peer=self.peer)
        try:
            self.session()
        except Stop as e:
            emit(sid=self.sid, port=self.port, event="close", why=str(e))
        except Exception as e:  # keep serving other sessions
            emit(sid=self.sid, port=self.port, event="error", why=repr(e))

    def session(self):
        subst = {"peer": self.client_address[0], "helo": "", "sender": "", "rcpt": ""}
        code = self.scripted("connect", [self.profile], **subst)
        if code is None:
            self.send("220 %s ESMTP capture sink" % HOSTNAME)
        elif code[0] in "45":
            # RFC 5321 3.1: after a 554 greeting the server waits for QUIT.
            while True:
                ln = self.readline().decode("utf-8", "replace").rstrip("\r\n")
                emit(sid=self.sid, port=self.port, dir="C", line=ln)
                if ln.upper().startswith("QUIT"):
                    self.send("221 2.0.0 Bye")
                    raise Stop("quit")
                if code.startswith("421"):
                    raise Stop("421 greeting")
                self.send("503 5.5.1 Error: no valid session")
        sender, rcpts, helo_ok = None, [], False
        while True:
            raw = self.readline()
            ln = raw.decode("utf-8", "replace").rstrip("\r\n")
            emit(sid=self.sid, port=self.port, dir="C", line=ln)
            verb, _, arg = ln.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                subst["helo"] = arg.strip()
                code = self.scripted("helo", [self.profile], **subst)
                if code is not None:
                    continue
                helo_ok = True
                sender, rcpts = None, []
                if verb == "HELO":
                    self.send("250 %s" % HOSTNAME)
                else:
                    self.send("250-%s\r\n250-PIPELINING\r\n250-SIZE %d\r\n250-AUTH PLAIN LOGIN\r\n"
                              "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME" % (HOSTNAME, STATE["size"]))
            elif verb == "AUTH":
                self.do_auth(arg, subst)
            elif verb == "MAIL":
                if not helo_ok:
                    self.send("503 5.5.1 Error: send HELO/EHLO first")
                    continue
                sender = bare_addr(arg.partition(":")[2])
                subst["sender"] = sender
                rcpts = []
                code = self.scripted("mail", [self.profile, local_part(sender)], **subst)
                if code is not None and not code.startswith("2"):
                    sender = None
                    continue
                if code is None:
                    self.send("250 2.1.0 Ok")
            elif verb == "RCPT":
                if sender is None:
                    self.send("503 5.5.1 Error: need MAIL command")
                    continue
                rcpt = bare_addr(arg.partition(":")[2])
                subst["rcpt"] = rcpt
                code = self.scripted("rcpt", [self.profile, local_part(rcpt)], **subst)
                if code is None:
                    self.send("250 2.1.5 Ok")
                    code = "250"
                if code.startswith("2"):
                    rcpts.append(rcpt)
            elif verb == "DATA":
                if not rcpts:
                    self.send("554 5.5.1 Error: no valid recipients" if sender else
                              "503 5.5.1 Error: need RCPT command")
                    continue
                subst["rcpt"] = rcpts[0]
                code = self.scripted("data", [self.profile] + [local_part(r) for r in rcpts], **subst)
                if code is not None and not code.startswith("3"):
                    sender, rcpts = None, []
                    continue
                if code is None:
                    self.send("354 End data with <CR><LF>.<CR><LF>")
                body = self.read_data()
                code = self.scripted("eod", [self.profile] + [local_part(r) for r in rcpts], **subst)
                if code is None or code.startswith("2"):
                    name = self.save(sender, rcpts, body)
                    if code is None:
                        self.send("250 2.0.0 Ok: queued as %s" % name)
                sender, rcpts = None, []
            elif verb == "RSET":
                sender, rcpts = None, []
                self.send("250 2.0.0 Ok")
            elif verb == "NOOP":
                self.send("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.send("221 2.0.0 Bye")
                raise Stop("quit")
            elif verb in ("VRFY", "EXPN"):
                self.send("502 5.5.1 %s command is disabled" % verb)
            elif verb == "":
                self.send("500 5.5.2 Error: bad syntax")
            else:
                self.send("502 5.5.2 Error: command not recognized")

    def do_auth(self, arg, subst):
        parts = arg.split()
        mech = parts[0].upper() if parts else ""
        user = ""
        if mech == "PLAIN":
            resp = parts[1] if len(parts) > 1 else None
            if resp is None:
                self.send("334 ")
                resp = self.readline().decode("ascii", "replace").strip()
                emit(sid=self.sid, port=self.port, dir="C", line=resp)
            try:
                user = base64.b64decode(resp).split(b"\0")[1].decode("utf-8", "replace")
            except Exception:
                user = ""
        elif mech == "LOGIN":
            if len(parts) > 1:
                u = parts[1]
            else:
                self.send("334 VXNlcm5hbWU6")
                u = self.readline().decode("ascii", "replace").strip()
                emit(sid=self.sid, port=self.port, dir="C", line=u)
            self.send("334 UGFzc3dvcmQ6")
            p = self.readline().decode("ascii", "replace").strip()
            emit(sid=self.sid, port=self.port, dir="C", line=p)
            try:
                user = base64.b64decode(u).decode("utf-8", "replace")
            except Exception:
                user = ""
        else:
            self.send("504 5.5.4 Unrecognized authentication type")
            return
        code = self.scripted("auth", [self.profile, local_part(user)], **subst)
        if code is None:
            self.send("235 2.7.0 Authentication successful")

    def read_data(self):
        lines = []
        while True:
            ln = self.readline()
            if ln in (b".\r\n", b".\n"):
                break
            if ln.startswith(b"."):
                ln = ln[1:]
            lines.append(ln)
        emit(sid=self.sid, port=self.port, dir="C", line="<message: %d bytes>" % sum(map(len, lines)))
        return b"".join(lines)

    def save(self, sender, rcpts, body):
        with LOCK:
            STATE["seq"] += 1
            seq = STATE["seq"]
        name = "%04d-%s" % (seq, re.sub(r"[^A-Za-z0-9._+-]", "_", local_part(rcpts[0]))[:60])
        if STATE["spool"]:
            path = os.path.join(STATE["spool"], name + ".eml")
            with open(path, "wb") as fh:
                fh.write(body)
        emit(sid=self.sid, port=self.port, event="saved", file=name + ".eml", sender=sender,
             rcpts=rcpts, bytes=len(body))
        return name


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", action="append", required=True, metavar="PORT[:PROFILE]")
    ap.add_argument("--table", help="reply table (TSV)")
    ap.add_argument("--spool", help="directory for accepted messages (.eml)")
    ap.add_argument("--events", help="JSON-lines event log")
    ap.add_argument("--pidfile")
    ap.add_argument("--max-runtime", type=float, default=900, help="stop after this many seconds")
    ap.add_argument("--stall", type=float, default=120, help="seconds a STALL holds the connection")
    ap.add_argument("--idle", type=float, default=300, help="idle timeout per session")
    ap.add_argument("--size", type=int, default=10240000, help="SIZE advertised in EHLO")
    a = ap.parse_args()

    if a.table:
        STATE["table"] = load_table(a.table)
    if a.spool:
        os.makedirs(a.spool, exist_ok=True)
        STATE["spool"] = a.spool
    STATE["events"] = open(a.events, "a", encoding="utf-8") if a.events else None
    STATE["stall"], STATE["idle"], STATE["size"] = a.stall, a.idle, a.size

    servers = []
    for spec in a.listen:
        port, _, profile = spec.partition(":")
        srv = Server(("127.0.0.1", int(port)), Handler)
        srv.profile = profile or "default"
        servers.append(srv)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        emit(event="listen", port=int(port), profile=srv.profile)
    if a.pidfile:
        with open(a.pidfile, "w") as fh:
            fh.write("%d\n" % os.getpid())

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait(a.max_runtime)
    for srv in servers:
        srv.shutdown()
        srv.server_close()
    emit(event="exit")
    if a.pidfile:
        try:
            os.unlink(a.pidfile)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
