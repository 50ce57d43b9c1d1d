#!/bin/sh
# Quick start on a fresh Debian 12 machine: install the build tools, build, and
# classify the sample replies in examples/data/sample-replies.txt.
set -eu
cd "$(dirname "$0")/.."
need=""
command -v meson >/dev/null 2>&1 || need="$need meson"
command -v ninja >/dev/null 2>&1 || need="$need ninja-build"
command -v cc >/dev/null 2>&1 || need="$need build-essential"
command -v pkg-config >/dev/null 2>&1 || need="$need pkgconf"
command -v python3 >/dev/null 2>&1 || need="$need python3"
pkg-config --exists check 2>/dev/null || need="$need check"
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $need
fi
[ -d build ] || meson setup build
meson compile -C build
./build/tools/smtpreply < examples/data/sample-replies.txt
