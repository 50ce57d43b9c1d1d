#!/bin/bash
# Run the whole capture lab from a clean state: the four MTAs in both roles, then the client
# libraries, then rebuild tests/captured/lines.tsv.  Each script starts and stops its own servers.
# Usage: tools/capture/run-all.sh        (about 10 minutes)
set -uo pipefail
TOOLS=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "$TOOLS/../.." && pwd)/tests/captured
start=$(date +%s)
status=0
for s in run-postfix.sh run-exim.sh run-sendmail.sh run-opensmtpd.sh run-clients.sh; do
    t0=$(date +%s)
    if timeout 900 bash "$TOOLS/$s"; then r=ok; else r="FAILED ($?)"; status=1; fi
    echo "[run-all] $s: $r in $(( $(date +%s) - t0 )) s" >&2
done
/usr/bin/python3 "$TOOLS/merge.py" "$OUT"
echo "[run-all] total $(( $(date +%s) - start )) s" >&2
exit $status
