#!/bin/bash
# Capture OpenSMTPD (Debian 12 package, unpacked under /opt/capture/opensmtpd) in both roles.
# smtpd runs in the foreground (-d) and logs to stderr, which is the captured log.
# Its compiled-in paths (/var/spool/smtpd, /var/run/smtpd.sock, /var/lib/opensmtpd/empty) are
# bind-mounted from the run directory inside a private mount namespace.
# Usage: tools/capture/run-opensmtpd.sh        (from a clean state; about 2 minutes)
SCRIPT_NAME=opensmtpd
. "$(dirname "$0")/lib.sh"

MTA=opensmtpd
PKGS=(opensmtpd)
LIBS=(libdb5.3 libcrypt1 libevent-2.1-7 libpam0g libssl3 zlib1g openssl)

if [ -z "${CAPTURE_NETNS:-}" ]; then
    ensure_libs "${LIBS[@]}"
    fetch_debs "${PKGS[@]}"
    unpack $MTA "${PKGS[@]}"
    ensure_user opensmtpd opensmtpd
    ensure_user opensmtpq opensmtpq
fi
enter_netns "$@"
[ "${CAPTURE_NETNS:-}" = 1 ] || { log "needs a private mount namespace (unshare -m)"; exit 1; }

ROOT=$CAP/$MTA/root
RUN=$CAP/$MTA/run
ETC=$RUN/etc
SMTPD=$ROOT/usr/sbin/smtpd
SMTPCTL=$ROOT/usr/sbin/smtpctl
DEBVER=$(dpkg-deb -f "$CAP"/debs/opensmtpd_*.deb Version)
VERSION=$($SMTPD -h 2>&1 | sed -n 's/^version: OpenSMTPD //p' || true)

stop_all() { log "stopping"; cleanup_pids; }
trap stop_all EXIT

rm -rf "$RUN"; mkdir -p "$ETC" "$RUN/spool" "$RUN/empty" "$RUN/varrun"
mkdir -p /var/spool/smtpd /var/lib/opensmtpd/empty
chmod 711 "$RUN/spool"
mount --bind "$RUN/spool" /var/spool/smtpd
mount --bind "$RUN/empty" /var/lib/opensmtpd/empty
mount -t tmpfs tmpfs /run
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mx.opensmtpd.capture.test" \
    -keyout "$ETC/key.pem" -out "$ETC/cert.pem" >/dev/null 2>&1
chmod 600 "$ETC/key.pem"

printf 'alice@capture.test\nboss@capture.test\nblocked@capture.test\n' >"$ETC/known"
printf 'spammer@client.example.org\n' >"$ETC/badsenders"
printf 'blocked@capture.test\n' >"$ETC/badrcpts"

cat >"$ETC/smtpd.conf" <<EOF
# Capture-lab OpenSMTPD configuration: 127.0.0.1 only, no DNS (relay hosts are IP literals).
pki mx.opensmtpd.capture.test cert "$ETC/cert.pem"
pki mx.opensmtpd.capture.test key "$ETC/key.pem"
smtp max-message-size 50K
smtp limit max-rcpt 2
queue ttl 40s
bounce warn-interval 15s

table known file:$ETC/known
table badsenders file:$ETC/badsenders
table badrcpts file:$ETC/badrcpts

# builtin filters simulating local policy (texts modelled on Postfix's)
filter "nonfqdn" phase helo match !helo regex "[.]" reject "504 5.5.2 Helo command rejected: need fully-qualified hostname"
filter "nonfqdn2" phase ehlo match !helo regex "[.]" reject "504 5.5.2 Helo command rejected: need fully-qualified hostname"
filter "badsender" phase mail-from match mail-from <badsenders> reject "554 5.7.1 Sender address rejected: Access denied"
filter "unresolvable" phase mail-from match mail-from regex "@unresolvable[.]invalid\$" reject "450 4.1.8 Sender address rejected: Domain not found"
filter "badrcpt" phase rcpt-to match rcpt-to <badrcpts> reject "554 5.7.1 Recipient address rejected: Access denied"
filter "policy" chain { "nonfqdn", "nonfqdn2", "badsender", "unresolvable", "badrcpt" }
filter "blocklist" phase connect match src regex ".*" disconnect "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org"

