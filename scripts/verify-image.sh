#!/bin/sh
# verify-image.sh PASS1 FINAL — check the linked kernel image.
#
# 1. `qemu -kernel` loads the image as one flat range starting at the file
#    offset of the first loadable segment, so every PT_LOAD segment must sit
#    at the same (file offset - physical address) distance.
# 2. The symbol table added by the second link pass must not have moved any
#    code: .text must be identical in address and size in both passes.
set -e
final=$2
delta=
for pair in $(readelf -lW "$final" | awk '$1 == "LOAD" { print $2 ":" $4 }'); do
    d=$(( ${pair%%:*} - ${pair##*:} ))
    if [ -n "$delta" ] && [ "$d" != "$delta" ]; then
        echo "verify-image: loadable segments are not contiguous in the file (qemu -kernel would misload them)" >&2
        exit 1
    fi
    delta=$d
done
[ -n "$delta" ] || { echo "verify-image: no loadable segments" >&2; exit 1; }
t1=$(readelf -SW "$1" | awk '$2 == ".text" { print $4, $6 }')
t2=$(readelf -SW "$final" | awk '$2 == ".text" { print $4, $6 }')
if [ "$t1" != "$t2" ]; then
    echo "verify-image: .text moved between link passes ($t1 vs $t2)" >&2
    exit 1
fi
