// console-file.cc — the console as an open file: reading takes whole lines
// from the keyboard and serial line discipline (console_read_line, which
// blocks on a wait queue), writing draws on the screen and the serial
// line. The first process gets one such file, readable and writable, on
// descriptors 0, 1 and 2, as in Chickadee.
// Easy to get wrong: console_read_line writes its buffer under a spinlock,
// so the bytes bounce through a kernel buffer; and a long write lets
// interrupts in between chunks (preemption_point), or one write could stop
// this CPU's clock for seconds (tests/user/p-bigwrite).
#include "console-file.hh"
#include "console.hh"
#include "cpustate.hh"
#include "vfs.hh"

namespace {

struct console_file_ops final : file_ops {
    ssize_t read(file&, const iobuf& buf) const override {
        char chunk[256];
        size_t want = buf.size < sizeof(chunk) ? buf.size : sizeof(chunk);
        ssize_t n = console_read_line(chunk, want);
        if (n > 0 && buf.put(0, chunk, size_t(n)) < 0) {
            return E_FAULT;
        }
        return n;
    }
    ssize_t write(file&, const iobuf& buf) const override {
        char chunk[256];
        for (size_t done = 0; done < buf.size;) {
            size_t n = buf.size - done < sizeof(chunk) ? buf.size - done : sizeof(chunk);
            if (buf.get(done, chunk, n) < 0) {
                return done ? ssize_t(done) : E_FAULT;
            }
            console_write(chunk, n);
            done += n;
            preemption_point();
        }
        return ssize_t(buf.size);
    }
};

const console_file_ops console_ops;

}  // namespace

file* console_open_file() {
    return new file(&console_ops, OF_READ | OF_WRITE);
}
