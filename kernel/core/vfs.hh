// vfs.hh — the virtual file system: inodes (`vnode`), directories
// (`dirnode`), open files (`file`) and what moves bytes between them and
// user memory (`iobuf`). docs/vfs.md explains the design.
//
// Two interfaces, two kinds of implementer:
//   - vnode operations (positional, `read_at`/`write_at` at an offset,
//     `size`, `truncate`; directories add lookup/create/unlink/rename/
//     entry): implemented by a file system for each of its objects — the
//     memory file system (memfs.cc) now, chickadeefs next.
//   - file operations (`file_ops`: read, write, seek, truncate, release):
//     implemented by streams that have no inode — the console
//     (console-file.cc) and pipes (pipe.cc) — and once, generically, for
//     every vnode (`vnode_file_ops` here), which keeps the offset and calls
//     the vnode operations.
// Reference counts: a `file` counts descriptor slots (and system calls in
// progress) that point to it; a `vnode` counts files, directory entries
// and in-kernel users (exec's loader). The last `put` frees.
// Easy to get wrong: never block (or copy a large amount) holding a
// directory's lock, and keep to the lock order of docs/contexts.md. A system call keeps a reference to its file for
// its whole duration, so a concurrent close cannot free it under a
// blocked reader.
#pragma once
#include <atomic>
#include "abi/errno.hh"
#include "abi/types.hh"
#include "sleeplock.hh"
#include "spinlock.hh"

struct x86_64_pagetable;
struct file;
struct dirnode;

// Limits: a name is 1..VFS_NAME_MAX bytes (chickadeefs allows 123); a path
// copied from user memory is at most VFS_PATH_MAX - 1 bytes.
constexpr size_t VFS_NAME_MAX = 123;
constexpr size_t VFS_PATH_MAX = 256;

// The bytes of one read or write: user memory of a page table (every copy
// checked by uaccess.hh) or a kernel buffer (pt == nullptr).
struct iobuf {
    x86_64_pagetable* pt;
    uintptr_t addr;
    size_t size;

    static iobuf user(x86_64_pagetable* pt, uintptr_t addr, size_t size) {
        return {pt, addr, size};
    }
    static iobuf kernel(void* p, size_t size) {
        return {nullptr, reinterpret_cast<uintptr_t>(p), size};
    }
    // Copy `n` bytes into the buffer at position `pos` (a read delivers
    // data), or out of it (a write takes data). 0 or E_FAULT.
    int put(size_t pos, const void* src, size_t n) const;
    int get(size_t pos, void* dst, size_t n) const;
};

enum vnode_type : int { vn_file = 1, vn_dir = 2 };

// An inode: one object of a file system (or of no file system, for
// kernel-internal files).
struct vnode {
    std::atomic<long> refs_{1};
    const vnode_type type_;
    const uint64_t ino_;            // unique within its file system

    vnode(vnode_type type, uint64_t ino) : type_(type), ino_(ino) {}
    virtual ~vnode() {}
    vnode(const vnode&) = delete;
    vnode& operator=(const vnode&) = delete;

    void get() { refs_.fetch_add(1, std::memory_order_relaxed); }
    void put();                     // last_ref() at zero
    // The last reference went: deletes. A file system that keeps a table
    // of its vnodes (chkfs) overrides it to leave the table first.
    virtual void last_ref() { delete this; }

    // Up to buf.size bytes at `off`: bytes moved (0 at or past the end),
    // or an error (E_FAULT, E_NOMEM, E_FBIG, E_IO). A disk file system
    // fills whole blocks into its cache and copies the part asked for.
    virtual ssize_t read_at(const iobuf& buf, off_t off) = 0;
    // Writes grow the file (a gap reads as zeros).
    virtual ssize_t write_at(const iobuf& buf, off_t off) = 0;
    virtual off_t size() = 0;
    // Set the size (shrinks or grows with zeros): 0 or an error.
    virtual int truncate(off_t size) = 0;
    dirnode* as_dir();              // nullptr unless a directory
};

// A directory: a list of (name, vnode) entries. Names are checked by the
// caller (vfs_check_name); each entry holds one reference to its vnode.
struct dirnode : vnode {
    using vnode::vnode;
    ssize_t read_at(const iobuf&, off_t) override { return E_INVAL; }
    ssize_t write_at(const iobuf&, off_t) override { return E_INVAL; }
    int truncate(off_t) override { return E_INVAL; }

