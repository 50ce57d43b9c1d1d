#!/bin/bash
# Capture Exim (Debian 12 exim4-daemon-light, unpacked under /opt/capture/exim) in both roles.
#   server: smtplib sessions against Exim's listeners -> mainlog/rejectlog lines + replies
#   client: Exim delivers to the scripted sink -> =>, **, == lines + bounce mails
# Usage: tools/capture/run-exim.sh        (from a clean state; about 2 minutes)
SCRIPT_NAME=exim
. "$(dirname "$0")/lib.sh"

MTA=exim
PKGS=(exim4-base exim4-config exim4-daemon-light)
LIBS=(libdb5.3 libcrypt1 libgnutls-dane0 libgnutls30 libidn12 libidn2-0 libnsl2 libpcre2-8-0 openssl)

if [ -z "${CAPTURE_NETNS:-}" ]; then
    ensure_libs "${LIBS[@]}"
    fetch_debs "${PKGS[@]}"
    unpack $MTA "${PKGS[@]}"
    ensure_user Debian-exim Debian-exim
fi
enter_netns "$@"

ROOT=$CAP/$MTA/root
RUN=$CAP/$MTA/run
ETC=$RUN/etc
EXIM=$ROOT/usr/sbin/exim4
DEBVER=$(dpkg-deb -f "$CAP"/debs/exim4-daemon-light_*.deb Version)

stop_all() { log "stopping"; cleanup_pids; }
trap stop_all EXIT

rm -rf "$RUN"; mkdir -p "$ETC" "$RUN/spool" "$RUN/log"
chown Debian-exim:Debian-exim "$RUN/spool" "$RUN/log"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mx.exim.capture.test" \
    -keyout "$ETC/key.pem" -out "$ETC/cert.pem" >/dev/null 2>&1
chown Debian-exim "$ETC/key.pem"

printf 'alice: alice@sink.test\nboss: boss@sink.test\nblocked: blocked@sink.test\n' >"$ETC/aliases"
cat >"$ETC/ports" <<EOF
greet554.test: 2526
greet421.test: 2527
greetstall.test: 2528
helo550.test: 2529
helo421.test: 2530
refused.test: $CLOSED_PORT
greetdrop.test: 2532
EOF

cat >"$ETC/exim.conf" <<EOF
# Capture-lab Exim configuration: listens on 127.0.0.1 only, no DNS (manual routes to 127.0.0.1).
exim_path = $EXIM
primary_hostname = mx.exim.capture.test
qualify_domain = capture.test
spool_directory = $RUN/spool
log_file_path = $RUN/log/%slog
log_selector = +smtp_protocol_error +smtp_syntax_error +smtp_no_mail +incoming_port +outgoing_port \\
  +smtp_confirmation +received_recipients +deliver_time +queue_time +delivery_size +sender_on_delivery \\
  +return_path_on_delivery +subject +smtp_incomplete_transaction
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
trusted_users = root
host_lookup =
rfc1413_hosts =
local_interfaces = 127.0.0.1
daemon_smtp_ports = 2600 : 2602 : 2612 : 2622 : 2632 : 2642
domainlist local_domains = capture.test
message_size_limit = 50k
smtp_accept_max_per_host = \${if eq{\$received_port}{2632}{1}{20}}
recipients_max = 2
tls_advertise_hosts = *
tls_certificate = $ETC/cert.pem
tls_privatekey = $ETC/key.pem
auth_advertise_hosts = \${if eq{\$received_port}{2642}{*}{}}
acl_smtp_helo = acl_helo
acl_smtp_mail = acl_mail
acl_smtp_rcpt = acl_rcpt
acl_smtp_data = acl_data
# client role: tiny lifetimes
delay_warning = 20s
ignore_bounce_errors_after = 1m
timeout_frozen_after = 2m

begin acl

acl_helo:
  accept

