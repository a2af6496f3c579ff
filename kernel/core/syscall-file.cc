// syscall-file.cc — the descriptor and file system calls: read, write,
// close, dup2, pipe, open, unlink, rename, lseek, ftruncate, sync,
// readdir, and the console extras (serial_write, consoletype).
// Descriptors are the process's fdtable (fdtable.hh); files, pipes and the
// memory file system sit behind the VFS (vfs.hh, docs/vfs.md).
//
// Handlers are declared in syscall.hh (generated from syscalls.def) and
// called by the dispatch in syscall.cc with interrupts off.
// Easy to get wrong: the order of checks is part of the contract
// (tests/README.md): a bad descriptor is E_BADF even when the buffer is
// bad too; size 0 returns 0 without looking at the buffer; only then is
// the buffer checked (E_FAULT), before anything blocks. Paths are copied
// byte by byte (copy_string_from_user): nullptr or a name that runs into
// an unmapped page is E_FAULT, one without a NUL in VFS_PATH_MAX bytes
// E_NAMETOOLONG.
#include "abi/errno.hh"
#include "abi/user-memlayout.hh"
#include "chkfs.hh"
#include "console.hh"
#include "cpustate.hh"
#include "fdtable.hh"
#include "kaddr.hh"
#include "memviewer.hh"
#include "pipe.hh"
#include "proc.hh"
#include "process.hh"
#include "syscall.hh"
#include "uaccess.hh"
#include "vfs.hh"

namespace {

using ctx = syscall_context*;

// Holds a reference to a descriptor's file for the length of a call.
struct file_ref {
    file* f;
    file_ref(ctx c, int fd) : f(c->p->process_->fds_.get(fd)) {}
    ~file_ref() {
        if (f) {
            f->put();
        }
    }
    file_ref(const file_ref&) = delete;
    file_ref& operator=(const file_ref&) = delete;
    file* operator->() const { return f; }
    explicit operator bool() const { return f; }
};

// Copies a path from user memory: its length, E_FAULT, E_NAMETOOLONG.
long copy_path(ctx c, char (&path)[VFS_PATH_MAX], const char* user_path) {
    return copy_string_from_user(user_pt(c), path, uva(user_path), sizeof(path));
}

// read and write, with their checks in the contract's order (see the file
// comment). A read from the file writes the user's buffer, so it is the
// read that needs the buffer writable.
ssize_t transfer(ctx c, int fd, uintptr_t buffer, size_t size, bool to_file) {
    file_ref f(c, fd);
    if (!f || !(to_file ? f->writable() : f->readable())) {
        return E_BADF;
    }
    if (size == 0) {
        return 0;
    }
    if (!user_range_ok(user_pt(c), buffer, size, !to_file)) {
        return E_FAULT;
    }
    iobuf io = iobuf::user(user_pt(c), buffer, size);
    return to_file ? f->ops_->write(*f.f, io) : f->ops_->read(*f.f, io);
}

}  // namespace

ssize_t syscall_read(ctx c, int fd, char* buffer, size_t size) {
    return transfer(c, fd, uva(buffer), size, false);
}

ssize_t syscall_write(ctx c, int fd, const char* buffer, size_t size) {
    return transfer(c, fd, uva(buffer), size, true);
}

int syscall_close(ctx c, int fd) {
    return c->p->process_->fds_.close(fd);
}

int syscall_dup2(ctx c, int oldfd, int newfd) {
    return c->p->process_->fds_.dup2(oldfd, newfd);
}

int syscall_pipe(ctx c, int* pfd) {
    // LAB files BEGIN: exercise 1, sys_pipe: check pfd, create the pipe, install both ends (undo everything on failure), write the two descriptors to pfd
    // Check the result array before creating anything.
    if (!user_range_ok(user_pt(c), uva(pfd), 2 * sizeof(int), true)) {
        return E_FAULT;
    }
    file* r;
    file* w;
    if (int e = pipe_create(&r, &w); e < 0) {
        return e;
    }
    int fds[2];
    if (int e = c->p->process_->fds_.install2(r, w, &fds[0], &fds[1]); e < 0) {
        r->put();
        w->put();
        return e;
    }
    if (copy_to_user(user_pt(c), uva(pfd), fds, sizeof(fds)) < 0) {
        c->p->process_->fds_.close(fds[0]);
        c->p->process_->fds_.close(fds[1]);
        return E_FAULT;
    }
    return 0;
    // LAB files STUB: (void) c;
    // LAB files STUB: (void) pfd;
    // LAB files STUB: return E_NOSYS;
    // LAB files END
}