listen on 127.0.0.1 port 2600 tag INJECT hostname mx.opensmtpd.capture.test
listen on 127.0.0.1 port 2604 hostname mx.opensmtpd.capture.test filter "policy"
listen on 127.0.0.1 port 2614 hostname mx.opensmtpd.capture.test filter "blocklist"
listen on 127.0.0.1 port 2624 hostname mx.opensmtpd.capture.test tls-require pki mx.opensmtpd.capture.test
listen on 127.0.0.1 port 2644 hostname mx.opensmtpd.capture.test tls pki mx.opensmtpd.capture.test auth

action "tosink" relay host smtp://127.0.0.1:$SINK_PORT helo mx.opensmtpd.capture.test
action "p2526" relay host smtp://127.0.0.1:2526 helo mx.opensmtpd.capture.test
action "p2527" relay host smtp://127.0.0.1:2527 helo mx.opensmtpd.capture.test
action "p2528" relay host smtp://127.0.0.1:2528 helo mx.opensmtpd.capture.test
action "p2529" relay host smtp://127.0.0.1:2529 helo mx.opensmtpd.capture.test
action "p2530" relay host smtp://127.0.0.1:2530 helo mx.opensmtpd.capture.test
action "p2531" relay host smtp://127.0.0.1:$CLOSED_PORT helo mx.opensmtpd.capture.test
action "p2532" relay host smtp://127.0.0.1:2532 helo mx.opensmtpd.capture.test

match from any tag INJECT for domain "greet554.test" action "p2526"
match from any tag INJECT for domain "greet421.test" action "p2527"
match from any tag INJECT for domain "greetstall.test" action "p2528"
match from any tag INJECT for domain "helo550.test" action "p2529"
match from any tag INJECT for domain "helo421.test" action "p2530"
match from any tag INJECT for domain "refused.test" action "p2531"
match from any tag INJECT for domain "greetdrop.test" action "p2532"
match from any tag INJECT for domain "sink.test" action "tosink"
match from local for domain "sink.test" action "tosink"
match from any for rcpt-to <known> action "tosink"
EOF

$SMTPD -n -f "$ETC/smtpd.conf" >"$RUN/smtpd-n.out" 2>&1 || { cat "$RUN/smtpd-n.out"; exit 1; }
log "opensmtpd $VERSION ($DEBVER), run dir $RUN"
SINK_STALL=25 start_sink "$RUN"
$SMTPD -d -f "$ETC/smtpd.conf" >"$RUN/smtpd.log" 2>&1 &
PIDS+=($!)
wait_port 2604 15

log "server role"
$PY "$TOOLS/server_cases.py" --mta $MTA --cases "$TOOLS/server-cases.tsv" --log "$RUN/smtpd.log" \
    --port main=2604 --port blocked=2614 --port tls=2624 --port auth=2644 --out "$RUN/server.jsonl"
cp "$RUN/smtpd.log" "$RUN/server.log"
SERVER_END=$(wc -c <"$RUN/smtpd.log")

log "client role: submitting"
SUBMIT_PAUSE=4 submit_client_cases 2600 $MTA "$RUN"   # one at a time: smtpd gives up on a route that "rejects all mails"
queue_empty() {
    $SMTPCTL schedule all >/dev/null 2>&1 || true   # OpenSMTPD's own backoff is minutes long
    [ -z "$(find "$RUN/spool/queue" "$RUN/spool/incoming" -type f 2>/dev/null | head -1)" ]
}
sleep 5
log "client role: waiting for the queue to drain (queue ttl 40s; smtpctl schedule all every 5 s)"
for i in $(seq 1 24); do queue_empty && break; sleep 5; done
sleep 3
tail -c +$((SERVER_END + 1)) "$RUN/smtpd.log" >"$RUN/client.log"
cleanup_pids
umount /var/spool/smtpd /var/lib/opensmtpd/empty /run 2>/dev/null || true

$PY "$TOOLS/collect.py" --mta $MTA --version "$VERSION" --debversion "$DEBVER" --run "$RUN" --out "$OUT"
log "done"
