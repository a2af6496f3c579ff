// chkfsck.cc — host tool: check a chickadeefs disk image.
//
//   chkfsck [-V] [-S] [-n | -w] IMAGE
//
// Replays the journal in memory (committed but incomplete transactions;
// reports what it replayed and what it ignored), then checks the image.
// -w also writes the replayed blocks home in IMAGE and zeroes the journal
// (as Chickadee's checker does with -s); -n skips the journal; -S counts a
// skipped (unusable) journal metablock as an error, as Chickadee's checker
// does, instead of a warning. Exit
// status: 0 clean (warnings allowed), 1 errors found, 2 usage or I/O error.
// Easy to get wrong: without -w the image file is opened read-only and
// never changed, whatever the checker finds.
#include "chkfs-fsck.hh"
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <sys/stat.h>
#include <unistd.h>

namespace {

const char* progname = "chkfsck";

[[noreturn]] void usage() {
    fprintf(stderr, "usage: %s [-V] [-S] [-n | -w] IMAGE\n"
            "  -V  list the superblock and every inode\n"
            "  -S  strict: a skipped journal metablock is an error (as in Chickadee's checker)\n"
            "  -n  do not replay the journal before checking\n"
            "  -w  write the journal replay into IMAGE and clear the journal\n", progname);
    exit(2);
}

bool read_all(int fd, std::vector<unsigned char>& out) {
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return false;
    }
    out.resize(size_t(st.st_size));
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n = pread(fd, out.data() + done, out.size() - done, off_t(done));
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return false;
        }
        done += size_t(n);
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    fsck_options opt;
    bool write_back = false, strict = false;
    int c;
    while ((c = getopt(argc, argv, "VSnwh")) != -1) {
        switch (c) {
        case 'V': opt.verbose = true; break;
        case 'S': strict = true; break;
        case 'n': opt.replay_journal = false; break;
        case 'w': write_back = true; break;
        default: usage();
        }
    }
    if (optind + 1 != argc || (write_back && !opt.replay_journal)) {
        usage();
    }
    const char* path = argv[optind];
    int fd = open(path, write_back ? O_RDWR : O_RDONLY);
    std::vector<unsigned char> image;
    fsck_report rep;
    try {
        if (fd < 0 || !read_all(fd, image)) {
            fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
            return 2;
        }
        rep = chkfs_check(image, opt);
    } catch (const std::bad_alloc&) {
        fprintf(stderr, "%s: %s: not enough memory to check this image\n", progname, path);
        return 2;
    }
    for (auto& line : rep.log) {
        printf("%s\n", line.c_str());
    }
    if (opt.replay_journal && rep.replayed_transactions == 0 && !rep.has(fsck_problem::journal_bad)
        && !rep.has(fsck_problem::bad_magic) && !rep.has(fsck_problem::image_size)
        && !rep.has(fsck_problem::bad_geometry)) {
        printf("journal: nothing to replay\n");
    }
    printf("%s", rep.summary().c_str());

    if (write_back && !rep.has(fsck_problem::journal_bad) && !rep.has(fsck_problem::bad_magic)
        && !rep.has(fsck_problem::bad_geometry) && !rep.has(fsck_problem::image_size)) {
        chkfs::superblock sb;
        memcpy(&sb, image.data() + chkfs::superblock_offset, sizeof(sb));
        bool ok = true;
        for (chkfs::blocknum_t bn : rep.replayed_blocks) {
            off_t off = off_t(bn) * chkfs::blocksize;
            ok = ok && pwrite(fd, image.data() + off, chkfs::blocksize, off) == ssize_t(chkfs::blocksize);
        }
        std::vector<unsigned char> zero(size_t(sb.njournal) * chkfs::blocksize, 0);
        off_t joff = off_t(sb.journal_bn) * chkfs::blocksize;
        if (ok && sb.njournal && memcmp(image.data() + joff, zero.data(), zero.size()) != 0) {
            ok = pwrite(fd, zero.data(), zero.size(), joff) == ssize_t(zero.size());
            if (ok) {
                printf("journal: written home and cleared in %s\n", path);
            }
        }
        if (!ok || fsync(fd) != 0) {
            fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
            return 2;
        }
    }
    close(fd);

    size_t e = rep.errors(), w = rep.warnings();
    if (strict && rep.has(fsck_problem::journal_ignored)) {
        printf("error: strict: the journal holds a metablock that cannot be used "
               "(Chickadee's checker counts it as an error)\n");
        ++e;
    }
    if (e) {
        printf("%s: %zu error%s, %zu warning%s\n", path, e, e == 1 ? "" : "s", w, w == 1 ? "" : "s");
    } else {
        printf("%s: clean%s\n", path, w ? (" (" + std::to_string(w) + " warning" + (w == 1 ? ")" : "s)")).c_str() : "");
    }
    return e ? 1 : 0;
}
