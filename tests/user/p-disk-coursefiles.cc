// p-disk-coursefiles.cc — the disk holds the files Chickadee's pset-4
// programs (testwritefs 1–4, wcdiskfile, readdiskfile) open, with the
// sizes and opening bytes those programs compare (docs/diskfs.md):
// emerson.txt is 130 bytes and starts with two and a half lines of
// Emerson's "The Titmouse"; thoreau.txt is 685 bytes and starts "The
// moon"; dickinson.txt starts with four lines of Dickinson, read in
// pieces of 34, 24, 28 and 26 bytes. Also that the older header name
// p-lib.hh and KDISPLAY_NONE (which those programs use) build and work.
// Easy to get wrong: an editor adding or dropping a final newline changes
// a size, and nothing but this test would notice before a course run.
//! disk: yes
//! fsck: yes
#include "p-lib.hh"

namespace {

char buf[1024];

// Reads the whole file `name` into buf (through a descriptor, as the
// coursework does) and returns its size, also checking LSEEK_SIZE and
// sys_readdiskfile agree.
ssize_t slurp(const char* name) {
    int fd = sys_open(name, OF_READ);
    assert_gt(fd, 2);
    ssize_t n = sys_read(fd, buf, sizeof(buf));
    assert_ge(n, 0);
    assert_eq(sys_read(fd, buf + n, 1), 0);
    assert_eq(sys_lseek(fd, 0, LSEEK_SIZE), n);
    assert_eq(sys_close(fd), 0);
    static char again[sizeof(buf)];
    assert_eq(sys_readdiskfile(name, again, sizeof(again), 0), n);
    assert_memeq(again, buf, size_t(n));
    return n;
}

}  // namespace

void process_main() {
    assert_eq(sys_kdisplay(KDISPLAY_NONE), 0);

    assert_eq(slurp("emerson.txt"), 130);
    assert_memeq(buf, "When piped a tiny voice hard by,\n"
                 "Gay and polite, a cheerful cry,\n"
                 "Chic-chicadeedee", 81);

    assert_eq(slurp("thoreau.txt"), 685);
    assert_memeq(buf, "The moon", 8);

    ssize_t n = slurp("dickinson.txt");
    assert_ge(n, 112);
    assert_memeq(buf, "The Birds begun at Four o'clock -\n", 34);
    assert_memeq(buf + 34, "Their period for Dawn -\n", 24);
    assert_memeq(buf + 58, "A Music numerous as space -\n", 28);
    assert_memeq(buf + 86, "But neighboring as Noon -\n", 26);

    // The files a program creates in that coursework do not exist yet.
    assert_eq(sys_open("geisel.txt", OF_READ), E_NOENT);

    printf("disk-coursefiles succeeded!\n");
}
