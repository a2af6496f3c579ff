// syscall-file.cc — the descriptor and file system calls: read, write,
// close, dup2, pipe, open, unlink, rename, lseek, ftruncate, sync, and the
// console extras (serial_write, consoletype).
//
// Handlers are declared in syscall.hh (generated from syscalls.def) and
// called by the dispatch in syscall.cc with interrupts off.
// Easy to get wrong: the order of checks is part of the contract
// (tests/README.md): a bad descriptor is E_BADF even when the buffer is
// bad too; size 0 returns 0 without looking at the buffer; only then is
// the buffer checked (E_FAULT), before anything blocks.
#include "abi/errno.hh"
#include "abi/memlayout.hh"
#include "console.hh"
#include "cpustate.hh"
#include "memlayout.hh"
#include "proc.hh"
#include "syscall.hh"
#include "uaccess.hh"

namespace {

using ctx = syscall_context*;

x86_64_pagetable* user_pt(ctx c) {
    return c->p->pagetable_;
}
uintptr_t uva(const void* p) {
    return reinterpret_cast<uintptr_t>(p);
}

// Copies a user buffer to the console in chunks; E_FAULT (checked before
// anything is written) for any bad byte.
ssize_t write_user_text(ctx c, const char* buffer, size_t size, bool serial_only) {
    if (size == 0) {
        return 0;
    }
    if (!user_range_ok(user_pt(c), uva(buffer), size, false)) {
        return E_FAULT;
    }
    char chunk[256];
    for (size_t done = 0; done < size;) {
        size_t n = size - done < sizeof(chunk) ? size - done : sizeof(chunk);
        if (copy_from_user(user_pt(c), chunk, uva(buffer) + done, n) < 0) {
            return done ? ssize_t(done) : E_FAULT;
        }
        if (serial_only) {
            console_write_serial(chunk, n);
        } else {
            console_write(chunk, n);
        }
        done += n;
        // The console is slow (an emulated UART takes microseconds a
        // byte) and `size` is the caller's: let pending interrupts in
        // between chunks, so one write cannot stop this CPU's clock and
        // scheduler for seconds (tests/user/p-bigwrite).
        preemption_point();
    }
    return ssize_t(size);
}

}  // namespace

ssize_t syscall_read(ctx c, int fd, char* buffer, size_t size) {
    if (fd != 0) {
        return E_BADF;
    }
    if (size == 0) {
        return 0;
    }
    if (!user_range_ok(user_pt(c), uva(buffer), size, true)) {
        return E_FAULT;
    }
    char chunk[256];
    size_t want = size < sizeof(chunk) ? size : sizeof(chunk);
    ssize_t n = console_read_line(chunk, want);
    if (n > 0 && copy_to_user(user_pt(c), uva(buffer), chunk, size_t(n)) < 0) {
        return E_FAULT;
    }
    return n;
}

ssize_t syscall_write(ctx c, int fd, const char* buffer, size_t size) {
    if (fd != 1 && fd != 2) {
        return E_BADF;
    }
    return write_user_text(c, buffer, size, false);
}

ssize_t syscall_serial_write(ctx c, const char* buffer, size_t size) {
    return write_user_text(c, buffer, size, true);
}

int syscall_consoletype(ctx, int type) {
    if (type != 0 && type != 1) {
        return E_INVAL;
    }
    *pa2kptr<volatile int>(CONSOLE_TYPE_ADDR) = type;
    return 0;
}

// --- not yet implemented: file descriptors and files ------------------------
// Each says E_NOSYS until its issue lands (u-lib.hh documents this).

int syscall_close(ctx, int) { return E_NOSYS; }
int syscall_dup2(ctx, int, int) { return E_NOSYS; }
int syscall_pipe(ctx, int*) { return E_NOSYS; }
int syscall_open(ctx, const char*, int) { return E_NOSYS; }
int syscall_unlink(ctx, const char*) { return E_NOSYS; }
int syscall_rename(ctx, const char*, const char*) { return E_NOSYS; }
ssize_t syscall_lseek(ctx, int, off_t, int) { return E_NOSYS; }
int syscall_ftruncate(ctx, int, off_t) { return E_NOSYS; }
int syscall_sync(ctx, int) { return E_NOSYS; }
ssize_t syscall_readdiskfile(ctx, const char*, char*, size_t, off_t) { return E_NOSYS; }
