#!/bin/sh
# The README's C example must compile against the public header and run:
# extract the first ```c block, build it against the freshly built library, run it.
# usage: readme-example.sh README.md INCLUDE_DIR LIB_DIR
set -eu
readme=$1 inc=$2 libdir=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^```c$/ {on=1; next} on && /^```$/ {exit} on {print}' "$readme" > "$tmp/example.c"
[ -s "$tmp/example.c" ] || { echo "no C example in $readme"; exit 1; }
cc=${CC:-cc}
$cc -std=c99 -Wall -Wextra -Werror -I"$inc" "$tmp/example.c" -L"$libdir" -lsmtpreply \
    -Wl,-rpath,"$libdir" -o "$tmp/example"
"$tmp/example" > "$tmp/out"
cat "$tmp/out"
grep -q '^550 5.7.26 auth_failed (permanent)$' "$tmp/out"
grep -q 'provider: google' "$tmp/out"
echo "1 passed, 0 failed"
