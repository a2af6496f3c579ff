// timer.cc — APIC timer calibration, ticks and msleep (see timer.hh).
#include "timer.hh"
#include "apic.hh"
#include "arch/insns.hh"
#include "cmdline.hh"
#include "cpustate.hh"
#include "log.hh"
#include "memviewer.hh"
#include "waitqueue.hh"

std::atomic<uint64_t> ticks;
unsigned hz = 100;
uint64_t tsc_hz;
wait_queue timer_queue;

namespace {
uint32_t lapic_ticks_per_second;
constexpr uint32_t pit_hz = 1193182;
}

void timer_calibrate() {
    long requested = cmdline_number("hz", 100);
    hz = requested >= 10 && requested <= 20000 ? unsigned(requested) : 100;

    // PIT channel 2 counts down 10 ms once its gate (port 0x61 bit 0) rises;
    // its output (bit 5) goes high when it reaches zero.
    constexpr uint32_t pit_count = pit_hz / 100;
    outb(0x61, (inb(0x61) & ~0x02) & ~0x01);    // gate low, speaker off
    outb(0x43, 0xB0);                           // channel 2, lo/hi byte, mode 0
    outb(0x42, pit_count & 0xFF);
    outb(0x42, pit_count >> 8);
    lapic_timer_oneshot_max();
    uint32_t apic_start = lapic_timer_current();
    uint64_t tsc_start = rdtsc();
    outb(0x61, inb(0x61) | 0x01);               // gate high: go
    while (!(inb(0x61) & 0x20)) {
        pause();
    }
    uint32_t apic_elapsed = apic_start - lapic_timer_current();
    uint64_t tsc_elapsed = rdtsc() - tsc_start;
    lapic_ticks_per_second = apic_elapsed * 100;
    tsc_hz = tsc_elapsed * 100;
    assert(lapic_ticks_per_second > hz, "APIC timer calibration failed");
    log_printf(log_level::info, "timer: %u Hz ticks; APIC timer %u kHz, TSC %lu MHz\n",
               hz, lapic_ticks_per_second / 1000, (unsigned long) (tsc_hz / 1000000));
}

void timer_init_cpu() {
    lapic_timer_start(lapic_ticks_per_second / hz);
}

[[gnu::hot]] void timer_tick() {
    cpustate* c = this_cpu();
    ++c->ticks_;
    if (c->index_ == 0) {
        ++ticks;
        timer_queue.wake_all();
        memviewer_tick(ticks);
    }
}

uint64_t timer_deadline(unsigned ms) {
    uint64_t now = ticks;
    return ms ? now + (uint64_t(ms) * hz + 999) / 1000 + 1 : now;
}

void msleep(unsigned ms) {
    uint64_t deadline = timer_deadline(ms);
    waiter w;
    w.block_until(timer_queue, [&] { return ticks >= deadline; });
}

void delay_us(uint64_t us) {
    uint64_t end = rdtsc() + tsc_hz / 1000000 * us;
    while (rdtsc() < end) {
        pause();
    }
}
