#!/usr/bin/env bash
# Builds the Debian package from a build folder, unpacks it into a temporary root (dpkg -x) and
# checks what a user would meet: the programs run from there, the desktop entry and the AppStream
# metainfo validate, the man pages, icons and completion are in place, and the dependencies were
# found by dpkg-shlibdeps.
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$work"/out/winnow_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no winnow_*.deb was made"
echo "package: $(basename "$deb"), $(du -h "$deb" | cut -f1)"

depends=$(dpkg-deb -f "$deb" Depends)
for library in libqt6core6 libtorch libopencv-core libsqlite3 libpq5; do
  grep -q "$library" <<<"$depends" || fail "Depends lacks $library: $depends"
done

root=$work/root
dpkg -x "$deb" "$root"
"$root/usr/bin/winnow-cli" --version | grep -q "winnow-cli" || fail "winnow-cli --version"
# winnow-cli hands version to winnow-train, installed beside it.
"$root/usr/bin/winnow-cli" version | grep -q "LibTorch" || fail "winnow-cli version (winnow-train)"
QT_QPA_PLATFORM=offscreen "$root/usr/bin/winnow" --version | grep -q "Winnow" || fail "winnow --version"

share=$root/usr/share
desktop-file-validate "$share/applications/org.winnow.Winnow.desktop" ||
  fail "desktop entry does not validate"
appstreamcli validate --no-net "$share/metainfo/org.winnow.Winnow.metainfo.xml" ||
  fail "metainfo does not validate"
for page in winnow winnow-cli; do
  ls "$share/man/man1/$page.1"* >/dev/null 2>&1 || fail "no man page for $page"
done
for size in 16 32 48 64 128 256; do
  [ -s "$share/icons/hicolor/${size}x${size}/apps/org.winnow.Winnow.png" ] || fail "no ${size}px icon"
done
[ -s "$share/icons/hicolor/scalable/apps/org.winnow.Winnow.svg" ] || fail "no SVG icon"
[ -s "$share/mime/packages/org.winnow.Winnow.xml" ] || fail "no MIME type"
[ -s "$share/bash-completion/completions/winnow-cli" ] || fail "no bash completion"
# The completion offers the commands winnow-cli lists itself.
completions=$(PATH="$root/usr/bin:$PATH" bash -c "source '$share/bash-completion/completions/winnow-cli'
  COMP_WORDS=(winnow-cli con); COMP_CWORD=1; _winnow_cli; echo \${COMPREPLY[*]}")
[[ $completions == *consolidate* ]] || fail "completion of 'con' gave '$completions'"
echo "package_test: all checks passed"
