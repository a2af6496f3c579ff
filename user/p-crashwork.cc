// p-crashwork.cc — the crash tests' workload (scripts/crashtest.py,
// docs/journal.md): creates, appends to, overwrites, truncates, unlinks and
// renames a few files on the disk file system, calls sys_sync(0) at known
// points, and says on the console what is durable after each sync and which
// files it is about to change, so that a host script that kills the machine
// at any moment knows what the disk must still hold.
//
// Input: one line on standard input, the seed (decimal) and optionally the
// number of worker processes P (1 to 4, default 1); the same seed gives the
// same operations and the same output (per process: with P > 1 the
// processes' lines interleave). Output lines, all starting "crashwork: ",
// and with P > 1 then "pI " (I = the worker, 0 to P − 1):
//   start SEED               (once, untagged)
//   touch NAME [NAME2]       before an operation that changes NAME (and NAME2)
//   durable K                after this worker's K-th sync returned; then, for
//   file NAME SIZE CRC       every file of this worker (CRC-32C, 8 hex digits),
//   end K                    the list is complete
//   done                     (untagged) every worker finished; exit status 0
// Files not listed between `durable K` and `end K` do not exist at sync K.
// With P > 1 each worker has its own files (cwI_J), its own model and its
// own seed, and runs its operations and syncs concurrently with the others
// (on several CPUs): another worker's sync may make more durable than a
// report says, never less.
// Easy to get wrong: the model (contents kept in memory) is the truth, not
// what the file system reads back; `touch` is printed before the first
// system call of the operation, so a kill can never land inside an
// operation the host did not hear about; every line is one write (printf),
// so the workers' lines interleave whole.
#include "u-lib.hh"

