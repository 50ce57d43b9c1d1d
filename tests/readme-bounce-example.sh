#!/bin/sh
# The README's bounce-reader example must compile against the public header and
# run: extract the ```c block that calls smtp_reply_bounce_open, build it
# against the freshly built library, run it on examples/data/bounce-postfix.eml
# and compare its output with the output the README shows.
# usage: readme-bounce-example.sh README.md INCLUDE_DIR LIB_DIR MAIL
set -eu
readme=$1 inc=$2 libdir=$3 mail=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^```c$/ {on=1; buf=""; next} on && /^```$/ {on=0; if (buf ~ /smtp_reply_bounce_open/) {printf "%s", buf; exit}; next} on {buf = buf $0 "\n"}' \
    "$readme" > "$tmp/example.c"
[ -s "$tmp/example.c" ] || { echo "no bounce example in $readme"; exit 1; }
cc=${CC:-cc}
$cc -std=c99 -Wall -Wextra -Werror -I"$inc" "$tmp/example.c" -L"$libdir" -lsmtpreply \
    -Wl,-rpath,"$libdir" -o "$tmp/example"
"$tmp/example" "$mail" > "$tmp/out"
cat "$tmp/out"
# the README's shown output: the plain block right after "On [`examples/data/bounce-postfix.eml`]"
awk '/^On \[`examples\/data\/bounce-postfix.eml`\]/ {seen=1} seen && /^```$/ {if (on) exit; on=1; next} on {print}' \
    "$readme" > "$tmp/want"
[ -s "$tmp/want" ] || { echo "no example output in $readme"; exit 1; }
diff -u "$tmp/want" "$tmp/out"
echo "1 passed, 0 failed"
