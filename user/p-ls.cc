// p-ls.cc — `ls [-l] [NAME...]`: lists the root directory (for no NAME,
// or "/", "." or ""), sorted by name, one per line; a NAME that is a file
// is listed if it exists. -l puts each file's size in bytes before its
// name (open, then sys_lseek(fd, 0, LSEEK_SIZE)).
//
// Entries come from sys_readdir(dir, index, name, size), one index at a
// time until it returns 0. Easy to get wrong: the directory may change
// while it is read (an entry can be skipped or seen twice); ls shows
// what it saw.
#include "u-lib.hh"
#include "ucmd.hh"

namespace {

constexpr int max_entries = 512;
constexpr size_t name_size = 128;
char names[max_entries][name_size];
const char* sorted[max_entries];
bool long_format = false;
int status = 0;

bool is_root(const char* s) {
    return !*s || strcmp(s, "/") == 0 || strcmp(s, ".") == 0;
}

// Prints one file; false (reported) if it cannot be opened.
bool show(const char* name) {
    if (!long_format) {
        int fd = sys_open(name, OF_READ);
        if (fd < 0) {
            report_error("ls", name, fd);
            return false;
        }
        sys_close(fd);
        dprintf(1, "%s\n", name);
        return true;
    }
    int fd = sys_open(name, OF_READ);
    if (fd < 0) {
        report_error("ls", name, fd);
        return false;
    }
    ssize_t size = sys_lseek(fd, 0, LSEEK_SIZE);
    sys_close(fd);
    if (size < 0) {
        report_error("ls", name, size);
        return false;
    }
    dprintf(1, "%8ld %s\n", long(size), name);
    return true;
}

void list_directory(const char* dir) {
    int n = 0;
    for (size_t index = 0;; ++index) {
        if (n == max_entries) {
            dprintf(2, "ls: %s: more than %d entries; the rest are not shown\n",
                    dir, max_entries);
            status = 1;
            break;
        }
        ssize_t r = sys_readdir(dir, index, names[n], name_size);
        if (r == 0) {
            break;
        }
        if (r < 0) {
            report_error("ls", *dir ? dir : ".", r);
            status = 1;
            if (r == E_RANGE) {
                continue;               // a name too long for us: skip it
            }
            return;
        }
        sorted[n] = names[n];
        ++n;
    }
    // Insertion sort: a few hundred names at most.
    for (int i = 1; i < n; ++i) {
        const char* x = sorted[i];
        int j = i;
        for (; j > 0 && strcmp(sorted[j - 1], x) > 0; --j) {
            sorted[j] = sorted[j - 1];
        }
        sorted[j] = x;
    }
    for (int i = 0; i < n; ++i) {
        if (long_format) {
            if (!show(sorted[i])) {
                status = 1;
            }
        } else {
            dprintf(1, "%s\n", sorted[i]);
        }
    }
}

}  // namespace

void process_main(int argc, char** argv) {
    bool* const flags[] = {&long_format};
    int i = parse_flags(argc, argv, "l", flags, "ls", "ls [-l] [NAME...]");
    if (i == argc) {
        list_directory("/");
    }
    for (; i < argc; ++i) {
        if (is_root(argv[i])) {
            list_directory(argv[i]);
        } else if (!show(argv[i])) {
            status = 1;
        }
    }
    sys_exit(status);
}