namespace {

constexpr int nfiles = 6;
constexpr size_t maxsize = 40 * 1024;
constexpr int nops = 48;         // one worker; each of P > 1 does nops / 2
constexpr int max_workers = 4;

struct model_file {
    bool exists = false;
    size_t size = 0;
    unsigned char data[maxsize];
};
model_file model[nfiles];
unsigned char chunk[maxsize];

uint64_t state;
char tag[8] = "";               // "pI " with several workers
unsigned next() {               // xorshift64*
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return unsigned((state * 0x2545F4914F6CDD1DULL) >> 32);
}
unsigned pick(unsigned n) {
    return next() % n;
}

int worker = -1;                // -1: the only one (old names)
void name(char* buf, int i) {
    if (worker < 0) {
        snprintf(buf, 8, "cw%d", i);
    } else {
        snprintf(buf, 8, "cw%d_%d", worker, i);
    }
}

[[noreturn]] void fail(const char* what, const char* file, long r) {
    printf("crashwork: %serror: %s %s: %ld\n", tag, what, file, r);
    sys_exit(1);
}

void write_all(int fd, const char* file, const unsigned char* buf, size_t n) {
    while (n) {
        ssize_t w = sys_write(fd, reinterpret_cast<const char*>(buf), n);
        if (w <= 0) {
            fail("write", file, w);
        }
        buf += w;
        n -= size_t(w);
    }
}

int open_or_fail(const char* file, int flags) {
    int fd = sys_open(file, flags);
    if (fd < 0) {
        fail("open", file, fd);
    }
    return fd;
}

void fill_chunk(size_t n) {
    for (size_t i = 0; i != n; ++i) {
        chunk[i] = (unsigned char) next();
    }
}

// Writes `n` new bytes at `off` (the file exists or is created), extending
// the model with zeros if `off` is past the end.
void put(int i, size_t off, size_t n, bool create) {
    char file[8];
    name(file, i);
    model_file& m = model[i];
    fill_chunk(n);
    int fd = open_or_fail(file, OF_WRITE | (create ? OF_CREATE | OF_TRUNC : 0));
    if (create) {
        m.exists = true;
        m.size = 0;
    }
    if (off) {
        ssize_t r = sys_lseek(fd, off, LSEEK_SET);
        if (r != ssize_t(off)) {
            fail("lseek", file, r);
        }
    }
    write_all(fd, file, chunk, n);
    sys_close(fd);
    if (off > m.size) {
        memset(m.data + m.size, 0, off - m.size);
    }
    memcpy(m.data + off, chunk, n);
    m.size = off + n > m.size ? off + n : m.size;
}

void operation() {
    int i = int(pick(nfiles));
    model_file& m = model[i];
    char file[8], other[8];
    name(file, i);
    unsigned what = m.exists ? pick(6) : 0;
    if (what == 0) {                                    // create (or recreate)
        printf("crashwork: %stouch %s\n", tag, file);
        put(i, 0, pick(maxsize / 2) + 1, true);
    } else if (what == 1 && m.size < maxsize) {         // append
        printf("crashwork: %stouch %s\n", tag, file);
        put(i, m.size, pick(unsigned(maxsize - m.size)) + 1, false);
    } else if (what == 2 && m.size) {                   // overwrite inside
        size_t off = pick(unsigned(m.size));
        size_t room = m.size - off;
        printf("crashwork: %stouch %s\n", tag, file);
        put(i, off, pick(unsigned(room)) + 1, false);
    } else if (what == 3) {                             // truncate
        size_t size = pick(unsigned(m.size + 1));
        printf("crashwork: %stouch %s\n", tag, file);
        int fd = open_or_fail(file, OF_WRITE);
        int r = sys_ftruncate(fd, size);
        if (r != 0) {
            fail("ftruncate", file, r);
        }
        sys_close(fd);
        m.size = size;
    } else if (what == 4) {                             // unlink
        printf("crashwork: %stouch %s\n", tag, file);
        int r = sys_unlink(file);
        if (r != 0) {
            fail("unlink", file, r);
        }
        m.exists = false;
        m.size = 0;
    } else {                                            // rename over another slot
        int j = (i + 1 + int(pick(nfiles - 1))) % nfiles;
        name(other, j);
        printf("crashwork: %stouch %s %s\n", tag, file, other);
        int r = sys_rename(file, other);
        if (r != 0) {
            fail("rename", file, r);
        }
        model[j].exists = true;
        model[j].size = m.size;
        memcpy(model[j].data, m.data, m.size);
        m.exists = false;
        m.size = 0;
    }
}

void sync_and_report(int k) {
    int r = sys_sync(0);
    if (r != 0) {
        fail("sync", "-", r);
    }
    printf("crashwork: %sdurable %d\n", tag, k);
    for (int i = 0; i != nfiles; ++i) {
        if (model[i].exists) {
            char file[8];
            name(file, i);
            printf("crashwork: %sfile %s %zu %08x\n", tag, file, model[i].size,
                   crc32c(model[i].data, model[i].size));
        }
    }
    printf("crashwork: %send %d\n", tag, k);
}

// One worker's run: its files removed, then nops operations with syncs.
void run(int ops) {
    // Start from no files of ours (an earlier run may have left some).
    for (int i = 0; i != nfiles; ++i) {
        char file[8];
        name(file, i);
        sys_unlink(file);
    }
    int k = 0;
    sync_and_report(k++);
    for (int op = 0; op != ops; ++op) {
        operation();
        if (pick(3) == 0 || op + 1 == ops) {
            sync_and_report(k++);
        }
    }
}

}  // namespace

void process_main() {
    char line[32] = {};
    ssize_t n = sys_read(0, line, sizeof(line) - 1);
    char* end = line;
    unsigned long seed = n > 0 ? strtoul(line, &end, 10) : 1;
    long nworkers = n > 0 ? strtol(end, nullptr, 10) : 1;
    if (nworkers < 1 || nworkers > max_workers) {
        nworkers = 1;
    }
    printf("crashwork: start %lu\n", seed);
    if (nworkers == 1) {
        state = seed * 0x9E3779B97F4A7C15ULL + 1;
        run(nops);
    } else {
        pid_t pids[max_workers];
        for (int w = 0; w != nworkers; ++w) {
            pids[w] = sys_fork();
            if (pids[w] < 0) {
                fail("fork", "-", pids[w]);
            }
            if (pids[w] == 0) {
                worker = w;
                snprintf(tag, sizeof(tag), "p%d ", w);
                state = (seed + 7919 * unsigned(w)) * 0x9E3779B97F4A7C15ULL + 1;
                run(nops / 2);
                sys_exit(0);
            }
        }
        for (int w = 0; w != nworkers; ++w) {
            int status = -1;
            if (sys_waitpid(pids[w], &status) != pids[w] || status != 0) {
                fail("worker", "-", status);
            }
        }
    }
    printf("crashwork: done\n");
    sys_exit(0);
}
