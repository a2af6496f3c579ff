// smp.hh — starting the other CPUs.
//
// The boot CPU starts each application processor in turn with
// INIT-SIPI-SIPI through boot/ap-trampoline.S, waits for it to report in,
// then starts the next. `ncpu` ends as the number that came up (limited by
// the MADT, MAXCPU and the `ncpu=N` command-line word).
#pragma once

struct madt_info;
void smp_start(const madt_info& madt);
// Stop every other CPU (panic path).
void smp_stop_others();
