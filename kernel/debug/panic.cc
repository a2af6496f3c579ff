// panic.cc — panic, assertion failures, and symbolized backtraces.
//
// Easy to get wrong: a panic can happen anywhere — with the console lock
// held, inside an interrupt, on two CPUs at once. Only the first CPU to
// panic prints; it prints with the forced console path; others stop.
#include <atomic>
#include "assert.hh"
#include "arch/insns.hh"
#include "backtrace.hh"
#include "console.hh"
#include "power.hh"
#include "printf.hh"
#include "smp.hh"
#include "symtab.hh"
#include "vm.hh"

namespace {

std::atomic<uint64_t> panicking_cpu{0};     // GS base of the panicking CPU

struct forced_printer : printer {
    char buf[160];
    size_t n = 0;
    void flush() {
        console_write_forced(buf, n);
        n = 0;
    }
};
void forced_putc(printer* self, char ch) {
    auto* p = static_cast<forced_printer*>(self);
    p->buf[p->n++] = ch;
    if (p->n == sizeof(p->buf) || ch == '\n') {
        p->flush();
    }
}

}  // namespace

void panic_printf(const char* fmt, ...) {
    forced_printer p;
    p.putc = forced_putc;
    va_list ap;
    va_start(ap, fmt);
    vformat(&p, fmt, ap);
    va_end(ap);
    p.flush();
}

bool backtrace_frame_ok(uint64_t rbp) {
    // Frames live on kernel stacks: the kernel image (boot stack, cpustate)
    // or the direct map (task stacks). Anything else ends the walk, and so
    // does an address in those ranges that is not mapped: a corrupt RBP
    // must not fault inside the panic.
    if (rbp % 8 != 0 || !(rbp >= KERNEL_TEXT_BASE
                          || (rbp >= KERNEL_DIRECT_BASE
                              && rbp < KERNEL_DIRECT_BASE + (uint64_t(1) << 40)))) {
        return false;
    }
    // The frame's two words, rbp and rbp + 8, lie in one page (8-aligned).
    return !kernel_pagetable || vmiter(kernel_pagetable, rbp).present();
}

void print_backtrace(uint64_t rbp, uint64_t rip) {
    panic_printf("Backtrace:\n");
    for (int depth = 0; depth < 32 && rip != 0; ++depth) {
        symbol_match m = symbol_lookup(rip);
        if (m.name) {
            panic_printf("  #%d  %p  %s+0x%lx\n", depth, (void*) rip, m.name, m.offset);
        } else {
            panic_printf("  #%d  %p  ?\n", depth, (void*) rip);
        }
        if (!backtrace_frame_ok(rbp)) {
            break;
        }
        auto* frame = reinterpret_cast<const uint64_t*>(rbp);
        rbp = frame[0];
        rip = frame[1];
        // Report the call instruction, not the return address after it.
        if (rip) {
            rip -= 1;
        }
    }
}

bool panic_enter() {
    cli();
    // Which CPU panics: its GS base (this CPU's cpustate) is readable from
    // anywhere in the kernel, even where this_cpu() would assert.
    uint64_t self = rdmsr(MSR_IA32_GS_BASE) | 1;     // never 0, even at boot
    uint64_t expected = 0;
    if (!panicking_cpu.compare_exchange_strong(expected, self)) {
        if (expected == self) {
            // A fault inside the panic path itself (a bad frame, say):
            // say so and end the run, rather than halting in silence.
            const char text[] = "\nPANIC: nested fault while panicking\n";
            console_write_forced(text, sizeof(text) - 1);
            finish_run(false);
        }
        return false;                   // another CPU panics; it stops us
    }
    // Nothing else runs, or prints, from here.
    if (smp_stop_others()) {
        console_panic_alone();
    }
    return true;
}

[[noreturn]] void panic_finish() {
    smp_report_stopped();
    finish_run(false);
}

void panic(const char* fmt, ...) {
    if (!panic_enter()) {
        halt_forever();
    }
    forced_printer p;
    p.putc = forced_putc;
    format(&p, "PANIC: ");
    va_list ap;
    va_start(ap, fmt);
    vformat(&p, fmt, ap);
    va_end(ap);
    p.flush();
    panic_printf("\n");
    // Start at panic's caller: its return address and its saved frame.
    auto* frame = static_cast<const uint64_t*>(__builtin_frame_address(0));
    print_backtrace(frame[0], frame[1] - 1);
    panic_finish();
    __builtin_unreachable();
}

void assert_fail(const char* file, int line, const char* expr, const char* message) {
    if (message) {
        panic("%s:%d: assertion '%s' failed: %s", file, line, expr, message);
    }
    panic("%s:%d: assertion '%s' failed", file, line, expr);
}

void assert_op_fail(const char* file, int line, const char* expr,
                    unsigned long long a, unsigned long long b) {
    panic("%s:%d: assertion '%s' failed (left %llu = 0x%llx, right %llu = 0x%llx)",
          file, line, expr, a, a, b, b);
}
