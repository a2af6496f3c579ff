// console_input.cc — bytes fed into the console input path from another
// kernel task (another CPU when there is one) come out of console_read_line
// as edited lines, in order, with end of file; the reader blocks while
// nothing is complete and is woken when a line ends; a reader being killed
// gets E_INTR.
//! expect: ktest console_input: passed
//! expect: ^hello$
//! expect: ^line 19$
#include <atomic>
#include "console.hh"
#include "cpustate.hh"
#include "ktest.hh"
#include "printf.hh"
#include "string.hh"
#include "timer.hh"

namespace {

constexpr int burst_lines = 20;

struct script {
    std::atomic<int> step{0};       // how many batches the feeder has typed
};

void type(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        console_input_byte(s[i]);
    }
}

// Each batch comes after a pause, so the reader is (usually) blocked when
// it arrives.
void feeder(void* arg) {
    auto* sc = static_cast<script*>(arg);
    static const char batches[][24] = {
        "hello\r\n",                // CR LF ends one line
        "abx\bc\n",                 // Backspace
        "junk\x15" "ok\x7f" "k\n",  // Ctrl-U, DEL
        "0123456789\n",             // read in pieces
        "\x04",                     // end of file at line start
        "partial\x04",              // Ctrl-D mid-line
        "after eof\r",
    };
    for (auto& b : batches) {
        msleep(5);
        type(b, strlen(b));
        ++sc->step;
    }
    // A burst with no pauses: nothing lost, order kept.
    for (int i = 0; i < burst_lines; ++i) {
        char line[16];
        snprintf(line, sizeof(line), "line %d\n", i);
        type(line, strlen(line));
    }
    ++sc->step;
    current()->pstate_ = ps_exited;
    current()->yield_noreturn();
}

void expect_read(size_t size, const char* want) {
    char buf[64];
    assert_le(size, sizeof(buf));
    ssize_t n = console_read_line(buf, size);
    assert_eq(n, ssize_t(strlen(want)));
    assert(memcmp(buf, want, n) == 0, "console_read_line returned the wrong bytes");
}

}  // namespace

KTEST(console_input) {
    char c;
    assert_eq(console_read_line(&c, 0), ssize_t(0));    // size 0: no wait

    script sc;
    proc* task = spawn_kernel_task(ncpu > 1 ? 1 : 0, feeder, &sc, "typist");
    assert(task);

    expect_read(64, "hello\n");
    expect_read(64, "abc\n");           // and not an empty line from the LF
    expect_read(64, "ok\n");
    expect_read(4, "0123");
    expect_read(4, "4567");
    expect_read(4, "89\n");
    expect_read(64, "");                // end of file
    expect_read(64, "partial");
    expect_read(64, "after eof\n");
    for (int i = 0; i < burst_lines; ++i) {
        char want[16];
        snprintf(want, sizeof(want), "line %d\n", i);
        expect_read(64, want);
    }
    while (!task->descheduled_) {
        current()->yield();
    }
    proc::free(task);
    assert_eq(sc.step.load(), 8);

    // A reader whose process is being killed (Ctrl-K) gets E_INTR, not the
    // 0 of end of file, and consumes nothing.
    type("kept\n", 5);
    current()->kill_requested_ = true;
    assert_eq(console_read_line(&c, 1), ssize_t(E_INTR));
    current()->kill_requested_ = false;
    expect_read(64, "kept\n");
}
