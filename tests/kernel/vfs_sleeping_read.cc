// vfs_sleeping_read.cc — a vnode whose reads sleep (as a disk file
// system's do, waiting for a block) behind one open file shared by four
// tasks per CPU: the file's lock is held across the vnode call, so it must
// be a sleeping lock (a spinlock held there fails the scheduler's
// "no spinlock held" assertion at the first yield), and it must still
// serialise the position: every 16-byte record of the file is read by
// exactly one task, none twice, none skipped.
//! expect: ktest vfs_sleeping_read: passed
#include <atomic>
#include "cpustate.hh"
#include "ktest.hh"
#include "string.hh"
#include "vfs.hh"

namespace {

constexpr size_t record = 16;
constexpr size_t nrecords = 2048;

// Record i holds i (8 bytes) and its complement.
struct slow_vnode final : vnode {
    slow_vnode() : vnode(vn_file, 77) {}
    ssize_t read_at(const iobuf& buf, off_t off) override {
        current()->yield();             // "waiting for the disk"
        current()->yield();
        if (off < 0) {
            return E_INVAL;
        }
        size_t end = nrecords * record;
        if (size_t(off) >= end) {
            return 0;
        }
        size_t n = buf.size < end - size_t(off) ? buf.size : end - size_t(off);
        for (size_t i = 0; i < n; ++i) {
            size_t pos = size_t(off) + i;
            uint64_t words[2] = {pos / record, ~(pos / record)};
            unsigned char byte = reinterpret_cast<unsigned char*>(words)[pos % record];
            if (buf.put(i, &byte, 1) < 0) {
                return E_FAULT;
            }
        }
        return ssize_t(n);
    }
    ssize_t write_at(const iobuf&, off_t) override { return E_INVAL; }
    off_t size() override { return off_t(nrecords * record); }
    int truncate(off_t) override { return E_INVAL; }
};

struct shared {
    file* f;
    std::atomic<int> seen[nrecords];
};

void reader(int, int, void* arg) {
    auto* s = static_cast<shared*>(arg);
    for (;;) {
        uint64_t words[2];
        ssize_t n = s->f->ops_->read(*s->f, iobuf::kernel(words, sizeof(words)));
        if (n == 0) {
            return;
        }
        assert_eq(n, ssize_t(record));
        assert_eq(words[1], ~words[0]);
        assert_lt(words[0], nrecords);
        s->seen[words[0]].fetch_add(1);
    }
}

}  // namespace

KTEST(vfs_sleeping_read) {
    auto* v = new slow_vnode;
    assert(v);
    auto* s = new shared;
    assert(s);
    for (auto& x : s->seen) {
        x = 0;
    }
    s->f = vfs_open_vnode(v, OF_READ);
    assert(s->f);
    ktest_run_tasks(reader, s, 4);
    for (size_t i = 0; i < nrecords; ++i) {
        assert_eq(s->seen[i].load(), 1);
    }
    s->f->put();                        // frees the vnode too
    delete s;
}
