#!/bin/sh
# test-installed.sh - build an example against the INSTALLED library, as a user would.
#
#   test-installed.sh BUILD_DIR SOURCE_DIR [MESON]
#
# Installs the build into a temporary DESTDIR (meson install --no-rebuild --destdir),
# finds smtpreply.pc there, compiles examples/classify-one.c with
#   cc $(pkg-config --cflags --libs smtpreply)
# (PKG_CONFIG_SYSROOT_DIR points the paths into the DESTDIR), runs it on a real
# reply, and runs the installed smtpreply tool.  Also checks that the header, the
# man page and the pkg-config file were installed.  Usable from CI as it is.
# Exit 0 = pass, 1 = fail, 77 = skipped (no meson, pkg-config or C compiler).
set -u

build=${1:?build dir}
src=${2:?source dir}
MESON=${3:-${MESON:-meson}}
CC=${CC:-cc}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

command -v pkg-config >/dev/null 2>&1 || skip "pkg-config not found"
command -v "$CC" >/dev/null 2>&1 || skip "C compiler '$CC' not found"
command -v "$MESON" >/dev/null 2>&1 || [ -x "$MESON" ] || skip "meson not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smtpreply-install.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/root

# meson test builds only what the tests need: when an installed file has not been
# built yet, build everything (no test runs in parallel with this one) and retry.
if ! "$MESON" install -C "$build" --no-rebuild --destdir "$root" >"$tmp/install.log" 2>&1; then
    echo "meson install --no-rebuild failed; building everything first"
    rm -rf "$root"
    "$MESON" compile -C "$build" >"$tmp/compile.log" 2>&1 || { tail -n 40 "$tmp/compile.log"; fail "meson compile"; }
    "$MESON" install -C "$build" --no-rebuild --destdir "$root" >"$tmp/install.log" 2>&1 ||
        { cat "$tmp/install.log"; fail "meson install"; }
fi

pc=$(find "$root" -name smtpreply.pc | head -n 1)
[ -n "$pc" ] || fail "smtpreply.pc not installed"
hdr=$(find "$root" -name smtpreply.h | head -n 1)
[ -n "$hdr" ] || fail "smtpreply.h not installed"
man=$(find "$root" -path '*man1/smtpreply.1*' | head -n 1)
cli=$(find "$root" -path '*/bin/smtpreply' | head -n 1)

pcdir=$(dirname "$pc")
pkgconf() {
    PKG_CONFIG_PATH=$pcdir PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_SYSROOT_DIR=$root pkg-config "$@"
}
flags=$(pkgconf --cflags --libs smtpreply) || fail "pkg-config --cflags --libs smtpreply"
echo "pkg-config: $flags"
case " $flags " in
    *" -I$src"*) fail "pkg-config points at the source tree, not the install" ;;
esac
libdir=$(pkgconf --libs-only-L smtpreply | sed -n 's/^ *-L\([^ ]*\).*/\1/p')
[ -d "$libdir" ] || fail "library directory '$libdir' not found in the DESTDIR"

# shellcheck disable=SC2086  # $flags is a list of words
"$CC" -std=c99 -Wall -Wextra -Werror -o "$tmp/classify-one" "$src/examples/classify-one.c" $flags \
    >"$tmp/cc.log" 2>&1 || { cat "$tmp/cc.log"; fail "compiling classify-one.c against the installed header"; }

out=$(LD_LIBRARY_PATH=$libdir "$tmp/classify-one" \
    '550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table') ||
    fail "installed classify-one exited with $?"
echo "$out"
echo "$out" | grep -q '^category: *user_unknown (permanent)$' || fail "classify-one output"

# the static library too, when it was installed (default_library=both)
if [ -n "$(find "$root" -name libsmtpreply.a | head -n 1)" ]; then
    sflags=$(pkgconf --cflags --libs --static smtpreply) || fail "pkg-config --static"
    # shellcheck disable=SC2086
    "$CC" -std=c99 -o "$tmp/classify-one-static" "$src/examples/classify-one.c" \
        $(pkgconf --cflags smtpreply) "$libdir/libsmtpreply.a" >"$tmp/cc.log" 2>&1 ||
        { cat "$tmp/cc.log"; fail "linking classify-one.c with the installed static library"; }
    "$tmp/classify-one-static" '552 5.2.2 Mailbox full' | grep -q mailbox_full ||
        fail "static classify-one output"
fi

if [ -n "$cli" ]; then
    [ -n "$man" ] || fail "smtpreply.1 not installed with the tool"
    LD_LIBRARY_PATH=$libdir "$cli" --version | grep -q '^smtpreply ' || fail "installed smtpreply --version"
fi
echo "ok: built and ran classify-one against the installed library ($pc)"
