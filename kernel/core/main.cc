// main.cc — kernel_start: from the boot stub's jump to a running system.
//
// Order matters: GSBASE first (locks count per CPU), constructors, console,
// boot information (nothing after this may guess at memory), then the rest.
#include "acpi.hh"
#include "apic.hh"
#include "arch/cpufeatures.hh"
#include "arch/descriptors.hh"
#include "arch/insns.hh"
#include "bootinfo.hh"
#include "chkfs.hh"
#include "cmdline.hh"
#include "console.hh"
#include "cpustate.hh"
#include "kalloc.hh"
#include "keyboard.hh"
#include "ktest.hh"
#include "log.hh"
#include "kaddr.hh"
#include "memviewer.hh"
#include "power.hh"
#include "ahci.hh"
#include "init.hh"
#include "pci.hh"
#include "interrupts.hh"
#include "proc.hh"
#include "process.hh"
#include "smp.hh"
#include "string.hh"
#include "syscall.hh"
#include "timer.hh"
#include "version.h"
#include "vfs.hh"
#include "vm.hh"

boot_info kernel_boot_info;
extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();

namespace {

// The boot page tables map physical [0, 4 GiB) in the direct map.
const void* boot_phys_map(void*, uint64_t pa, size_t len) {
    constexpr uint64_t limit = uint64_t(1) << 32;
    if (pa >= limit || len > limit - pa) {
        return nullptr;
    }
    return pa2kptr<const void>(pa);
}

void run_constructors() {
    for (auto* f = __init_array_start; f != __init_array_end; ++f) {
        (*f)();
    }
}

void print_banner(const boot_info& info) {
    char vendor[13] = {};
    cpuid_result r = cpuid(0);
    memcpy(vendor, &r.ebx, 4);
    memcpy(vendor + 4, &r.edx, 4);
    memcpy(vendor + 8, &r.ecx, 4);
    char model[49] = "unknown model";
    if (cpuid(0x80000000).eax >= 0x80000004) {
        for (uint32_t i = 0; i < 3; ++i) {
            r = cpuid(0x80000002 + i);
            memcpy(model + 16 * i, &r, 16);
        }
        model[48] = '\0';
    }
    const char* m = model;
    while (*m == ' ') {
        ++m;
    }
    kprintf("Nuthatch %s, x86-64 teaching kernel\n", NUTHATCH_VERSION);
    kprintf("cpu: %s, %s\n", vendor, m);
    kprintf("memory: %lu MiB usable in %u regions, from Multiboot %u (%s)\n",
            (unsigned long) (info.usable_bytes() >> 20), info.nregions,
            info.loader_version, info.loader_name[0] ? info.loader_name : "unnamed loader");
    if (info.warnings) {
        log_printf(log_level::warn, "boot: %u malformed boot-information items ignored\n",
                   info.warnings);
    }
    kprintf("command line: %s\n", info.cmdline);
    kprintf("paging: NX %s, SMEP %s, SMAP %s, UMIP %s, PCID %s (unused), 1 GiB pages %s\n",
            cpu_has.nx ? "on" : "absent", cpu_has.smep ? "on" : "absent",
            cpu_has.smap ? "on" : "absent", cpu_has.umip ? "on" : "absent",
            cpu_has.pcid ? "present" : "absent", cpu_has.pdpe1gb ? "available" : "absent");
}

void apply_cmdline() {
    set_harness_mode(cmdline_flag("harness"));
    char level[16];
    log_level l;
    if (cmdline_value("log", level, sizeof(level))) {
        if (log_parse_level(level, &l)) {
            log_set_threshold(l);
        } else {
            log_printf(log_level::warn, "cmdline: unknown log level '%s'\n", level);
        }
    }
}

void run_ktest(const char* name) {
    const ktest* t = ktest_find(name);
    if (!t) {
        panic("no in-kernel test named '%s'", name);
    }
    kprintf("ktest %s: running\n", name);
    t->function();
    kprintf("ktest %s: passed\n", name);
    finish_run(true);
}

// What the console runs once the first program (the shell) has exited
// and no `halt=` was given: a line-at-a-time monitor; `sh` starts a new
// shell. Line editing (and echo) is the console line discipline's job. It
// prints with kprintf_screen: it is interactive, so the CGA screen shows
// it too.
void monitor() {
    kprintf_screen("Type 'help' for commands; 'poweroff' ends the run.\n");
    char line[80];
    for (;;) {
        kprintf_screen("nuthatch> ");
        ssize_t n = console_read_line(line, sizeof(line) - 1);
        if (n == ssize_t(sizeof(line) - 1) && line[n - 1] != '\n') {
            // Too long: discard the rest of it (the reads stop at its end).
            do {
                n = console_read_line(line, sizeof(line));
            } while (n == ssize_t(sizeof(line)) && line[n - 1] != '\n');
            kprintf_screen("line too long\n");
            continue;
        }
        if (n > 0 && line[n - 1] == '\n') {
            --n;
        } else {
            kprintf_screen("\n");     // Ctrl-D: the cursor is still on the typed line
        }
        line[n] = '\0';
        if (strcmp(line, "help") == 0) {
            kprintf_screen("commands: help, sh, mem, cpus, poweroff, panic\n"
                           "keys (any time): Ctrl-P lists processes, Ctrl-K kills one, Ctrl-V memory viewer\n");
        } else if (strcmp(line, "sh") == 0) {
            init_run_programs("sh");
        } else if (strcmp(line, "cpus") == 0) {
            for (int i = 0; i < ncpu; ++i) {
                kprintf_screen("  cpu %d: APIC id %u, %lu ticks, %lu switches\n", i,
                        cpus[i].lapic_id_, (unsigned long) cpus[i].ticks_.load(),
                        (unsigned long) cpus[i].nschedule_);
            }
        } else if (strcmp(line, "mem") == 0) {
            for (unsigned i = 0; i < kernel_boot_info.nregions; ++i) {
                auto& reg = kernel_boot_info.regions[i];
                kprintf_screen("  [%#014lx, %#014lx) type %u\n", reg.base, reg.end(),
                        unsigned(reg.type));
            }
        } else if (strcmp(line, "poweroff") == 0) {
            vfs_sync(0);                // the disk's cached blocks go home first
            power_off();
        } else if (strcmp(line, "panic") == 0) {
            panic("requested at the monitor");
        } else if (n) {
            kprintf_screen("unknown command '%s'\n", line);
        }
    }
}

// The first kernel task: runs the selected in-kernel test, or becomes
// init (pid 1), which runs the first program and reaps orphans.
void first_task(void*) {
    process_become_init(current());
    char test[64];
    if (cmdline_value("test", test, sizeof(test))) {
        run_ktest(test);
        return;
    }
    // The disk becomes the root when it holds a chickadeefs (it reads
    // blocks, so it runs here, in a task). Kernel tests mount their own.
    chkfs_mount_boot();
    init_run_programs();
    monitor();
}

}  // namespace

