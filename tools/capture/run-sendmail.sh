#!/bin/bash
# Capture Sendmail (Debian 12 sendmail-bin/-base/-cf, unpacked under /opt/capture/sendmail).
# Two daemons from two .mc files built with the package's own m4 files:
#   server.cf  on 2603: the MX under test (no relaying for 127.0.0.1, access table rejects)
#   client.cf  on 2600: the relay that delivers the client-role cases to the sink
# Sendmail only logs to syslog: syslog_listener.py serves /dev/log while the script runs (it
# refuses to run if /dev/log exists, and removes its socket when it stops).
# Usage: tools/capture/run-sendmail.sh        (from a clean state; about 2 minutes)
SCRIPT_NAME=sendmail
. "$(dirname "$0")/lib.sh"

MTA=sendmail
PKGS=(sendmail-base sendmail-cf sendmail-bin)
LIBS=(libdb5.3 libldap-2.5-0 liblockfile1 libnsl2 libsasl2-2 libssl3 libwrap0 m4 make)

if [ -z "${CAPTURE_NETNS:-}" ]; then
    ensure_libs "${LIBS[@]}"
    fetch_debs "${PKGS[@]}"
    unpack $MTA "${PKGS[@]}"
    ensure_user smmta smmta
    ensure_user smmsp smmsp
fi
enter_netns "$@"

ROOT=$CAP/$MTA/root
RUN=$CAP/$MTA/run
ETC=$RUN/etc
SM=$ROOT/usr/libexec/sendmail/sendmail
MAKEMAP=$ROOT/usr/libexec/sendmail/makemap
CF=$ROOT/usr/share/sendmail/cf
DEBVER=$(dpkg-deb -f "$CAP"/debs/sendmail-bin_*.deb Version)
VERSION=${DEBVER%%-*}

stop_all() { log "stopping"; cleanup_pids; }
trap stop_all EXIT
# sendmail insists on a qualified host name: set one in the private UTS namespace
[ "${CAPTURE_NETNS:-}" = 1 ] && hostname mx.sendmail.capture.test
[ -e /dev/log ] && { log "/dev/log exists: not replacing it"; exit 1; }

rm -rf "$RUN"; mkdir -p "$ETC" "$RUN/mq-server" "$RUN/mq-client"
chmod 700 "$RUN/mq-server" "$RUN/mq-client"
printf 'files\n' >"$ETC/service.switch.tmp"
printf 'hosts files\naliases files\n' >"$ETC/service.switch"
# the domains that "exist" (sendmail checks sender domains through this hosts file, not DNS)
printf '127.0.0.1 mx.sendmail.capture.test %s localhost client.example.org capture.test sink.test\n' "vm" >"$ETC/hosts"
printf 'alice: alice@sink.test\nboss: boss@sink.test\nblocked: blocked@sink.test\npostmaster: postmaster@sink.test\nroot: postmaster@sink.test\nMAILER-DAEMON: postmaster@sink.test\n' >"$ETC/aliases"
touch "$ETC/statistics"
printf 'capture.test\n' >"$ETC/local-host-names"
# simulated policy (access table; no DNS)
cat >"$ETC/access-server" <<EOF
From:spammer@client.example.org	REJECT
To:blocked@capture.test	550 5.7.1 Recipient address rejected: Access denied
From:unresolvable.invalid	553 5.1.8 Domain of sender address does not exist
To:elsewhere.example	ERROR:5.7.1:550 Relaying denied
EOF
printf 'Connect:127.0.0.1\tRELAY\nConnect:localhost\tRELAY\n' >"$ETC/access-client"
cat >"$ETC/mailertable" <<EOF
sink.test	esmtp:[127.0.0.1]
greet554.test	esmtp2526:[127.0.0.1]
greet421.test	esmtp2527:[127.0.0.1]
greetstall.test	esmtp2528:[127.0.0.1]
helo550.test	esmtp2529:[127.0.0.1]
helo421.test	esmtp2530:[127.0.0.1]
refused.test	esmtp$CLOSED_PORT:[127.0.0.1]
greetdrop.test	esmtp2532:[127.0.0.1]
EOF

