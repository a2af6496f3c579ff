// p-head.cc — `head [-n N] [FILE...]`: the first N lines (default 10) of
// each file, or of stdin. With several files each gets a "==> NAME <=="
// header, as in POSIX head.
#include "u-lib.hh"
#include "ucmd.hh"

namespace {

char buf[4096];

// false on an error (reported); stops reading once N lines are out.
bool head(int fd, const char* name, long lines) {
    while (lines > 0) {
        ssize_t n = read_chunk(fd, buf, sizeof(buf), "head", name);
        if (n <= 0) {
            return n == 0;
        }
        size_t keep = 0;
        while (keep < size_t(n) && lines > 0) {
            if (buf[keep++] == '\n') {
                --lines;
            }
        }
        if (ssize_t w = write_all(1, buf, keep); w < 0) {
            return false;
        }
    }
    return true;
}

}  // namespace

void process_main(int argc, char** argv) {
    long lines = 10;
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
        if (!parse_count(argv[i + 1], &lines)) {
            dprintf(2, "head: bad line count '%s'\n", argv[i + 1]);
            sys_exit(2);
        }
        i += 2;
    } else if (i < argc && argv[i][0] == '-' && argv[i][1]) {
        dprintf(2, "usage: head [-n N] [FILE...]\n");
        sys_exit(2);
    }
    if (i == argc) {
        sys_exit(head(0, "stdin", lines) ? 0 : 1);
    }
    int status = 0;
    int nfiles = argc - i;
    for (int first = i; i < argc; ++i) {
        int fd = sys_open(argv[i], OF_READ);
        if (fd < 0) {
            report_error("head", argv[i], fd);
            status = 1;
            continue;
        }
        if (nfiles > 1) {
            dprintf(1, "%s==> %s <==\n", i > first ? "\n" : "", argv[i]);
        }
        if (!head(fd, argv[i], lines)) {
            status = 1;
        }
        sys_close(fd);
    }
    sys_exit(status);
}
