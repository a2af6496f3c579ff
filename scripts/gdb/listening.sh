#!/bin/sh
# listening.sh PORT — succeed if a TCP socket on this machine listens on PORT.
# `make gdb` asks before starting gdb, so that with no QEMU waiting it fails
# at once with a hint instead of gdb's 20-second connection timeout.
# Easy to get wrong: it must not connect (QEMU's gdb stub takes one
# connection), so it reads the kernel's socket tables: state 0A is LISTEN,
# the local port is the hex number after the colon of the second field.
port=$(printf '%04X' "$1") || exit 2
cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    awk -v port="$port" '$4 == "0A" && substr($2, length($2) - 3) == port { found = 1 }
        END { exit !found }'
