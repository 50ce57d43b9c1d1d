#!/usr/bin/env python3
"""Regenerate the seed corpus fuzz/corpus/ from the test rows.

Usage: python3 fuzz/make-corpus.py [--max N]   (run from anywhere; stdlib only)

Every tests/data/*.tsv row's input column (blank lines, comments and headers
skipped), decoded with the record escapes as the CLI reads it
(bindings/python/smtpreply/_record.py), becomes one file named by the SHA-1 of
its bytes.  Rows are taken
round-robin over the files (so every provider is represented), multiline
replies first, up to --max seeds (default 300); then every row of the files in
EVERY_ROW (tests/data/logs.tsv: a real line of each log and library form); then a
few hand-written seeds
for shapes the rows lack (wire streams of several replies, a reply cut in the
middle, wrappers, and for fuzz_unwrap a selector byte before a plain reply).  Files already in fuzz/corpus/ are kept: regression seeds
added by hand stay.
"""
import argparse
import hashlib
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'tests', 'data')
OUT = os.path.join(HERE, 'corpus')

EXTRA = [
    b'250-mx.example.org Hello\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250 HELP\r\n',
    b'220 mx.example.org ESMTP\r\n250 OK\r\n354 Go ahead\r\n250 2.0.0 Ok: queued as 4AB\r\n',
    b'550-5.7.26 This mail has been blocked because the sender is\r\n550-5.7.26 unauthenticated.\r\n',
    b'421 4.7.0 Try again later, closing connection.\r\n221 2.0.0 Bye\r\n',
    b'550-5.7.1 a 550-5.7.1 b 550 5.7.1 c',
    b'Diagnostic-Code: smtp; 550 5.1.1 <a@example.org>: Recipient address rejected: User unknown',
    b'Diagnostic-Code: smtp;550-5.1.1 The email account that you tried to reach does not exist.\r\n'
    b'    550 5.1.1 https://support.google.com/mail/?p=NoSuchUser x1si - gsmtp',
    b'Jan  1 00:00:00 mx postfix/smtp[1]: 4AB: to=<a@example.org>, relay=mx.example.net[192.0.2.1]:25,'
    b' delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.1] said:'
    b' 550 5.1.1 User unknown (in reply to RCPT TO command))',
    b'SMTP error from remote mail server after RCPT TO:<a@example.org>: host mx.example.net'
    b' [192.0.2.1]: 550 5.1.1 No such user',
    b'Remote host said: 553 sorry, that domain isn\'t in my list of allowed rcpthosts (#5.7.1)',
    b'Remote Server returned \'550 5.1.1 RESOLVER.ADR.RecipNotFound; not found\'',
    b'#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##',
    b'<<< 550 5.1.1 <a@example.org>... User unknown',
    b'dsn=4.0.0, stat=Deferred: Connection timed out with mx.example.net.',
    b'connect to mx.example.net[192.0.2.1]:25: Connection refused',
    b'452 4.2.2 The email account that you tried to reach is over quota. Please retry in 2 hours.',
    b'\x00\x00\x00550\x00',
    b'<html><body>550</body></html>',
    b'5500 too many digits\r\n',
    b'55',
    b'   \r\n\t',
]
# fuzz_unwrap picks its wrapper by the first byte (index modulo 22): one plain
# reply behind each, so the replay exercises its "unwraps to the bare reply" check
PLAIN = [b'550 5.1.1 User unknown', b'452 4.2.2 Mailbox full, try again later',
         b'554 5.7.1 Service unavailable, Client host blocked using zen.spamhaus.org']
EXTRA += [bytes([i]) + PLAIN[i % len(PLAIN)] for i in range(22)]
# Every row of this file is a seed, besides the round-robin: one real line of
# each log and client-library form (issue 12)
EVERY_ROW = ['logs.tsv']


def load_record_codec():
    """The record escapes and the test-table reader of the binding (loaded by path:
    they need no library)."""
    path = os.path.join(HERE, '..', 'bindings', 'python', 'smtpreply', '_record.py')
    spec = importlib.util.spec_from_file_location('smtpreply_record', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--max', type=int, default=300)
    args = ap.parse_args()
    record = load_record_codec()
    per_file = []
    for path in record.table_files(DATA):
        rows = []
        for _, cols in record.table_rows(path):
            if cols[0]:
                rows.append(record.unescape(cols[0].encode('utf-8', 'surrogateescape')))
        rows.sort(key=lambda b: (b'\n' not in b,))  # multiline first, stable
        per_file.append(rows)
    seeds, seen = [], set()
    while len(seeds) < args.max and any(per_file):
        for rows in per_file:
            if rows and len(seeds) < args.max:
                b = rows.pop(0)
                if b not in seen:
                    seen.add(b)
                    seeds.append(b)
    for path in record.table_files(DATA):
        if os.path.basename(path) in EVERY_ROW:
            for _, cols in record.table_rows(path):
                b = record.unescape(cols[0].encode('utf-8', 'surrogateescape')) if cols[0] else b''
                if b and b not in seen:
                    seen.add(b)
                    seeds.append(b)
    for b in EXTRA:
        if b not in seen:
            seen.add(b)
            seeds.append(b)
    os.makedirs(OUT, exist_ok=True)
    written = 0
    for b in seeds:
        path = os.path.join(OUT, hashlib.sha1(b).hexdigest())
        if not os.path.exists(path):
            with open(path, 'wb') as f:
                f.write(b)
            written += 1
    print('%d seeds, %d new, in %s' % (len(seeds), written, OUT))
    return 0


if __name__ == '__main__':
    sys.exit(main())
