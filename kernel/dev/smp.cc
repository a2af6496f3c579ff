// smp.cc — application-processor start-up (see smp.hh).
#include "smp.hh"
#include <atomic>
#include "acpi.hh"
#include "apic.hh"
#include "arch/descriptors.hh"
#include "backtrace.hh"
#include "cmdline.hh"
#include "cpustate.hh"
#include "log.hh"
#include "kaddr.hh"
#include "string.hh"
#include "timer.hh"
#include "vm.hh"

extern "C" char ap_trampoline_start[], ap_trampoline_end[];
extern "C" uint64_t ap_cr3, ap_stack, ap_entry_address, ap_cpu_index;
extern "C" char boot_pml4[];

namespace {

constexpr uint64_t trampoline_pa = 0x8000;

// Address of a trampoline data field in the copy at trampoline_pa.
uint64_t* trampoline_field(uint64_t& field) {
    uintptr_t offset = reinterpret_cast<uintptr_t>(&field)
        - reinterpret_cast<uintptr_t>(ap_trampoline_start);
    return pa2kptr<uint64_t>(trampoline_pa + offset);
}

}  // namespace

void cpu_init_common(cpustate* c);

// called from assembly (boot/ap-trampoline.S), on cpus[index]'s CPU stack
extern "C" [[noreturn]] void ap_entry(int index) {
    cpustate* c = &cpus[index];
    c->init_early(index);
    cpu_init_common(c);
    c->started_ = true;
    c->enter_schedule();
}

void smp_start(const madt_info& madt) {
    int limit = int(cmdline_number("ncpu", MAXCPU));
    limit = limit < 1 ? 1 : limit > MAXCPU ? MAXCPU : limit;
    uint32_t self = lapic_id();
    cpus[0].lapic_id_ = self;
    memcpy(pa2kptr<void>(trampoline_pa), ap_trampoline_start,
           ap_trampoline_end - ap_trampoline_start);
    *trampoline_field(ap_cr3) = kva2pa(boot_pml4);
    *trampoline_field(ap_entry_address) = reinterpret_cast<uint64_t>(ap_entry);

    for (int i = 0; i < madt.ncpus && ncpu < limit; ++i) {
        uint32_t id = madt.lapic_ids[i];
        if (id == self) {
            continue;
        }
        cpustate* c = &cpus[ncpu];
        c->lapic_id_ = id;
        c->index_ = ncpu;
        *trampoline_field(ap_stack) = c->stack_top();
        *trampoline_field(ap_cpu_index) = ncpu;
        std::atomic_thread_fence(std::memory_order_seq_cst);
        lapic_send_init(id);
        delay_us(10000);
        for (int sipi = 0; sipi < 2 && !c->started_; ++sipi) {
            lapic_send_startup(id, trampoline_pa >> 12);
            delay_us(200);
        }
        // Wait up to a second for the CPU to report in.
        for (int waited = 0; waited < 100000 && !c->started_; ++waited) {
            delay_us(10);
        }
        if (!c->started_) {
            log_printf(log_level::warn, "smp: CPU with APIC id %u did not start\n", id);
            c->index_ = -1;
            continue;
        }
        ++ncpu;
    }
}

namespace {
std::atomic<int> cpus_stopped{0};
int cpus_asked = 0;
}

bool smp_stop_others() {
    // Only CPUs this kernel started: an NMI to one still parked in the
    // firmware (ncpu= below -smp, more than MAXCPU, one that did not come
    // up) would triple-fault the machine and lose the panic.
    for (int i = 0; i < ncpu; ++i) {        // cpus[0, ncpu) all came up
        if (&cpus[i] != this_cpu()) {
            lapic_send_nmi(cpus[i].lapic_id_);
            ++cpus_asked;
        }
    }
    // A CPU takes the NMI within microseconds of running, even with
    // interrupts off; but a virtual CPU runs only when its host thread does,
    // and on a loaded host (TCG, more vCPUs than cores) that thread can wait
    // tens of milliseconds: 0.1 s lost the report that way. The bound (about
    // 1 s at the TSC rates QEMU reports) only keeps a wedged CPU from
    // hiding the panic.
    for (uint64_t start = rdtsc();
         cpus_stopped.load() < cpus_asked && rdtsc() - start < (uint64_t(1) << 31);) {
        pause();
    }
    return cpus_stopped.load() == cpus_asked;
}

void smp_cpu_stopped() {
    cpus_stopped.fetch_add(1);
    halt_forever();
}

void smp_report_stopped() {
    if (cpus_asked > 0) {
        panic_printf("panic: %d of %d other CPUs stopped\n", cpus_stopped.load(), cpus_asked);
    }
}
