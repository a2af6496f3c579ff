// pipe_ring.cc — the pipe's 64 KiB ring (kernel/core/pipe.cc).
//
// A write of the whole capacity completes at once with nobody reading (on
// a one-page pipe it would block forever: the test then times out); the
// ring's pages beyond the first are allocated only when it first reaches
// them, never again once it has them, and all come back when the pipe is
// freed. With memory exhausted a pipe still carries any amount through
// the one page it was created with: the writer takes what fits and waits
// for the reader to empty the ring. Data is checked byte by byte.
// Easy to get wrong: the tasks of the second part run on one CPU and must
// yield to each other; nothing may allocate while memory is drained.
//! expect: ktest pipe_ring: passed
#include <atomic>
#include "cpustate.hh"
#include "kalloc.hh"
#include "ktest.hh"
#include "pipe.hh"
#include "proc.hh"
#include "vfs.hh"

namespace {

constexpr size_t ring = 64 * 1024;
char out[ring];
char in[ring];

uint8_t pattern(size_t i) {
    return uint8_t(i * 13 + (i >> 10));
}

ssize_t write_all(file* w, size_t n, size_t first) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = char(pattern(first + i));
    }
    return w->ops_->write(*w, iobuf::kernel(out, n));
}

// Reads exactly n bytes in pieces of `piece`, checking the pattern.
void read_check(file* r, size_t n, size_t first, size_t piece) {
    size_t got = 0;
    while (got < n) {
        size_t want = n - got < piece ? n - got : piece;
        ssize_t k = r->ops_->read(*r, iobuf::kernel(in, want));
        assert_gt(k, 0);
        for (ssize_t i = 0; i < k; ++i) {
            assert_eq(uint8_t(in[i]), pattern(first + got + size_t(i)));
        }
        got += size_t(k);
    }
}

struct link {
    link* next;
};

struct oom_state {
    file* r;
    file* w;
    std::atomic<bool> drained{false};
    link* chain = nullptr;
    size_t sent = 20000;
};

void oom_task(int, int index, void* arg) {
    auto* s = static_cast<oom_state*>(arg);
    if (index == 0) {
        // The writer: take every free page, then write five pages' worth.
        while (void* p = kalloc(PAGESIZE)) {
            auto* l = static_cast<link*>(p);
            l->next = s->chain;
            s->chain = l;
        }
        s->drained = true;
        assert_eq(write_all(s->w, s->sent, 0), ssize_t(s->sent));
        assert_eq(kalloc_free_pages(), 0UL);     // the ring never grew
    } else {
        while (!s->drained) {
            current()->yield();
        }
        read_check(s->r, s->sent, 0, 700);
    }
}

}  // namespace

KTEST(pipe_ring) {
    size_t free_before = kalloc_free_pages();
    file* r;
    file* w;
    assert_eq(pipe_create(&r, &w), 0);
    size_t free_created = kalloc_free_pages();

    // The whole capacity in one write, nobody reading: 15 more pages.
    assert_eq(write_all(w, ring, 0), ssize_t(ring));
    assert_eq(kalloc_free_pages(), free_created - 15);
    read_check(r, ring, 0, 1000);
    // Full again, partly drained, refilled across the ring's end: no page
    // is allocated twice.
    assert_eq(write_all(w, ring, ring), ssize_t(ring));
    read_check(r, 5000, ring, 4096);
    assert_eq(write_all(w, 5000, 2 * ring), ssize_t(5000));
    read_check(r, ring - 5000, ring + 5000, 3001);
    read_check(r, 5000, 2 * ring, 5000);
    assert_eq(kalloc_free_pages(), free_created - 15);
    r->put();
    w->put();
    assert_eq(kalloc_free_pages(), free_before);

    // Memory exhausted: one page carries it all.
    oom_state s;
    assert_eq(pipe_create(&s.r, &s.w), 0);
    ktest_run_tasks(oom_task, &s, 2, 1);
    while (link* l = s.chain) {
        s.chain = l->next;
        kfree(l);
    }
    s.r->put();
    s.w->put();
    assert_eq(kalloc_free_pages(), free_before);
}