// Everything a CPU sets up for itself, boot CPU and APs alike.
void cpu_init_common(cpustate* c) {
    descriptors_init_cpu(c);
    vm_init_cpu();
    fpu_init_cpu();
    syscall_init_cpu();
    lapic_init_cpu();
    timer_init_cpu();
    c->init_idle_task();
}

// called from assembly (boot/boot.S), on the boot stack, interrupts off
extern "C" [[noreturn]] void kernel_start(uint32_t magic, uint64_t info_pa) {
    cpus[0].init_early(0);
    run_constructors();
    console_init();
    const char* error = parse_boot_info(magic, info_pa, {boot_phys_map, nullptr},
                                        &kernel_boot_info);
    if (error) {
        panic("boot information unusable: %s", error);
    }
    cmdline_init(kernel_boot_info.cmdline);
    apply_cmdline();
    vm_init(kernel_boot_info);
    print_banner(kernel_boot_info);
    cmdline_report_unknown();
    acpi_init(kernel_boot_info);
    kalloc_init(kernel_boot_info, vm_direct_map_end);
    memviewer_init();

    idt_init();
    static madt_info madt;
    if (!acpi_parse_madt(&madt)) {
        log_printf(log_level::warn, "acpi: no MADT; running on one CPU\n");
    }
    apic_init(madt);
    timer_calibrate();
    cpu_init_common(&cpus[0]);
    // Devices on PCI: before the other CPUs start (vm_map_device).
    pci_init();
    ahci_init();
    smp_start(madt);
    kprintf("cpus: %d started\n", ncpu);
    console_enable_input_interrupts();
    keyboard_init();

    process_init();
    vfs_init();
    if (!spawn_kernel_task(0, first_task, nullptr, "init")) {
        panic("out of memory starting the first task");
    }
    cpus[0].enter_schedule();
}
