// p-cat.cc — `cat [FILE...]`: copies each file (stdin for none or "-") to
// stdout. A file that cannot be opened or read is reported on stderr and
// the others are still copied; the status is then 1.
#include "u-lib.hh"
#include "ucmd.hh"

namespace {

char buf[4096];

// 0, 1 on a read error (reported), -1 if stdout is gone.
int copy(int fd, const char* name) {
    for (;;) {
        ssize_t n = read_chunk(fd, buf, sizeof(buf), "cat", name);
        if (n <= 0) {
            return n < 0 ? 1 : 0;
        }
        if (ssize_t w = write_all(1, buf, size_t(n)); w < 0) {
            if (w != E_PIPE) {
                report_error("cat", "write", w);
            }
            return -1;
        }
    }
}

}  // namespace

void process_main(int argc, char** argv) {
    if (argc < 2) {
        sys_exit(copy(0, "stdin") == 0 ? 0 : 1);
    }
    int status = 0;
    for (int i = 1; i < argc; ++i) {
        int fd = open_input("cat", argv[i]);
        if (fd < 0) {
            status = 1;
            continue;
        }
        int r = copy(fd, argv[i]);
        if (fd != 0) {
            sys_close(fd);
        }
        if (r < 0) {
            sys_exit(1);
        }
        status |= r;
    }
    sys_exit(status);
}
