// arch/asm-offsets.cc — the struct offsets and sizes assembly uses, taken
// from the C++ definitions at build time (never linked into the kernel).
//
// The Makefile compiles this file with -S only: each OFFSET line leaves a
// marker `->NAME VALUE` in the assembler output, which the Makefile turns
// into `#define NAME VALUE` lines of obj/gen/asm-offsets.h, the header the
// .S files include. So the numbers are written nowhere by hand, and a
// change to a struct reaches the assembly at the next build.
// Easy to get wrong: a field's *offset* follows the struct, but the *order*
// in which entry.S and syscall.S push registers is the struct's layout too;
// the static_asserts below check the layout facts no offset can carry.
// C++ code never includes the generated header (it would need this file
// compiled first): C++ uses offsetof and sizeof directly.
#include <stddef.h>
#include "arch/regstate.hh"
#include "cpustate.hh"
#include "proc.hh"
#include "process.hh"
#include "syscall.hh"

#define OFFSET(name, value) \
    asm volatile("\n.ascii \"->" #name " %c0\"" : : "i"(value))

// Push order in arch/regstate-asm.h and the hardware frame: general
// registers RAX..R15 from offset 0, then vector, error code, the frame.
static_assert(offsetof(regstate, reg_rax) == 0);
static_assert(offsetof(regstate, reg_r15) == 14 * 8);
static_assert(offsetof(regstate, reg_intno) == 15 * 8);
static_assert(sizeof(regstate) == offsetof(regstate, reg_ss) + 8);
// switch.S pushes RFLAGS, the callee-saved registers and returns through
// reg_rip: yieldstate is exactly those words.
static_assert(offsetof(yieldstate, reg_rip) + 8 == sizeof(yieldstate));

void asm_offsets() {
    OFFSET(REGSTATE_INTNO, offsetof(regstate, reg_intno));
    OFFSET(REGSTATE_RIP, offsetof(regstate, reg_rip));
    OFFSET(REGSTATE_CS, offsetof(regstate, reg_cs));
    OFFSET(REGSTATE_RSP, offsetof(regstate, reg_rsp));
    OFFSET(REGSTATE_SIZE, sizeof(regstate));

    OFFSET(CPUSTATE_SELF, offsetof(cpustate, self_));
    OFFSET(CPUSTATE_CURRENT, offsetof(cpustate, current_));
    OFFSET(CPUSTATE_SYSCALL_SCRATCH, offsetof(cpustate, syscall_scratch_));
    OFFSET(CPUSTATE_SIZE, sizeof(cpustate));

    OFFSET(PROC_YIELDS, offsetof(proc, yields_));
    OFFSET(PROC_BLOCK_SIZE, proc::block_size);

    // The system-call fast path (syscall.S): what it reads, and when it
    // must leave the work to syscall_handler. pid_t is 32 bits (movslq).
    static_assert(sizeof(pid_t) == 4);
    OFFSET(PROC_ID, offsetof(proc, id_));
    OFFSET(PROC_PROCESS, offsetof(proc, process_));
    OFFSET(PROCESS_ID, offsetof(process, id_));
    OFFSET(SYSCALL_NR_GETPID, SYSCALL_GETPID);
    OFFSET(SYSCALL_NR_GETTID, SYSCALL_GETTID);
    OFFSET(SYSRET_ODD_FLAGS, sysret_odd_flags);
}
