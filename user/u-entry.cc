// u-entry.cc — what `_start` does with each entry index.
//
// ENTRY_START runs global constructors and then whichever process_main
// the program defined (with or without argc/argv); returning exits with
// status 0. ENTRY_TIMER hands the slot to activation_entry. Anything else
// is refused: the process exits with status 126.
// Easy to get wrong: this file is compiled with -mgeneral-regs-only, like
// all the runtime, because an activation may interrupt a program in the
// middle of floating-point code whose registers are not saved in the slot.
#include "u-lib.hh"
#include "u-activation.hh"

// user/u-activation.S hard-codes these numbers.
static_assert(ACT_SYSCALL_YIELD == SYSCALL_YIELD);
static_assert(ACT_SYSCALL_ACT_RESUME == SYSCALL_ACT_RESUME);
static_assert(ACT_E_INVAL == E_INVAL);
static_assert(ACT_FAST_RSP_MIN == USER_TEXT_BASE + 264);

// A program defines one of these; the other stays a null weak reference.
void process_main() __attribute__((weak));
void process_main(int argc, char** argv) __attribute__((weak));

extern "C" {
// From user/user.ld.
extern void (*const __init_array_start[])();
extern void (*const __init_array_end[])();

// Default handler: nothing to do, resume the interrupted context through
// the fast path (user/u-activation.S), which falls back to sys_act_resume by
// itself. A program (or the thread library, user/u-thread.cc) may define a
// strong activation_entry instead.
__attribute__((weak)) void activation_entry(void* slot) {
    act_resume(slot);
}

[[noreturn]] void user_entry(uint64_t index, uint64_t arg1, uint64_t arg2);
}

// called from assembly (user/crt0.S)
void user_entry(uint64_t index, uint64_t arg1, uint64_t arg2) {
    if (index == ENTRY_START) {
        for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) {
            (*ctor)();
        }
        if (&static_cast<void (&)(int, char**)>(process_main)) {
            process_main(int(arg1), reinterpret_cast<char**>(arg2));
        } else if (&static_cast<void (&)()>(process_main)) {
            process_main();
        } else {
            panic("program defines no process_main");
        }
        sys_exit(0);
    } else if (index == ENTRY_TIMER) {
        void* slot = reinterpret_cast<void*>(arg1);
        activation_entry(slot);
        // A handler that returns asks for the interrupted context back.
        int r = sys_act_resume(slot);
        panic("sys_act_resume(%p) failed: %d", slot, r);
    }
    error_printf("process entered with unknown entry index %lu\n", (unsigned long) index);
    sys_exit(126);
}
