// smp.hh — starting the other CPUs.
//
// The boot CPU starts each application processor in turn with
// INIT-SIPI-SIPI through boot/ap-trampoline.S, waits for it to report in,
// then starts the next. `ncpu` ends as the number that came up (limited by
// the MADT, MAXCPU and the `ncpu=N` command-line word).
#pragma once

struct madt_info;
void smp_start(const madt_info& madt);
// Panic path: stop every other CPU with an NMI (each one counts itself in
// smp_cpu_stopped and halts), then report how many stopped.
void smp_stop_others();
void smp_cpu_stopped();                 // in the NMI handler; does not return
void smp_report_stopped();