int syscall_open(ctx c, const char* user_path, int flags) {
    char path[VFS_PATH_MAX];
    long n = copy_path(c, path, user_path);
    if (n < 0) {
        return int(n);
    }
    if (flags & ~(OF_READ | OF_WRITE | OF_CREATE | OF_TRUNC)) {
        return E_INVAL;
    }
    const char* name;
    if (int e = vfs_split_path(path, &name); e < 0) {
        return e;
    }
    if (!name) {
        // "" names nothing; "/" and "." are the root directory, which is
        // read through readdir, not opened.
        return n == 0 ? E_NOENT : E_INVAL;
    }
    // The descriptor first: with a full table, E_MFILE must come before
    // the file is created or truncated (a failed call changes nothing).
    fdtable& fds = c->p->process_->fds_;
    int fd = fds.reserve();
    if (fd < 0) {
        return fd;
    }
    vnode* v;
    if (int e = vfs_root()->open_entry(name, flags & OF_CREATE, &v); e < 0) {
        fds.unreserve(fd);
        return e;
    }
    int mode = flags & (OF_READ | OF_WRITE);
    if ((flags & OF_TRUNC) && (flags & OF_WRITE)) {
        if (int e = v->truncate(0); e < 0) {
            v->put();
            fds.unreserve(fd);
            return e;
        }
    }
    file* f = vfs_open_vnode(v, mode);
    if (!f) {
        fds.unreserve(fd);
        return E_NOMEM;
    }
    fds.fill(fd, f);
    return fd;
}

int syscall_unlink(ctx c, const char* user_path) {
    char path[VFS_PATH_MAX];
    long n = copy_path(c, path, user_path);
    if (n < 0) {
        return int(n);
    }
    const char* name;
    if (int e = vfs_split_path(path, &name); e < 0) {
        return e;
    }
    return name ? vfs_root()->unlink(name) : E_INVAL;
}

int syscall_rename(ctx c, const char* user_from, const char* user_to) {
    char from[VFS_PATH_MAX], to[VFS_PATH_MAX];
    long n = copy_path(c, from, user_from);
    if (n >= 0) {
        n = copy_path(c, to, user_to);
    }
    if (n < 0) {
        return int(n);
    }
    const char* from_name;
    const char* to_name;
    if (int e = vfs_split_path(from, &from_name); e < 0) {
        return e;
    }
    if (int e = vfs_split_path(to, &to_name); e < 0) {
        return e;
    }
    if (!from_name || !to_name) {
        return E_INVAL;
    }
    return vfs_root()->rename(from_name, to_name);
}

ssize_t syscall_lseek(ctx c, int fd, off_t off, int origin) {
    file_ref f(c, fd);
    if (!f) {
        return E_BADF;
    }
    return f->ops_->seek(*f.f, off, origin);
}

int syscall_ftruncate(ctx c, int fd, off_t size) {
    file_ref f(c, fd);
    if (!f || !f->writable()) {
        return E_BADF;
    }
    return f->ops_->truncate(*f.f, size);
}

// 0: write back; 1: also drop cached blocks; 2: also check for leaked
// block references (E_BUSY). Anything else E_INVAL. The memory file
// system has nothing to write back (vfs_sync returns 0).
int syscall_sync(ctx, int mode) {
    return vfs_sync(mode);
}

ssize_t syscall_readdir(ctx c, const char* user_dir, size_t index, char* name, size_t size) {
    char path[VFS_PATH_MAX];
    long n = copy_path(c, path, user_dir);
    if (n < 0) {
        return n;
    }
    vnode* v;
    if (int e = vfs_lookup(path, &v); e < 0) {
        return e == E_NAMETOOLONG ? e : E_NOENT;
    }
    dirnode* d = v->as_dir();
    if (!d) {
        v->put();
        return E_NOENT;
    }
    // As for read: a 0-byte buffer is not looked at (any entry is E_RANGE).
    if (size != 0 && !user_range_ok(user_pt(c), uva(name), size, true)) {
        v->put();
        return E_FAULT;
    }
    char entry[VFS_NAME_MAX + 1];
    ssize_t r = d->entry(index, entry, sizeof(entry));
    v->put();
    if (r <= 0) {
        return r;
    }
    if (size_t(r) + 1 > size) {
        return E_RANGE;
    }
    return copy_to_user(user_pt(c), uva(name), entry, size_t(r) + 1) < 0 ? E_FAULT : r;
}

// Reads a file of the disk (the volume mounted at boot) by name, as
// Chickadee's does: up to `size` bytes at `off` into `buf`. Checks: the
// path (E_FAULT, E_NAMETOOLONG), size 0 returns 0, then the buffer
// (E_FAULT), then the file (E_NOENT without a disk, E_INVAL for the root
// or a negative offset).
ssize_t syscall_readdiskfile(ctx c, const char* user_path, char* buf, size_t size, off_t off) {
    char path[VFS_PATH_MAX];
    long n = copy_path(c, path, user_path);
    if (n < 0) {
        return n;
    }
    if (size == 0) {
        return 0;
    }
    if (!user_range_ok(user_pt(c), uva(buf), size, true)) {
        return E_FAULT;
    }
    if (off < 0) {
        return E_INVAL;
    }
    return chkfs_readdiskfile(path, iobuf::user(user_pt(c), uva(buf), size), off);
}

// --- console extras ---------------------------------------------------------

ssize_t syscall_serial_write(ctx c, const char* buffer, size_t size) {
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
        console_write_serial(chunk, n);
        done += n;
        preemption_point();
    }
    return ssize_t(size);
}

int syscall_consoletype(ctx, int type) {
    return memviewer_set(type);         // E_INVAL for an unknown type
}
