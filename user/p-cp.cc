// p-cp.cc — `cp FROM TO`: copies a file's bytes into TO, created or
// truncated.
#include "u-lib.hh"
#include "ucmd.hh"

namespace {
char buf[4096];
}

void process_main(int argc, char** argv) {
    if (argc != 3) {
        dprintf(2, "usage: cp FROM TO\n");
        sys_exit(2);
    }
    int in = sys_open(argv[1], OF_READ);
    if (in < 0) {
        report_error("cp", argv[1], in);
        sys_exit(1);
    }
    int out = sys_open(argv[2], OF_WRITE | OF_CREATE | OF_TRUNC);
    if (out < 0) {
        report_error("cp", argv[2], out);
        sys_exit(1);
    }
    for (;;) {
        ssize_t n = sys_read(in, buf, sizeof(buf));
        if (n == 0) {
            break;
        }
        if (n < 0) {
            report_error("cp", argv[1], n);
            sys_exit(1);
        }
        if (ssize_t w = write_all(out, buf, size_t(n)); w < 0) {
            report_error("cp", argv[2], w);
            sys_exit(1);
        }
    }
    sys_exit(0);
}
