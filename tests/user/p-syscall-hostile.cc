// p-syscall-hostile.cc — no system-call argument can hurt the kernel:
// thousands of calls with unknown numbers and hostile pointers, sizes and
// values return errors (E_NOSYS for unknown numbers), the caller survives,
// and memory accounting is unchanged afterwards.
//
// Calls that would legitimately block or end the process with arbitrary
// arguments (read from the keyboard, msleep, exit, texit, panic, fork,
// execv of a real program) are left out of the random part, and so are
// close and dup2 (small values name the console descriptors, which they
// would legitimately close or copy) and pipe (the top of the stack page is
// a valid place for its result); their error paths have tests of their
// own (p-fs-hostile for the descriptor and file calls).
//! timeout: 60
#include "u-lib.hh"
#include "abi/syscalls.hh"
#include "page-accounting.hh"

namespace {

// Unmapped, kernel, non-canonical and wrapping addresses, including ones
// just outside what every process has mapped (console page, activation
// header, stack page), so that multi-byte ranges straddle a boundary.
const uint64_t nasty[] = {
    0, 1, 7, 0xFFF, 0x1000, 0xB7FF8, 0xB9000, 0x100000 - 1,
    0x3FE00000 - 8, 0x3FFFF000, 0x40000000 - 8,
    0x2FF000 - 8, 0x300000 - 8, 0x7FFFFFFFFFFF, 0x800000000000, 0x800000000000 - 1,
    0xFFFF800000000000, 0xFFFFFFFF80000000, 0xFFFFFFFF80100000,
    0xFFFFFFFFFFFFFFFF, 0x8000000000000000, uint64_t(-4096), uint64_t(INT32_MIN),
};

uint64_t pick(uint64_t r) {
    return nasty[r % arraysize(nasty)];
}

bool excluded(int n) {
    switch (n) {
    case SYSCALL_EXIT: case SYSCALL_TEXIT: case SYSCALL_PANIC: case SYSCALL_FORK:
    case SYSCALL_MSLEEP: case SYSCALL_READ: case SYSCALL_EXECV: case SYSCALL_CLONE:
    case SYSCALL_YIELD: case SYSCALL_PAUSE: case SYSCALL_CLOSE: case SYSCALL_DUP2:
    case SYSCALL_PIPE:
        return true;
    default:
        return false;
    }
}

}  // namespace

void process_main() {
    // Unknown numbers.
    const uint64_t unknown[] = {0, 13, 19, 59, 61, 1000, 0xFFFFFFFF, uint64_t(-1)};
    for (uint64_t n : unknown) {
        assert_eq(long(make_syscall(n, 1, 2, 3)), long(E_NOSYS));
    }

    // After the first activation: its slot page is mapped by then
    // (page-accounting.hh), not in the middle of the calls below.
    size_t before = start_free_pages();
    srand(161);
    unsigned calls = 0;
    for (int round = 0; round < 4000; ++round) {
        int n = rand(1, 70);
        if (excluded(n)) {
            continue;
        }
        uint64_t a = pick(rand()), b = pick(rand()), c = pick(rand());
        if (n == SYSCALL_PAGE_ALLOC && a >= 0x100000 && a < 0x800000000000) {
            continue;       // a valid address would just map memory
        }
        if (n == SYSCALL_WAITPID) {
            a = 30000 + (a & 0xFF);     // never one of our children
        }
        if (n == SYSCALL_CONSOLETYPE && (int(a) == 0 || int(a) == 1)) {
            continue;   // valid types (an int: upper bits ignored) change the mode
        }
        long r = long(make_syscall(n, a, b, c));
        // Everything here must fail, except calls that take no pointer, and
        // console writes whose buffer happens to be mapped (the console
        // page and the stack are; fds 0-2 are all the console, all
        // writable): those must write exactly what was asked.
        if (n == SYSCALL_WRITE && int(a) >= 0 && int(a) <= 2 && r >= 0) {
            assert_eq(uint64_t(r), c);
            continue;
        }
        if (n == SYSCALL_SERIAL_WRITE && r >= 0) {
            assert_eq(uint64_t(r), b);
            continue;
        }
        // sync(0) and sync(1) succeed (nothing to write back); readdir
        // of a mapped empty string (the root) past its last entry is 0.
        bool may_succeed = n == SYSCALL_GETPID || n == SYSCALL_GETPPID || n == SYSCALL_GETTID
            || n == SYSCALL_NCPU
            || (n == SYSCALL_SYNC && (int(a) == 0 || int(a) == 1))
            || (n == SYSCALL_READDIR && r == 0);
        if (!may_succeed && r >= 0) {
            panic("system call %d (%#lx, %#lx, %#lx) returned %ld", n, (unsigned long) a,
                  (unsigned long) b, (unsigned long) c, r);
        }
        ++calls;
    }
    // Specific hostile pointers for calls that take buffers.
    assert_eq(sys_write(1, reinterpret_cast<const char*>(0xFFFFFFFF80100000), 16), E_FAULT);
    assert_eq(sys_getusage(reinterpret_cast<usage*>(0x7FFFFFFFFFF0)), E_FAULT);
    assert_eq(sys_waitpid(0, reinterpret_cast<int*>(0xFFFF800000000000), W_NOHANG), E_FAULT);
    assert_eq(sys_act_resume(reinterpret_cast<void*>(0x3FE00000)), E_INVAL);
    assert_eq(sys_act_resume(reinterpret_cast<void*>(0x3FE01008)), E_INVAL);
    assert_eq(sys_act_resume(reinterpret_cast<void*>(0xFFFFFFFF80100000)), E_INVAL);

    usage after;
    assert_eq(sys_getusage(&after), 0);
    assert_eq(after.free_pages, before);
    printf("syscall-hostile: %u hostile calls refused\n", calls);
    printf("syscall-hostile succeeded!\n");
}
