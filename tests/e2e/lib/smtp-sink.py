#!/usr/bin/python3
"""smtp-sink.py - a real SMTP server for the e2e tests (Debian's python3-aiosmtpd).

Listens on 127.0.0.1 (port 0 = any free port), accepts every message and
writes each one, exactly as received, to DIR/NNNN.eml (through a temporary
name and a rename, so a reader never sees half a message), plus
DIR/NNNN.json with the envelope (mail_from, rcpt_tos, auth user). Prints
"READY <port>" on stdout once it accepts connections; stops on SIGTERM or
when stdin closes (its parent died).

Options:
  --dir DIR              where messages go (required)
  --port N               port to bind (default 0: a free one)
  --auth USER:PASS       require SMTP AUTH (PLAIN/LOGIN) with these credentials
  --starttls CERT KEY    offer STARTTLS with this certificate (and require it)
  --tls CERT KEY         implicit TLS (SMTPS) from the first byte
  --reject-rcpt ADDR     answer 550 to RCPT TO:<ADDR> (a permanent failure)
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, reject, implicit_tls):
        self.dir = directory
        self.implicit_tls = implicit_tls
        self.reject = set(a.lower() for a in reject)
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.dir, "%04d" % self.count)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth_user": session.auth_data.login.decode("utf-8", "replace")
            if isinstance(session.auth_data, LoginPassword) else None,
            "tls": self.implicit_tls or session.ssl is not None,
        }
        for suffix, data in ((".json", json.dumps(meta).encode()),
                             (".eml", envelope.original_content)):
            tmp = base + suffix + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, base + suffix)
        return "250 Message accepted for delivery"


def authenticator_for(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login.decode() == user and auth_data.password.decode() == password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return check


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--auth")
    ap.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--reject-rcpt", action="append", default=[])
    args = ap.parse_args()

    handler = Sink(args.dir, args.reject_rcpt, bool(args.tls))
    kwargs = {"hostname": "sink.test", "ident": "latchkey-e2e-sink"}
    if args.auth:
        user, _, password = args.auth.partition(":")
        kwargs.update(authenticator=authenticator_for(user, password), auth_required=True,
                      auth_require_tls=bool(args.starttls or args.tls))
    if args.starttls:
        kwargs.update(tls_context=tls_context(*args.starttls), require_starttls=True)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, **kwargs), sock=sock,
        ssl=tls_context(*args.tls) if args.tls else None)

    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not sys.stdin.buffer.read1(4096)
                    else None)
    print("READY %d" % sock.getsockname()[1], flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
