#!/bin/bash
# Capture Postfix (Debian 12 package, unpacked under /opt/capture/postfix) in both roles:
#   server: Python smtplib sessions against Postfix's smtpd listeners -> reject log lines + replies
#   client: Postfix delivers to the scripted sink -> status=... lines + bounce mails
# Usage: tools/capture/run-postfix.sh        (from a clean state; about 2 minutes)
SCRIPT_NAME=postfix
. "$(dirname "$0")/lib.sh"

MTA=postfix
PKGS=(postfix)
LIBS=(libdb5.3 libicu72 libnsl2 libsasl2-2 libsasl2-modules libsasl2-modules-db libssl3 openssl)

if [ -z "${CAPTURE_NETNS:-}" ]; then
    ensure_libs "${LIBS[@]}"
    fetch_debs "${PKGS[@]}"
    unpack $MTA "${PKGS[@]}"
    ensure_user postfix postfix
    ensure_group postdrop
fi
enter_netns "$@"

ROOT=$CAP/$MTA/root
RUN=$CAP/$MTA/run
ETC=$RUN/etc
export LD_LIBRARY_PATH=$ROOT/usr/lib/postfix
POSTCONF="$ROOT/usr/sbin/postconf -c $ETC"
VERSION=$($ROOT/usr/sbin/postconf -d -h mail_version 2>/dev/null)
DEBVER=$(dpkg-deb -f "$CAP"/debs/postfix_*.deb Version)

stop_all() { log "stopping"; cleanup_pids; }
trap stop_all EXIT

# ---------------------------------------------------------------- clean state + config
rm -rf "$RUN"; mkdir -p "$ETC" "$RUN/spool" "$RUN/data"
chown postfix "$RUN/data"
cp "$ROOT"/etc/postfix/postfix-files "$ETC/"
cp -r "$ROOT"/etc/postfix/postfix-files.d "$ETC/" 2>/dev/null || true
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mx.postfix.capture.test" \
    -keyout "$ETC/key.pem" -out "$ETC/cert.pem" >/dev/null 2>&1

cat >"$ETC/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $RUN/spool
data_directory = $RUN/data
command_directory = $ROOT/usr/sbin
daemon_directory = $ROOT/usr/lib/postfix/sbin
shlib_directory = $ROOT/usr/lib/postfix
meta_directory = $ETC
mail_owner = postfix
setgid_group = postdrop
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME LD_LIBRARY_PATH=$ROOT/usr/lib/postfix
maillog_file = $RUN/maillog
maillog_file_prefixes = $RUN
myhostname = mx.postfix.capture.test
mydomain = capture.test
myorigin = capture.test
mydestination = capture.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
# no DNS anywhere: literal next hops, no client name lookups
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_peername_lookup = no
relayhost = [127.0.0.1]:$SINK_PORT
transport_maps = texthash:$ETC/transport
virtual_alias_maps = texthash:$ETC/virtual
local_recipient_maps = texthash:$ETC/local_recipients
unknown_local_recipient_reject_code = 550
# server-role policy (the "main" listener)
message_size_limit = 50000
mailbox_size_limit = 0
header_checks = regexp:$ETC/header_checks
body_checks = regexp:$ETC/body_checks
smtpd_helo_required = yes
smtpd_helo_restrictions = reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname
smtpd_sender_restrictions = reject_non_fqdn_sender, reject_sender_login_mismatch, check_sender_access texthash:$ETC/sender_access
smtpd_sender_login_maps = texthash:$ETC/sender_login
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:$ETC/recipient_access
smtpd_tls_security_level = none
smtp_tls_security_level = none
# client role: short timeouts, tiny queue lifetime so that deferred mail expires quickly
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
maximal_queue_lifetime = 45s
bounce_queue_lifetime = 45s
delay_warning_time = 15s
smtp_connect_timeout = 5s
smtp_helo_timeout = 8s
smtp_mail_timeout = 8s
smtp_rcpt_timeout = 8s
smtp_data_init_timeout = 8s
smtp_data_xfer_timeout = 8s
smtp_data_done_timeout = 8s
smtp_quit_timeout = 5s
EOF

