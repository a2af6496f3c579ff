// console_file.cc — the console as an open file (console-file.cc): one
// file, readable and writable; a read blocks until another task (another
// CPU when there is one) completes a line, returns that line, and Ctrl-D
// at the start of a line is end of file (0); a read smaller than the line
// leaves the rest for the next read; a write reaches the console.
//! expect: ktest console_file: passed
//! expect: ^console-file: written through the file$
#include <atomic>
#include "console.hh"
#include "console-file.hh"
#include "cpustate.hh"
#include "ktest.hh"
#include "proc.hh"
#include "string.hh"
#include "timer.hh"
#include "vfs.hh"

namespace {

std::atomic<int> typed{0};

void feeder(void*) {
    msleep(20);
    for (const char* s = "line one\n"; *s; ++s) {
        console_input_byte(*s);
    }
    typed = 1;
    msleep(20);
    console_input_byte('\x04');
    typed = 2;
    current()->pstate_ = ps_exited;
    current()->yield_noreturn();
}

}  // namespace

KTEST(console_file) {
    file* f = console_open_file();
    assert(f);
    assert(f->readable() && f->writable());
    const char text[] = "console-file: written through the file\n";
    assert_eq(f->ops_->write(*f, iobuf::kernel(const_cast<char*>(text), strlen(text))),
              ssize_t(strlen(text)));
    assert_eq(f->ops_->seek(*f, 0, LSEEK_SET), E_SPIPE);

    assert(spawn_kernel_task(ncpu > 1 ? 1 : 0, feeder, nullptr, "feeder"));
    char buf[32];
    ssize_t n = f->ops_->read(*f, iobuf::kernel(buf, 4));
    assert_eq(typed.load(), 1);             // blocked until the line ended
    assert_eq(n, 4);
    assert(memcmp(buf, "line", 4) == 0);
    n = f->ops_->read(*f, iobuf::kernel(buf, sizeof(buf)));
    assert_eq(n, 5);
    assert(memcmp(buf, " one\n", 5) == 0);
    n = f->ops_->read(*f, iobuf::kernel(buf, sizeof(buf)));
    assert_eq(typed.load(), 2);
    assert_eq(n, 0);                         // Ctrl-D at the start of a line
    f->put();
}
