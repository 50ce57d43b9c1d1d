#!/bin/sh
# Build and run the whole test suite: the README's "run the tests" command.
set -eu
cd "$(dirname "$0")/.."
[ -d build ] || meson setup build
meson compile -C build
meson test -C build --print-errorlogs
