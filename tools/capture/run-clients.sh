#!/bin/bash
# Capture the error texts of SMTP client libraries talking to the scripted sink:
# Python smtplib, nodemailer (npm), Perl Net::SMTP, Ruby net/smtp, PHPMailer, Jakarta Mail, Go net/smtp.
# Cases: tools/capture/clients/cases.tsv.  Output: tests/captured/clients/<library>.txt + rows.tsv.
# Usage: tools/capture/run-clients.sh        (about 1 minute once installed)
SCRIPT_NAME=clients
. "$(dirname "$0")/lib.sh"

CL=$TOOLS/clients
WORK=$CAP/clients
if [ -z "${CAPTURE_NETNS:-}" ]; then
    mkdir -p "$WORK"
    for p in ruby php-cli libphp-phpmailer libjakarta-mail-java golang-go perl-modules-5.36; do
        dpkg -s "$p" >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$p" >/dev/null 2>&1 ||
            log "could not install $p (its library is skipped)"
    done
    if [ ! -d "$WORK/node/node_modules/nodemailer" ]; then
        log "npm install nodemailer"
        mkdir -p "$WORK/node" && (cd "$WORK/node" && npm init -y >/dev/null 2>&1 && npm install --no-audit --no-fund nodemailer >/dev/null 2>&1) ||
            log "npm install nodemailer failed (skipped)"
    fi
    JCP=/usr/share/java/jakarta-mail.jar:/usr/share/java/jakarta-activation.jar
    if [ -f /usr/share/java/jakarta-mail.jar ] && command -v javac >/dev/null; then
        mkdir -p "$WORK/java" && javac -d "$WORK/java" -cp "$JCP" "$CL/JakartaMailClient.java"
    fi
    if command -v go >/dev/null; then
        mkdir -p "$WORK/go" && (cd "$WORK/go" && cp "$CL/go_netsmtp.go" main.go &&
            GOCACHE=$WORK/go/cache GO111MODULE=off GOFLAGS= go build -o go_netsmtp main.go)
    fi
fi
enter_netns "$@"

RUN=$WORK/run
rm -rf "$RUN"; mkdir -p "$RUN" "$OUT/clients"
stop_all() { log "stopping"; cleanup_pids; }
trap stop_all EXIT
start_sink "$RUN"
for p in 2526 2527 2528 2529 2530 2532; do wait_port $p 5; done

CASES=$CL/cases.tsv
JCP=/usr/share/java/jakarta-mail.jar:/usr/share/java/jakarta-activation.jar
run_lib() {  # run_lib NAME CMD...
    local name=$1; shift
    log "$name"
    if timeout 120 "$@" "$CASES" >"$RUN/$name.txt" 2>"$RUN/$name.err"; then :; else log "$name exited $? (see $RUN/$name.err)"; fi
    cp "$RUN/$name.txt" "$OUT/clients/$name.txt"
}
run_lib python-smtplib $PY "$CL/py_smtplib.py"
[ -d "$WORK/node/node_modules/nodemailer" ] && NODEMAILER_DIR=$WORK/node run_lib nodemailer node "$CL/node_nodemailer.js"
run_lib perl-net-smtp perl "$CL/perl_netsmtp.pl"
command -v ruby >/dev/null && run_lib ruby-net-smtp ruby "$CL/ruby_netsmtp.rb"
[ -f /usr/share/php/libphp-phpmailer/autoload.php ] && command -v php >/dev/null && run_lib phpmailer php "$CL/php_phpmailer.php"
[ -f "$WORK/java/JakartaMailClient.class" ] && run_lib jakarta-mail java -cp "$WORK/java:$JCP" JakartaMailClient
[ -x "$WORK/go/go_netsmtp" ] && run_lib go-net-smtp "$WORK/go/go_netsmtp"
cleanup_pids
cp "$RUN/sink-events.jsonl" "$OUT/clients/sink-events.jsonl"
$PY "$TOOLS/client_rows.py" "$CASES" "$OUT/clients" "$RUN/sink-events.jsonl"
$PY "$TOOLS/merge.py" "$OUT"
log "done"