    // A new reference to the entry `name`, or nullptr.
    virtual vnode* lookup(const char* name) = 0;
    // The entry `name`, created empty if missing (when `create`): a new
    // reference in *out and 0, or E_NOENT, E_NOMEM, E_NOSPC.
    virtual int open_entry(const char* name, bool create, vnode** out) = 0;
    virtual int unlink(const char* name) = 0;
    // Renames (replacing an existing `to`): 0 or E_NOENT, E_NOMEM.
    virtual int rename(const char* from, const char* to) = 0;
    // The name of entry number `index` (0-based, in a stable order while
    // the directory is unchanged) into name[0..size): its length, 0 past
    // the last entry, E_RANGE if it does not fit with its NUL.
    virtual ssize_t entry(size_t index, char* name, size_t size) = 0;
};

inline dirnode* vnode::as_dir() {
    return type_ == vn_dir ? static_cast<dirnode*>(this) : nullptr;
}

// Open-file operations. `read`/`write` get a non-empty buffer already
// checked to be accessible; they may block (streams). The default
// `seek` and `truncate` refuse (E_SPIPE, E_INVAL): streams have no
// position.
struct file_ops {
    virtual ssize_t read(file& f, const iobuf& buf) const = 0;
    virtual ssize_t write(file& f, const iobuf& buf) const = 0;
    virtual off_t seek(file& f, off_t off, int origin) const;
    virtual int truncate(file& f, off_t size) const;
    // The last reference to `f` is going away.
    virtual void release(file&) const {}
};

// An open file: what a descriptor points to.
struct file {
    std::atomic<long> refs_{1};
    const file_ops* ops_;
    const int mode_;                // OF_READ and/or OF_WRITE
    vnode* node_ = nullptr;         // vnode files: the inode (one reference)
    void* stream_ = nullptr;        // stream files: their object (a pipe)
    sleeplock lock_;                // guards off_ (and orders read/write); held
                                    // across the vnode call, which may sleep
    off_t off_ = 0;                 // [lock_] position, vnode files only

    file(const file_ops* ops, int mode) : ops_(ops), mode_(mode) {}
    bool readable() const { return mode_ & OF_READ; }
    bool writable() const { return mode_ & OF_WRITE; }
    void get() { refs_.fetch_add(1, std::memory_order_relaxed); }
    void put();                     // releases and deletes at zero
};

// A new open file on `node` (takes over the caller's reference), or
// nullptr (out of memory: the reference is dropped).
file* vfs_open_vnode(vnode* node, int mode);

// A mounted file system's whole-volume operations (the disk file system
// implements them; memfs mounts none: it has nothing to write back).
struct vfs_filesystem {
    virtual ~vfs_filesystem() {}
    // sys_sync(mode), mode already checked to be 0, 1 or 2: 0 writes every
    // dirty block home and flushes the device; 1 also drops every cached
    // block nobody holds; 2 also checks that nothing but the blocks the
    // file system keeps for the whole mount (superblock, free-block bitmap)
    // is still referenced. 0, E_IO, or E_BUSY (mode 2 found a leak; the
    // leaked block numbers are logged). May sleep.
    virtual int sync(int mode) = 0;
};

// The root directory of the one mounted file system.
dirnode* vfs_root();
// Mount `root` (and its file system's volume operations, or nullptr).
void vfs_mount_root(dirnode* root, vfs_filesystem* fs = nullptr);
vfs_filesystem* vfs_root_fs();
// sys_sync: E_INVAL unless mode is 0, 1 or 2; then the root file system's
// sync (0 when it has none).
int vfs_sync(int mode);

// Checks a name: E_NOENT if empty, E_NAMETOOLONG, E_INVAL if it holds a
// '/'. 0 if good.
int vfs_check_name(const char* name);
// Resolves `path` in the flat root: leading '/'s are skipped; "" (and
// "/", ".", "..") name the root itself (*name = nullptr). Returns 0 and the
// name inside `path`, or E_NOENT (a path with more components),
// E_NAMETOOLONG.
int vfs_split_path(const char* path, const char** name);
// A new reference to the vnode `path` names, or E_NOENT/E_NAMETOOLONG.
int vfs_lookup(const char* path, vnode** out);

// Boot: mount the memory file system with the initial file system's files.
void vfs_init();
