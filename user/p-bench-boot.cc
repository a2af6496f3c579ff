// p-bench-boot.cc — boot-time marker: the first thing the first user
// program does is send a marker line to the serial port; the host
// (scripts/bench.py) timestamps its arrival relative to QEMU's start.
#include "bench.hh"

void process_main() {
    static const char marker[] = "bench-boot-marker\n";
    sys_serial_write(marker, sizeof(marker) - 1);
    sys_exit(0);
}