acl_mail:
  accept  condition = \${if eq{\$received_port}{2600}}
  deny    condition = \${if eq{\$received_port}{2622}}
          !encrypted = *
          message = 530 5.7.0 Must issue a STARTTLS command first
  deny    condition = \${if eq{\$received_port}{2642}}
          !authenticated = *
          message = 530 5.7.0 Authentication required
  # Debian exim4-config's checks (conf.d/acl/30_exim4-config_check_mail-ish)
  deny    condition = \${if match{\$sender_helo_name}{\N^\[\N}{no}{yes}}
          condition = \${if match{\$sender_helo_name}{\N\.\N}{no}{yes}}
          message = Access denied - Invalid HELO name (See RFC2821 4.1.1.1)
  deny    senders = spammer@client.example.org
          message = sender envelope address \$sender_address is locally blacklisted here. If you think this is wrong, get in touch with postmaster
          log_message = sender envelope address is locally blacklisted.
  accept

acl_rcpt:
  accept  condition = \${if eq{\$received_port}{2600}}
  # simulated DNS block list (Debian's "CHECK_RCPT_IP_DNSBLS" wording), as a local condition
  deny    condition = \${if eq{\$received_port}{2612}}
          message = \$sender_host_address is listed at zen.spamhaus.org\nhttps://www.spamhaus.org/query/ip/\$sender_host_address
          log_message = \$sender_host_address is listed at zen.spamhaus.org
  require message = relay not permitted
          domains = +local_domains
  deny    recipients = blocked@capture.test
  require verify = recipient
  require verify = sender
  accept

acl_data:
  accept  condition = \${if eq{\$received_port}{2600}}
  deny    condition = \${if match{\$h_subject:}{CAPTURE-SPAM-TEST}}
          message = Message content rejected: spam subject
  deny    condition = \${if match{\$message_body}{CAPTURE-VIRUS-SIGNATURE}}
          message = This message contains a virus (Eicar-Test-Signature).
  accept

begin routers

# everything that is not local goes to the sink on 127.0.0.1 (no DNS: an IP literal route)
to_sink:
  driver = manualroute
  domains = ! +local_domains : *.test : client.example.org : elsewhere.example
  route_list = * 127.0.0.1
  self = send
  transport = to_sink
  no_more

aliases:
  driver = redirect
  domains = +local_domains
  data = \${lookup{\$local_part}lsearch{$ETC/aliases}}

begin transports

to_sink:
  driver = smtp
  port = \${lookup{\$domain}lsearch{$ETC/ports}{\$value}{$SINK_PORT}}
  allow_localhost
  hosts_avoid_tls = *
  connect_timeout = 5s
  command_timeout = 8s
  data_timeout = 8s
  final_timeout = 8s

begin retry

*   *   F,40s,8s

begin authenticators

plain_server:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = false
  server_set_id = \$auth2

login_server:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = false
  server_set_id = \$auth1
EOF

VERSION=$($EXIM -C "$ETC/exim.conf" -bV 2>/dev/null | sed -n "s/^Exim version \([^ ]*\).*/\1/p" || true)
log "exim $VERSION ($DEBVER), run dir $RUN"
$EXIM -C "$ETC/exim.conf" -bV >"$RUN/exim-bV.out" 2>&1 || { cat "$RUN/exim-bV.out"; exit 1; }

start_sink "$RUN"
$EXIM -C "$ETC/exim.conf" -bdf -q4s >"$RUN/exim.out" 2>&1 &
PIDS+=($!)
wait_port 2602 15

log "server role"
$PY "$TOOLS/server_cases.py" --mta $MTA --cases "$TOOLS/server-cases.tsv" \
    --log "$RUN/log/mainlog" --log "$RUN/log/rejectlog" --log "$RUN/log/paniclog" \
    --port main=2602 --port blocked=2612 --port tls=2622 --port limits=2632 --port auth=2642 \
    --out "$RUN/server.jsonl"
cp "$RUN/log/mainlog" "$RUN/server.log"
cp "$RUN/log/rejectlog" "$RUN/server-rejectlog.log" 2>/dev/null || true
SERVER_END=$(wc -c <"$RUN/log/mainlog")

log "client role: submitting"
submit_client_cases 2600 $MTA "$RUN"
queue_empty() { [ -z "$($EXIM -C "$ETC/exim.conf" -bp 2>/dev/null | head -1)" ]; }
sleep 5
log "client role: waiting for the queue to drain (retry rule F,40s,8s)"
wait_until 180 queue_empty || log "queue not empty after 180 s"
sleep 2
tail -c +$((SERVER_END + 1)) "$RUN/log/mainlog" >"$RUN/client.log"
cleanup_pids

$PY "$TOOLS/collect.py" --mta $MTA --version "$VERSION" --debversion "$DEBVER" --run "$RUN" --out "$OUT" \
    --log "server-rejectlog.log=$RUN/server-rejectlog.log" --log "paniclog.log=$RUN/log/paniclog"
log "done"
