// timer.hh — time: the local APIC timer's ticks, calibration, sleeping.
//
// Every CPU's local APIC timer interrupts HZ times a second (default 100;
// `hz=N` on the command line changes it). CPU 0's ticks are the global
// clock `ticks`. Calibration measures the APIC timer and the TSC against
// the PIT, whose frequency is fixed by the hardware (1193182 Hz).
// Easy to get wrong: `ticks` is advanced by CPU 0 only; per-CPU counts are
// in cpustate::ticks_.
#pragma once
#include <atomic>
#include <stdint.h>

extern std::atomic<uint64_t> ticks;
extern unsigned hz;
extern uint64_t tsc_hz;             // TSC frequency, from calibration

void timer_calibrate();             // once, on CPU 0
void timer_init_cpu();              // start this CPU's periodic timer
void timer_tick();                  // from the interrupt handler

// Block the current task for at least `ms` milliseconds.
void msleep(unsigned ms);
// The tick count at which `ms` milliseconds have surely passed: whole ticks
// rounded up, plus one, since the tick in progress may be about to end.
// `ms == 0` gives the current count.
uint64_t timer_deadline(unsigned ms);
// Busy-wait (for start-up code that cannot sleep).
void delay_us(uint64_t us);

struct wait_queue;
extern wait_queue timer_queue;      // woken on every tick of CPU 0
