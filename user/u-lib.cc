// u-lib.cc — printf/dprintf through sys_write, assertion failures, panic,
// and sys_clone.
//
// Easy to get wrong: a failing assertion may be inside code that broke the
// heap or the console, so the failure path formats into stack buffers
// only and always ends in sys_panic, which does not return.
#include "u-lib.hh"

namespace {

struct fd_printer : printer {
    int fd;
    char buf[256];
    size_t n = 0;
    ssize_t error = 0;          // the first error sys_write returned
    void flush() {
        size_t done = 0;
        while (done < n) {
            ssize_t w = sys_write(fd, buf + done, n - done);
            if (w <= 0) {
                error = error ? error : w;
                break;          // error or no progress: drop the rest
            }
            done += size_t(w);
        }
        n = 0;
    }
};

void fd_putc(printer* self, char ch) {
    auto* p = static_cast<fd_printer*>(self);
    if (p->n == sizeof(p->buf)) {
        p->flush();
    }
    p->buf[p->n++] = ch;
}

}  // namespace

int vdprintf(int fd, const char* format, va_list ap) {
    fd_printer p;
    p.putc = fd_putc;
    p.fd = fd;
    int count = vformat(&p, format, ap);
    p.flush();
    // As in Chickadee, a failed write is the result (dprintf to a closed
    // descriptor returns E_BADF).
    return p.error < 0 ? int(p.error) : count;
}

int dprintf(int fd, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    int count = vdprintf(fd, format, ap);
    va_end(ap);
    return count;
}

int printf(const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    int count = vdprintf(1, format, ap);
    va_end(ap);
    return count;
}

namespace {

// Prints `message` in the error colour on a fresh line and panics with it.
[[noreturn]] void fail_with(const char* message) {
    if (CCOL(cursorpos) != 0) {
        error_printf("\n");
    }
    error_printf("%s\n", message);
    sys_panic(message);
}

}  // namespace

void assert_fail(const char* file, int line, const char* expression, const char* why) {
    char message[240];
    if (why) {
        snprintf(message, sizeof(message), "%s:%d: assertion '%s' failed: %s", file, line,
                 expression, why);
    } else {
        snprintf(message, sizeof(message), "%s:%d: assertion '%s' failed", file, line,
                 expression);
    }
    fail_with(message);
}

void assert_compare_fail(const char* file, int line, const char* expression, const char* x,
                         const char* y) {
    char message[240];
    snprintf(message, sizeof(message), "%s:%d: assertion '%s' failed: left %s, right %s",
             file, line, expression, x, y);
    fail_with(message);
}

void assert_memeq_fail(const char* file, int line, const char* expression, const void* x,
                       const void* y, size_t size) {
    auto* a = static_cast<const unsigned char*>(x);
    auto* b = static_cast<const unsigned char*>(y);
    size_t at = 0;
    while (at < size && a[at] == b[at]) {
        ++at;
    }
    char message[240];
    snprintf(message, sizeof(message),
             "%s:%d: assertion '%s' failed: first difference at byte %zu of %zu "
             "(0x%02x != 0x%02x)",
             file, line, expression, at, size, at < size ? a[at] : 0, at < size ? b[at] : 0);
    fail_with(message);
}

void panic(const char* format, ...) {
    char message[240];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(message, sizeof(message), format, ap);
    va_end(ap);
    // Drop one trailing newline; fail_with adds its own.
    if (n > 0 && size_t(n) < sizeof(message) && message[n - 1] == '\n') {
        message[n - 1] = '\0';
    }
    fail_with(message);
}

// The raw clone call returns twice: the parent gets the new thread id in
// %rax; the child gets 0 and is already on `stack_top`, where it must not
// touch this function's frame. fn and arg ride in callee-saved registers,
// which the kernel copies to the child.
pid_t sys_clone(int (*fn)(void*), void* arg, char* stack_top) {
    register uintptr_t rax asm("rax") = SYSCALL_CLONE;
    register uintptr_t rdi asm("rdi") = reinterpret_cast<uintptr_t>(stack_top);
    register uintptr_t r12 asm("r12") = reinterpret_cast<uintptr_t>(fn);
    register uintptr_t r13 asm("r13") = reinterpret_cast<uintptr_t>(arg);
    asm volatile("syscall\n\t"
                 "testq %%rax, %%rax\n\t"
                 "jnz 1f\n\t"
                 // New thread: fresh frame chain, call fn(arg), texit(result).
                 "xorl %%ebp, %%ebp\n\t"
                 "andq $-16, %%rsp\n\t"
                 "movq %%r13, %%rdi\n\t"
                 "callq *%%r12\n\t"
                 "movl %%eax, %%edi\n\t"
                 "movl %[texit], %%eax\n\t"
                 "syscall\n\t"
                 "ud2\n"
                 "1:"
                 : "+a"(rax), "+D"(rdi)
                 : "r"(r12), "r"(r13), [texit] "i"(SYSCALL_TEXIT)
                 : "cc", "rcx", "r11", "rsi", "rdx", "r8", "r9", "r10", "memory");
    return pid_t(rax);
}
