// pipe.cc — pipes: a 64 KiB ring buffer (pages allocated as it first
// reaches them) between two open files, the read end and the write end
// (see pipe.hh and docs/vfs.md).
//
// Rules: a read blocks until there is data or no writer is left, then
// returns what is there (up to the request; never waits for more); with no
// writer it drains the buffer and then returns 0. A write blocks until all
// of it is in the buffer; with no reader left it stops: E_PIPE if nothing
// was written, else the count written so far. The ends are open files, so
// dup2 and fork share them; an end "closes" when its file's last reference
// goes (file_ops::release), and the pipe is freed when both have.
// Locks: `lock_` guards the buffer and both flags. Wake-ups follow the
// wait-queue protocol (docs/contexts.md): a reader or writer does its
// check-and-copy inside block_until's predicate, under `lock_`, after it
// is on the queue (it tries the same check-and-copy once before joining:
// if that succeeds it never waits, and if it fails nothing has changed);
// the other side changes the state under `lock_`, drops it, then wakes. So no wake-up is lost across CPUs, and a reader that
// lost the bytes to another reader goes back to sleep instead of
// returning 0 (which would mean end of file).
// Easy to get wrong: copies to or from user memory happen under `lock_`
// (they cannot fault: uaccess.hh walks page tables) and are bounded by the
// ring's 64 KiB per turn (a few microseconds of copying on hardware).
// A writer allocates ring pages under `lock_` (pipe::lock_ → kalloc_lock).
#include "pipe.hh"
#include "cpustate.hh"
#include "kalloc.hh"
#include "proc.hh"
#include "vfs.hh"
#include "waitqueue.hh"
#include "x86-64.hh"

namespace {

struct pipe {
    // 64 KiB, like Linux's default, so a large write is one hand-off to the
    // reader instead of sixteen. Pages are allocated as the ring first
    // reaches them: a pipe that never holds more than a page (a command
    // pipeline, a ping-pong) keeps one.
    static constexpr size_t npages = 16;
    static constexpr size_t capacity = npages * PAGESIZE;

    spinlock lock_;
    char* pages_[npages] = {};      // [lock_] pages_[0] from creation on
    // [lock_] Ring positions: bytes read and written since the pipe was
    // last empty. Whenever the ring empties both go back to 0, so data
    // always starts on page 0 and a page beyond it is needed only once
    // more than a page is buffered.
    size_t head_ = 0;
    size_t tail_ = 0;
    bool read_open_ = true;         // [lock_]
    bool write_open_ = true;        // [lock_]
    wait_queue readers_;            // waiting for data or no writer
    wait_queue writers_;            // waiting for space or no reader

    size_t used() const { return tail_ - head_; }
};

pipe* pipe_of(file& f) {
    return static_cast<pipe*>(f.stream_);
}

struct pipe_file_ops final : file_ops {
    ssize_t read(file& f, const iobuf& buf) const override {
        // LAB files BEGIN: exercise 2, read: block until there is data or no writer, copy what is there (up to the request) out of the ring, wake the writers
        pipe* p = pipe_of(f);
        ssize_t result = 0;
        proc* self = current();
        auto attempt = [&] {
            if (self->kill_requested_) {
                result = E_INTR;                // killed from the console
                return true;
            }
            spinlock_guard guard(p->lock_);
            size_t n = p->used() < buf.size ? p->used() : buf.size;
            if (n == 0) {
                return !p->write_open_;         // end of file: result 0
            }
            // Page by page; the data may wrap around the end of the ring.
            for (size_t k = 0; k < n; ) {
                size_t at = (p->head_ + k) % pipe::capacity;
                size_t off = at % PAGESIZE;
                size_t piece = PAGESIZE - off < n - k ? PAGESIZE - off : n - k;
                if (buf.put(k, p->pages_[at / PAGESIZE] + off, piece) < 0) {
                    result = E_FAULT;           // nothing consumed
                    return true;
                }
                k += piece;
            }
            p->head_ += n;
            if (p->head_ == p->tail_) {
                p->head_ = p->tail_ = 0;        // empty: start again on page 0
            }
            result = ssize_t(n);
            return true;
        };
        // Try once before joining the queue: when there is data (or end of
        // file) the wait queue is never touched. Only when the attempt
        // fails does the protocol start, and it tries again after prepare.
        if (!attempt()) {
            waiter w(self);
            w.block_until(p->readers_, attempt);
        }
        if (result > 0) {
            p->writers_.wake_all();
        }
        return result;
        // LAB files STUB: (void) f;
        // LAB files STUB: (void) buf;
        // LAB files STUB: return E_NOSYS;     // nothing is ever read
        // LAB files END
    }

