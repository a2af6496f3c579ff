#!/bin/sh
# install-deps.sh — install everything Nuthatch's build, run, debug and test
# targets use. On Debian/Ubuntu: apt-get (directly as root, else with sudo).
# Elsewhere: prints what to install.
set -e
packages="build-essential python3 qemu-system-x86 grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ovmf gdb libgtest-dev cpio e2fsprogs"
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        sudo=
    elif command -v sudo >/dev/null 2>&1; then
        sudo=sudo
    else
        echo "install-deps: need root or sudo to run apt-get install $packages" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends $packages
else
    cat >&2 <<MSG
install-deps: this is not a Debian/Ubuntu system. Please install:
  a C++ compiler (g++ 12 or newer, or x86_64-elf-g++ with CCPREFIX=x86_64-elf-),
  GNU make, python3, QEMU (qemu-system-x86_64), GRUB 2 for i386-pc and
  x86_64-efi with grub-mkrescue, xorriso, mtools, OVMF firmware, gdb,
  GoogleTest, GNU cpio (only a test of the benchmark's initramfs writer uses it) and
  e2fsprogs (mkfs.ext4, for the benchmark's Linux disk guest).
MSG
    exit 1
fi
