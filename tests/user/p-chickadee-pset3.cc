// p-chickadee-pset3.cc — what Chickadee's pset-3 programs rely on and
// Nuthatch once did differently. sys_dup2 returns 0 on success, also for
// dup2(fd, fd) and when the target was open (Chickadee's p-testvfs checks
// `== 0`; POSIX would return the new descriptor). `wc` prints Chickadee's
// format: bytes, words, lines, "%8 %7 %7", a name after a space; one
// selected count of stdin is the bare number, with a name "%8 name".
// The initial (memory) file system holds emerson.txt and thoreau.txt, as
// Chickadee's initfs does: its p-testmemfs reads emerson.txt before any
// disk exists (this test runs with none). Easy to get wrong: the descriptors still work after each dup2 (the
// return value changed, not what dup2 does), and a failed dup2 is still
// E_BADF, not 0.
#include "u-lib.hh"
#include "sh-run.hh"

void process_main() {
    // dup2's return value, and that the descriptors still share one file.
    int pfd[2];
    assert_eq(sys_pipe(pfd), 0);
    assert_eq(sys_dup2(pfd[1], 7), 0);          // 7 was closed
    assert_eq(sys_dup2(pfd[1], 7), 0);          // 7 was open
    assert_eq(sys_dup2(7, 7), 0);               // dup2(x, x), x open
    assert_eq(sys_dup2(9, 9), E_BADF);          // dup2(x, x), x closed
    assert_eq(sys_dup2(9, 7), E_BADF);
    assert_eq(sys_write(7, "via7", 4), 4);
    assert_eq(sys_close(pfd[1]), 0);
    assert_eq(sys_close(7), 0);                 // last write end
    char buf[16];
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 4);
    assert_memeq(buf, "via7", 4);
    assert_eq(sys_read(pfd[0], buf, sizeof(buf)), 0);
    assert_eq(sys_close(pfd[0]), 0);

    // emerson.txt from the memory file system (the opening of Emerson's
    // "The Titmouse", 130 bytes), and thoreau.txt.
    int f = sys_open("emerson.txt", OF_READ);
    assert_gt(f, 2);
    assert_eq(sys_read(f, buf, 6), 6);
    assert_memeq(buf, "When p", 6);
    assert_eq(sys_lseek(f, 0, LSEEK_SIZE), 130);
    assert_eq(sys_close(f), 0);
    f = sys_open("thoreau.txt", OF_READ);
    assert_gt(f, 2);
    assert_eq(sys_lseek(f, 0, LSEEK_SIZE), 685);
    assert_eq(sys_close(f), 0);

    // wc's output, byte for byte (motd.txt: 2 lines, 16 words, 87 bytes).
    sh_expect("echo hello | wc", "       6       1       1\n");
    sh_expect("wc motd.txt", "      87      16       2 motd.txt\n");
    sh_expect("wc motd.txt - < motd.txt",
              "      87      16       2 motd.txt\n"
              "      87      16       2 -\n"
              "     174      32       4 total\n");
    sh_expect("echo one two | wc -w", "2\n");
    sh_expect("wc -l motd.txt", "       2 motd.txt\n");
    sh_expect("wc -c < motd.txt", "87\n");

    printf("chickadee-pset3 succeeded!\n");
    sys_exit(0);
}
