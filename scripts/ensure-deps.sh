#!/bin/sh
# ensure-deps.sh WHAT... — make sure the tools for WHAT are installed
# (qemu, iso, uefi, gdb, gtest, all), installing them if missing.
# Calls scripts/install-deps.sh only when something is actually missing,
# so it costs nothing on a machine that is set up.
missing=
for what in "$@"; do
    case $what in
    qemu) command -v qemu-system-x86_64 >/dev/null || missing="$missing qemu" ;;
    iso)  { command -v grub-mkrescue >/dev/null && command -v xorriso >/dev/null \
            && command -v mformat >/dev/null && [ -d /usr/lib/grub/i386-pc ]; } || missing="$missing iso" ;;
    uefi) { [ -d /usr/lib/grub/x86_64-efi ] && [ -e "$(python3 "$(dirname "$0")/qemucmd.py" ovmf)" ]; } || missing="$missing uefi" ;;
    gdb)  command -v gdb >/dev/null || missing="$missing gdb" ;;
    gtest) [ -e /usr/include/gtest/gtest.h ] || missing="$missing gtest" ;;
    all)  exec "$0" qemu iso uefi gdb gtest ;;
    esac
done
[ -z "$missing" ] && exit 0
echo "Missing:$missing — installing." >&2
exec "$(dirname "$0")/install-deps.sh"
