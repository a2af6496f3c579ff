// p-act-bench.cc — what an activation costs, in TSC cycles (medians).
//   entry->handler: slot->entry_tsc (the kernel's TSC at interrupt entry)
//                   to the first rdtsc in the handler;
//   fast resume:    the handler's rdtsc to the first rdtsc in the
//                   interrupted loop after act_resume (fast path);
//   exact resume:   the same through sys_act_resume.
// Prints numbers only (not a pass/fail test of speed). The main loop's
// rdtsc comes right after it notices a new activation, so each resume
// sample includes at most one loop iteration.
//! cmdline: hz=2000
//! ncpu: 1
//! timeout: 60
#include "u-lib.hh"
#include "u-activation.hh"

#define NSAMPLES 600

extern "C" {
volatile int use_exact;
volatile uint64_t seq;
volatile uint64_t handler_tsc;
volatile uint64_t entry_cycles[NSAMPLES];
volatile unsigned nentry;

__attribute__((target("general-regs-only")))
void activation_entry(void* slotp) {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t now = (uint64_t(hi) << 32) | lo;
    auto* slot = static_cast<act_slot*>(slotp);
    unsigned n = nentry;
    if (n < NSAMPLES && slot->entry_tsc != 0 && slot->entry_tsc < now) {
        entry_cycles[n] = now - slot->entry_tsc;
        nentry = n + 1;
    }
    handler_tsc = now;
    seq = seq + 1;
    int r = use_exact ? sys_act_resume(slotp) : act_resume(slotp);
    panic("resume failed: %d", r);
}
}

namespace {
inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

uint64_t median(uint64_t* v, unsigned n) {
    if (n == 0) {
        return 0;
    }
    for (unsigned i = 1; i < n; ++i) {          // insertion sort
        uint64_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; --j) {
            v[j] = v[j - 1];
        }
        v[j] = x;
    }
    return v[n / 2];
}

uint64_t samples[NSAMPLES];

uint64_t measure_resume(bool exact) {
    use_exact = exact;
    uint64_t seen = seq;
    unsigned n = 0;
    while (n < NSAMPLES) {
        uint64_t s = seq;
        uint64_t now = rdtsc();
        if (s != seen) {
            uint64_t h = handler_tsc;
            if (s == seen + 1 && now > h) {     // skip if two came at once
                samples[n++] = now - h;
            }
            seen = s;
        }
    }
    return median(samples, n);
}
}  // namespace

void process_main() {
    uint64_t fast = measure_resume(false);
    uint64_t exact = measure_resume(true);
    unsigned n = nentry;
    for (unsigned i = 0; i < n; ++i) {
        samples[i] = entry_cycles[i];
    }
    uint64_t entry = median(samples, n);
    console_printf("act-bench: entry->handler %lu cycles, fast resume %lu cycles, "
                   "exact resume %lu cycles\n",
                   (unsigned long) entry, (unsigned long) fast, (unsigned long) exact);
    if (n == 0) {
        console_printf("act-bench: the kernel fills no entry_tsc\n");
    }
    console_printf("act-bench succeeded!\n");
}