cat >"$ETC/master.cf" <<EOF
# submission of client-role test mail (open relay for 127.0.0.1, no checks)
127.0.0.1:2600 inet n - n - - smtpd -o syslog_name=postfix/inject -o smtpd_relay_restrictions=permit_mynetworks,reject -o smtpd_recipient_restrictions= -o smtpd_helo_restrictions= -o smtpd_sender_restrictions= -o receive_override_options=no_header_body_checks -o smtpd_helo_required=no
# server-role listeners
127.0.0.1:2601 inet n - n - - smtpd
127.0.0.1:2611 inet n - n - - smtpd -o syslog_name=postfix/blocked -o smtpd_client_restrictions=check_client_access,texthash:$ETC/client_access
127.0.0.1:2621 inet n - n - - smtpd -o syslog_name=postfix/tlsonly -o smtpd_tls_security_level=encrypt -o smtpd_tls_cert_file=$ETC/cert.pem -o smtpd_tls_key_file=$ETC/key.pem
127.0.0.1:2641 inet n - n - - smtpd -o syslog_name=postfix/auth -o smtpd_sasl_auth_enable=yes -o cyrus_sasl_config_path=$ETC/sasl
127.0.0.1:2631 inet n - n - - smtpd -o syslog_name=postfix/limits -o smtpd_client_connection_count_limit=1 -o smtpd_client_event_limit_exceptions= -o smtpd_recipient_limit=2
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

printf 'alice\t-\nboss\t-\nblocked\t-\n' >"$ETC/local_recipients"
printf 'alice@capture.test\talice@sink.test\nboss@capture.test\tboss@sink.test\n' >"$ETC/virtual"
cat >"$ETC/transport" <<EOF
greet554.test	smtp:[127.0.0.1]:2526
greet421.test	smtp:[127.0.0.1]:2527
greetstall.test	smtp:[127.0.0.1]:2528
helo550.test	smtp:[127.0.0.1]:2529
helo421.test	smtp:[127.0.0.1]:2530
refused.test	smtp:[127.0.0.1]:$CLOSED_PORT
greetdrop.test	smtp:[127.0.0.1]:2532
EOF
# simulated DNS/blocklist facts, as local tables (no DNS is used)
printf 'unresolvable.invalid\t450 4.1.8 Domain not found\nspammer@client.example.org\tREJECT\n' >"$ETC/sender_access"
printf 'blocked@capture.test\tREJECT\n' >"$ETC/recipient_access"
printf '127.0.0.1\t554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.1\n' >"$ETC/client_access"
printf 'boss@capture.test\tboss\n' >"$ETC/sender_login"
mkdir -p "$ETC/sasl"   # Cyrus SASL with an empty sasldb: every AUTH fails
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s\n' "$ETC/sasl/sasldb2" >"$ETC/sasl/smtpd.conf"
printf '/^Subject:.*CAPTURE-SPAM-TEST/\tREJECT 5.7.1 Message content rejected: spam subject\n' >"$ETC/header_checks"
printf '/CAPTURE-VIRUS-SIGNATURE/\tREJECT 5.7.1 Infected: Eicar-Test-Signature FOUND\n' >"$ETC/body_checks"

# ---------------------------------------------------------------- start
log "postfix $VERSION ($DEBVER), run dir $RUN"
start_sink "$RUN"
script -qec "$ROOT/usr/sbin/postfix -c $ETC check" /dev/null >"$RUN/postfix-check.out" 2>&1 || { cat "$RUN/postfix-check.out"; exit 1; }
"$ROOT/usr/lib/postfix/sbin/master" -c "$ETC" -d >"$RUN/master.out" 2>&1 &
PIDS+=($!)
wait_port 2601 15

# ---------------------------------------------------------------- server role
log "server role"
$PY "$TOOLS/server_cases.py" --mta $MTA --cases "$TOOLS/server-cases.tsv" --log "$RUN/maillog" \
    --port main=2601 --port blocked=2611 --port tls=2621 --port limits=2631 --port auth=2641 --out "$RUN/server.jsonl"
cp "$RUN/maillog" "$RUN/server.log"
SERVER_END=$(wc -c <"$RUN/maillog")

# ---------------------------------------------------------------- client role
log "client role: submitting"
submit_client_cases 2600 $MTA "$RUN"
queue_empty() {
    [ -z "$(find "$RUN/spool/incoming" "$RUN/spool/active" "$RUN/spool/deferred" "$RUN/spool/maildrop" -type f 2>/dev/null | head -1)" ]
}
sleep 5
log "client role: waiting for the queue to drain (deferred mail expires after 45 s)"
wait_until 180 queue_empty || log "queue not empty after 180 s"
sleep 3
tail -c +$((SERVER_END + 1)) "$RUN/maillog" >"$RUN/client.log"
$ROOT/usr/sbin/postfix -c "$ETC" stop >/dev/null 2>&1 || true
sleep 1
cleanup_pids

# ---------------------------------------------------------------- collect
$PY "$TOOLS/collect.py" --mta $MTA --version "$VERSION" --debversion "$DEBVER" --run "$RUN" --out "$OUT"
log "done"
