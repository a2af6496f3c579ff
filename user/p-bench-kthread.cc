// p-bench-kthread.cc — kernel threads (sys_clone; docs/threads.md):
//   kthread-create-join  the raw clone call of a thread that at once stores
//                        a flag and calls sys_texit, and the creator waiting
//                        for the flag with sys_yield (Nuthatch has no join
//                        call); per round. One CPU: the creator's yield
//                        runs the new thread, whose exit switches back.
// The new thread touches no stack (a few instructions of assembly, below),
// so one stack serves every round and the creator may reuse it as soon as
// the flag is set; the ended thread's block is freed by the next clone
// (docs/threads.md), so that cost is inside the rounds too. Easy to get
// wrong: the flag store must be the thread's last touch of user memory.
#include "bench.hh"

namespace {
volatile uint32_t done;
alignas(16) char stack[PAGESIZE];

// Raw clone: the new thread (rax = 0) stores 1 into *flag and ends.
pid_t clone_flag_texit(volatile uint32_t* flag, char* stack_top) {
    register uintptr_t rax asm("rax") = SYSCALL_CLONE;
    register uintptr_t rdi asm("rdi") = reinterpret_cast<uintptr_t>(stack_top);
    register uintptr_t r12 asm("r12") = reinterpret_cast<uintptr_t>(flag);
    asm volatile("syscall\n\t"
                 "testq %%rax, %%rax\n\t"
                 "jnz 1f\n\t"
                 "movl $1, (%%r12)\n\t"
                 "xorl %%edi, %%edi\n\t"
                 "movl %[texit], %%eax\n\t"
                 "syscall\n\t"
                 "ud2\n"
                 "1:"
                 : "+a"(rax), "+D"(rdi)
                 : "r"(r12), [texit] "i"(SYSCALL_TEXIT)
                 : "cc", "rcx", "r11", "rsi", "rdx", "r8", "r9", "r10", "memory");
    return pid_t(rax);
}
}

void process_main() {
    bench_rounds<9>("kthread-create-join", 200, [] {
        done = 0;
        pid_t tid = clone_flag_texit(&done, stack + sizeof(stack));
        if (tid <= 0) {
            panic("sys_clone: %d", tid);
        }
        while (!done) {
            sys_yield();
        }
    });
    sys_exit(0);
}
