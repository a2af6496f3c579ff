// fdtable.hh — a process's file descriptors: small integers naming
// reference-counted open files (vfs.hh).
//
// Every slot holds one reference to its file. `get` hands out another
// reference for the length of a system call, so a file cannot be freed
// while a call on it blocks, whatever happens to the slot meanwhile.
// Fork copies the table (each file gets one more reference: parent and
// child share offsets), exec keeps it, exit closes every slot.
// A call that must not change anything when the table is full (open
// creates and truncates files) first `reserve`s its descriptor: the slot
// holds a marker, which every other operation treats as taken but not
// open (get and close see nothing there, fork copies nothing, dup2 onto
// it is E_BUSY), until `fill` or `unreserve`.
// Easy to get wrong: a file's last `put` can run a release hook that
// wakes tasks and frees memory; it is always called after `lock_` is
// dropped, never under it.
#pragma once
#include "spinlock.hh"

struct file;

struct fdtable {
    static constexpr int size = 32;

    spinlock lock_;
    file* files_[size] = {};        // [lock_]

    // A new reference to the file at `fd`, or nullptr (closed or out of
    // range).
    file* get(int fd);
    // Put `f` (the caller's reference moves into the table) at the lowest
    // free descriptor: that descriptor, or E_MFILE.
    int install(file* f);
    // Two descriptors at once (for pipe): 0, or E_MFILE with nothing done.
    int install2(file* a, file* b, int* fda, int* fdb);
    // The lowest free descriptor, kept for a later `fill` or `unreserve`,
    // or E_MFILE.
    int reserve();
    // Put `f` (the caller's reference) at reserved descriptor `fd`.
    void fill(int fd, file* f);
    // Give reserved descriptor `fd` back unused.
    void unreserve(int fd);
    // Put a reference to `f` at `fd` (E_BADF out of range, E_BUSY if it
    // is reserved). The file previously there is closed.
    int install_at(int fd, file* f);
    // 0 or E_BADF.
    int close(int fd);
    // dup2 semantics: `newfd` after the call refers to `oldfd`'s file.
    int dup2(int oldfd, int newfd);
    // Copy every slot of `from` into this (empty) table.
    void copy_from(fdtable& from);
    void close_all();
};
