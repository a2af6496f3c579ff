// p-crashcheck.cc — the crash tests' checker (scripts/crashtest.py,
// docs/journal.md): booted on the disk a crashed p-crashwork left, it reads
// on standard input what must hold, one line each, until a line `end`:
//   expect NAME SIZE CRC     the file exists with exactly this size and CRC-32C
//   absent NAME              the file does not exist (open gives E_NOENT)
//   any NAME                 changed after the last sync: it may be in any
//                            state, but if it exists it must read to its end
// and prints one line per problem, then a summary ending in `succeeded!`
// when everything held (exit 0), or "crashcheck: FAILED" (exit 1).
// Easy to get wrong: a file is read through to the size the file system
// reports (the size is part of the check), in small reads that cross
// block boundaries, and every read error counts as a problem.
#include "u-lib.hh"

namespace {

unsigned char buf[4096 + 13];
int problems = 0;

// Reads the whole file; -1 and a message if it cannot be opened or read.
long read_file(const char* file, uint32_t* crc, bool must_exist) {
    int fd = sys_open(file, OF_READ);
    if (fd < 0) {
        if (must_exist || fd != E_NOENT) {
            printf("crashcheck: %s: open: %d\n", file, fd);
            ++problems;
        }
        return -1;
    }
    long size = 0;
    uint32_t c = 0;
    for (;;) {
        ssize_t n = sys_read(fd, reinterpret_cast<char*>(buf), sizeof(buf));
        if (n < 0) {
            printf("crashcheck: %s: read at %ld: %zd\n", file, size, n);
            ++problems;
            sys_close(fd);
            return -1;
        }
        if (n == 0) {
            break;
        }
        c = crc32c(c, buf, size_t(n));
        size += n;
    }
    sys_close(fd);
    *crc = c;
    return size;
}

// Next line of standard input into `line` (without the newline); false at
// end of input.
bool read_line(char* line, size_t size) {
    size_t n = 0;
    for (;;) {
        char ch;
        ssize_t r = sys_read(0, &ch, 1);
        if (r <= 0) {
            line[n] = 0;
            return n != 0;
        }
        if (ch == '\n' || ch == '\r') {
            if (n == 0) {
                continue;
            }
            line[n] = 0;
            return true;
        }
        if (n + 1 < size) {
            line[n++] = ch;
        }
    }
}

}  // namespace

void process_main() {
    char line[160];
    int intact = 0, absent = 0, any = 0;
    while (read_line(line, sizeof(line)) && strcmp(line, "end") != 0) {
        char* word = line;
        char* file = strchr(word, ' ');
        if (!file) {
            printf("crashcheck: bad line '%s'\n", line);
            ++problems;
            continue;
        }
        *file++ = 0;
        char* rest = strchr(file, ' ');
        if (rest) {
            *rest++ = 0;
        }
        uint32_t crc = 0;
        if (strcmp(word, "expect") == 0 && rest) {
            char* end;
            long want_size = strtol(rest, &end, 10);
            uint32_t want_crc = uint32_t(strtoul(end, nullptr, 16));
            long size = read_file(file, &crc, true);
            if (size >= 0 && (size != want_size || crc != want_crc)) {
                printf("crashcheck: %s: size %ld crc %08x, expected size %ld crc %08x\n",
                       file, size, crc, want_size, want_crc);
                ++problems;
            } else if (size >= 0) {
                ++intact;
            }
        } else if (strcmp(word, "absent") == 0) {
            long size = read_file(file, &crc, false);
            if (size >= 0) {
                printf("crashcheck: %s: exists (size %ld), expected absent\n", file, size);
                ++problems;
            } else {
                ++absent;
            }
        } else if (strcmp(word, "any") == 0) {
            read_file(file, &crc, false);
            ++any;
        } else {
            printf("crashcheck: bad line '%s'\n", line);
            ++problems;
        }
    }
    if (problems) {
        printf("crashcheck: FAILED: %d problem%s\n", problems, problems == 1 ? "" : "s");
        sys_exit(1);
    }
    printf("crashcheck: %d intact, %d absent, %d in flux: succeeded!\n", intact, absent, any);
    sys_exit(0);
}
