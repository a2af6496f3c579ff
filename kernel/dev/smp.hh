// smp.hh — starting the other CPUs.
//
// The boot CPU starts each application processor in turn with
// INIT-SIPI-SIPI through boot/ap-trampoline.S, waits for it to report in,
// then starts the next. `ncpu` ends as the number that came up (limited by
// the MADT, MAXCPU and the `ncpu=N` command-line word).
#pragma once

struct madt_info;
void smp_start(const madt_info& madt);
// Panic path: stop every other started CPU with an NMI (each one counts
// itself in smp_cpu_stopped and halts) and wait, a bounded time, until
// they have; true if all did. smp_report_stopped prints how many.
bool smp_stop_others();
[[noreturn]] void smp_cpu_stopped();    // in the NMI handler
void smp_report_stopped();