mkmc() {  # mkmc NAME PORT QUEUE ACCESS
    cat <<EOF
divert(-1)
divert(0)dnl
include(\`$CF/m4/cf.m4')dnl
VERSIONID(\`capture lab $1')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.sendmail.capture.test')dnl
define(\`confCF_VERSION', \`capture')dnl
define(\`QUEUE_DIR', \`$3')dnl
define(\`STATUS_FILE', \`$ETC/statistics')dnl
define(\`ALIAS_FILE', \`$ETC/aliases')dnl
define(\`confSERVICE_SWITCH_FILE', \`$ETC/service.switch')dnl
define(\`confHOSTS_FILE', \`$ETC/hosts')dnl
define(\`confCW_FILE', \`$ETC/local-host-names')dnl
define(\`confPID_FILE', \`$RUN/$1.pid')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confBIND_OPTS', \`-DNSRCH -DEFNAMES')dnl
define(\`confLOG_LEVEL', \`9')dnl
define(\`confMAX_MESSAGE_SIZE', \`50000')dnl
define(\`confMAX_RCPTS_PER_MESSAGE', \`2')dnl
define(\`confPRIVACY_FLAGS', \`authwarnings')dnl
define(\`confTO_ICONNECT', \`5s')dnl
define(\`confTO_CONNECT', \`5s')dnl
define(\`confTO_INITIAL', \`8s')dnl
define(\`confTO_HELO', \`8s')dnl
define(\`confTO_MAIL', \`8s')dnl
define(\`confTO_RCPT', \`8s')dnl
define(\`confTO_DATAINIT', \`8s')dnl
define(\`confTO_DATABLOCK', \`8s')dnl
define(\`confTO_DATAFINAL', \`8s')dnl
define(\`confTO_QUEUEWARN', \`15s')dnl
define(\`confTO_QUEUERETURN', \`40s')dnl
define(\`confMIN_QUEUE_AGE', \`0')dnl
define(\`confDELIVERY_MODE', \`background')dnl
define(\`confRUN_AS_USER', \`smmta:smmta')dnl
define(\`confTRUSTED_USER', \`smmta')dnl
define(\`confDEF_USER_ID', \`smmta:smmta')dnl
define(\`confDONT_BLAME_SENDMAIL', \`GroupWritableDirPathSafe,GroupReadableKeyFile,ForwardFileInGroupWritableDirPath,NonRootSafeAddr')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h $SINK_PORT')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`blocklist_recipients')dnl
FEATURE(\`mailertable', \`hash -o $ETC/mailertable')dnl
FEATURE(\`access_db', \`hash -T<TMPF> -o $ETC/$4')dnl
DAEMON_OPTIONS(\`Port=$2, Addr=127.0.0.1, Name=MTA-$1')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
MAILER_DEFINITIONS
EOF
    for p in 2526 2527 2528 2529 2530 $CLOSED_PORT 2532; do
        printf 'Mesmtp%s,\tP=[IPC], F=mDFMuXa, S=EnvFromSMTP/HdrFromSMTP, R=EnvToSMTP, E=\\r\\n, L=990,\n\t\tT=DNS/RFC822/SMTP,\n\t\tA=TCP $h %s\n' $p $p
    done
}
mkmc server 2603 "$RUN/mq-server" access-server >"$ETC/server.mc"
mkmc client 2600 "$RUN/mq-client" access-client >"$ETC/client.mc"
for n in server client; do m4 "$ETC/$n.mc" >"$ETC/$n.cf"; done
for m in access-server access-client mailertable; do $MAKEMAP -C "$ETC/server.cf" hash "$ETC/$m" <"$ETC/$m"; done
chown -R smmta:smmta "$RUN/mq-server" "$RUN/mq-client"
$SM -C "$ETC/server.cf" -bi >/dev/null 2>&1 || true

log "sendmail $VERSION ($DEBVER), run dir $RUN"
$PY "$TOOLS/syslog_listener.py" --out "$RUN/syslog.log" --host mx.sendmail.capture.test --max-runtime 600 &
PIDS+=($!)
for i in $(seq 1 30); do [ -S /dev/log ] && break; sleep 0.1; done
start_sink "$RUN"
$SM -C "$ETC/server.cf" -bD -q5s -L sm-mta >"$RUN/server.out" 2>&1 &
PIDS+=($!)
$SM -C "$ETC/client.cf" -bD -q5s -L sm-mta-client >"$RUN/client.out" 2>&1 &
PIDS+=($!)
wait_port 2603 20
wait_port 2600 20

log "server role"
$PY "$TOOLS/server_cases.py" --mta $MTA --cases "$TOOLS/server-cases.tsv" --log "$RUN/syslog.log" \
    --port main=2603 --port limits=2603 --out "$RUN/server.jsonl"
cp "$RUN/syslog.log" "$RUN/server.log"
SERVER_END=$(wc -c <"$RUN/syslog.log")

log "client role: submitting"
submit_client_cases 2600 $MTA "$RUN"
queue_empty() { [ -z "$(find "$RUN/mq-client" -name 'qf*' 2>/dev/null | head -1)" ]; }
sleep 5
log "client role: waiting for the queue to drain (Timeout.queuereturn=40s)"
wait_until 150 queue_empty || log "queue not empty after 150 s"
sleep 3
tail -c +$((SERVER_END + 1)) "$RUN/syslog.log" >"$RUN/client.log"
cleanup_pids

$PY "$TOOLS/collect.py" --mta $MTA --version "$VERSION" --debversion "$DEBVER" --run "$RUN" --out "$OUT"
log "done"
