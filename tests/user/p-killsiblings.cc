// p-killsiblings.cc — a process that faults dies; its siblings, its
// parent and the kernel carry on.
//
// The parent forks well-behaved children (they sleep a little while their
// siblings die, then exit with 10 + i) interleaved with children that
// each do one forbidden thing: write or read kernel memory, jump into the
// kernel, run a privileged instruction (cli, hlt, outb), touch a
// non-canonical address, dereference null, write to their own read-only
// text, divide by zero, execute ud2. One well-behaved child also has a
// faulting child of its own and checks its status. The parent then reaps
// everyone by pid and checks each status, and forks once more to show the
// kernel still works.
//
// Convention (see tests/README.md): a process killed by a CPU exception
// exits with status 128 + the exception vector, as if it had called
// sys_exit(128 + vector): #DE (0) → 128, #UD (6) → 134, #GP (13) → 141,
// #PF (14) → 142. It is reaped like any other process, its memory is
// freed, and it does not make the harness run fail (only sys_panic does).
#include "u-lib.hh"

namespace {

constexpr int killed_by(int vector) {
    return 128 + vector;
}
constexpr int DE = 0, UD = 6, GP = 13, PF = 14;

constexpr uintptr_t kernel_text = 0xFFFFFFFF80100000;
constexpr uintptr_t kernel_direct = 0xFFFF800000000000;

// Each misbehaviour; if it returns, the child exits with `survived`.
constexpr int survived = 99;

void write_kernel_text() {
    asm volatile("movl $1, (%0)" : : "r"(kernel_text) : "memory");
}
void write_kernel_direct_map() {
    asm volatile("movq $1, (%0)" : : "r"(kernel_direct + 0x100000) : "memory");
}
void read_kernel() {
    uint64_t v;
    asm volatile("movq (%1), %0" : "=r"(v) : "r"(kernel_text) : "memory");
}
void jump_to_kernel() {
    asm volatile("jmp *%0" : : "r"(kernel_text) : "memory");
}
void null_read() {
    uint32_t v;
    asm volatile("movl (%1), %0" : "=r"(v) : "r"(uintptr_t(0)) : "memory");
}
void write_own_text() {
    uintptr_t text = reinterpret_cast<uintptr_t>(&write_own_text);
    asm volatile("movb $0xCC, (%0)" : : "r"(text) : "memory");
}
void noncanonical_read() {
    uint64_t v;
    asm volatile("movq (%1), %0" : "=r"(v) : "r"(0x8000000000000000UL) : "memory");
}
void do_cli() {
    asm volatile("cli" : : : "memory");
}
void do_hlt() {
    asm volatile("hlt" : : : "memory");
}
void do_outb() {
    asm volatile("outb %%al, $0x80" : : "a"(0) : "memory");
}
void do_ud2() {
    asm volatile("ud2" : : : "memory");
}
void divide_by_zero() {
    uint32_t lo = 1, hi = 0, zero = 0;
    asm volatile("divl %2" : "+a"(lo), "+d"(hi) : "r"(zero) : "cc");
}

struct behaviour {
    const char* name;
    void (*action)();           // null: well-behaved
    int expected;
};

const behaviour children[] = {
    {"good 0", nullptr, 10},
    {"write kernel text", write_kernel_text, killed_by(PF)},
    {"good 2", nullptr, 12},
    {"write kernel direct map", write_kernel_direct_map, killed_by(PF)},
    {"read kernel", read_kernel, killed_by(PF)},
    {"good 5", nullptr, 15},
    {"jump to kernel", jump_to_kernel, killed_by(PF)},
    {"null read", null_read, killed_by(PF)},
    {"write own text", write_own_text, killed_by(PF)},
    {"good 9", nullptr, 19},
    {"non-canonical read", noncanonical_read, killed_by(GP)},
    {"cli", do_cli, killed_by(GP)},
    {"hlt", do_hlt, killed_by(GP)},
    {"outb", do_outb, killed_by(GP)},
    {"good 14", nullptr, 24},
    {"ud2", do_ud2, killed_by(UD)},
    {"divide by zero", divide_by_zero, killed_by(DE)},
    {"good 17", nullptr, 27},
};
constexpr int nchildren = sizeof(children) / sizeof(children[0]);

// A well-behaved child: its memory must survive its siblings' deaths; one
// of them also watches a faulting child of its own.
[[noreturn]] void good_child(int i, int status) {
    static int values[256];
    for (int j = 0; j < 256; ++j) {
        values[j] = j * i;
    }
    if (i == 5) {
        pid_t g = sys_fork();
        assert_ge(g, 0);
        if (g == 0) {
            write_kernel_text();
            sys_exit(survived);
        }
        int gs = -1;
        assert_eq(sys_waitpid(g, &gs), g);
        assert_eq(gs, killed_by(PF));
    }
    for (int k = 0; k < 5; ++k) {
        sys_msleep(10);
    }
    for (int j = 0; j < 256; ++j) {
        assert_eq(values[j], j * i);
    }
    sys_exit(status);
}

}  // namespace

void process_main() {
    pid_t pids[nchildren];
    for (int i = 0; i < nchildren; ++i) {
        pids[i] = sys_fork();
        assert_ge(pids[i], 0);
        if (pids[i] == 0) {
            if (children[i].action) {
                children[i].action();
                sys_exit(survived);
            }
            good_child(i, children[i].expected);
        }
    }

    // Reap in reverse order, by pid.
    for (int i = nchildren - 1; i >= 0; --i) {
        int status = -1;
        assert_eq(sys_waitpid(pids[i], &status), pids[i]);
        if (status != children[i].expected) {
            panic("child '%s' exited with status %d, expected %d", children[i].name, status,
                  children[i].expected);
        }
    }
    assert_eq(sys_waitpid(0, nullptr, W_NOHANG), E_CHILD);

    // The kernel still works.
    pid_t p = sys_fork();
    assert_ge(p, 0);
    if (p == 0) {
        sys_exit(7);
    }
    int status = -1;
    assert_eq(sys_waitpid(p, &status), p);
    assert_eq(status, 7);

    console_printf("killsiblings: %d children, statuses as expected\n", nchildren);
    console_printf("killsiblings succeeded!\n");
    sys_exit(0);
}