    ssize_t write(file& f, const iobuf& buf) const override {
        // LAB files BEGIN: exercise 3, write: block until all of it is in the ring (a page at a time, waking the readers), E_PIPE or a short count once no reader is left
        pipe* p = pipe_of(f);
        proc* self = current();
        size_t done = 0;
        int error = 0;
        while (done < buf.size && !error) {
            size_t moved = 0;
            auto attempt = [&] {
                if (self->kill_requested_) {
                    error = E_INTR;             // killed from the console
                    return true;
                }
                spinlock_guard guard(p->lock_);
                if (!p->read_open_) {
                    error = E_PIPE;
                    return true;
                }
                size_t space = pipe::capacity - p->used();
                size_t n = space < buf.size - done ? space : buf.size - done;
                if (n == 0) {
                    return false;
                }
                // Page by page, allocating a page the ring has not used
                // yet. Out of memory, take what fits in the pages there
                // are; with none (the next page is missing) wait for the
                // reader to empty the ring, which restarts it on page 0.
                size_t done_here = 0;
                while (done_here < n) {
                    size_t at = (p->tail_ + done_here) % pipe::capacity;
                    size_t off = at % PAGESIZE;
                    size_t piece = PAGESIZE - off < n - done_here ? PAGESIZE - off : n - done_here;
                    char*& page = p->pages_[at / PAGESIZE];
                    if (!page && !(page = static_cast<char*>(kalloc(PAGESIZE)))) {
                        break;
                    }
                    if (buf.get(done + done_here, page + off, piece) < 0) {
                        error = E_FAULT;
                        return true;
                    }
                    done_here += piece;
                }
                if (done_here == 0) {
                    return false;
                }
                n = done_here;
                p->tail_ += n;
                moved = n;
                return true;
            };
            if (!attempt()) {           // as in read: the queue only if needed
                waiter w(self);
                w.block_until(p->writers_, attempt);
            }
            if (moved) {
                done += moved;
                p->readers_.wake_all();
            }
        }
        return done ? ssize_t(done) : error;
        // LAB files STUB: (void) f;
        // LAB files STUB: (void) buf;
        // LAB files STUB: return E_NOSYS;     // nothing is ever written
        // LAB files END
    }

    void release(file& f) const override {
        pipe* p = pipe_of(f);
        {
            spinlock_guard guard(p->lock_);
            if (f.readable()) {
                p->read_open_ = false;
            } else {
                p->write_open_ = false;
            }
            if (p->read_open_ || p->write_open_) {
                // Wake the other end's waiters under the lock: once it is
                // dropped, the other end's release may free the pipe
                // (docs/contexts.md orders the pipe lock first).
                p->readers_.wake_all();
                p->writers_.wake_all();
                return;
            }
        }
        // No file refers to the pipe any more, so no task is inside read
        // or write (each holds a reference to its file): free it.
        for (char* page : p->pages_) {
            kfree(page);
        }
        delete p;
    }
};

const pipe_file_ops pipe_ops;

}  // namespace

int pipe_create(file** read_end, file** write_end) {
    auto* p = new pipe;
    char* page = static_cast<char*>(kalloc(PAGESIZE));
    file* r = new file(&pipe_ops, OF_READ);
    file* w = new file(&pipe_ops, OF_WRITE);
    if (!p || !page || !r || !w) {
        delete p;
        kfree(page);
        delete r;
        delete w;
        return E_NOMEM;
    }
    p->pages_[0] = page;
    r->stream_ = p;
    w->stream_ = p;
    *read_end = r;
    *write_end = w;
    return 0;
}
