// p-sh-redirect.cc — the shell's redirections and the file utilities:
// `>` creates and truncates, `>>` appends, `<` reads, both at once, a
// redirection in the middle of a pipeline, a bare `> f` creating an empty
// file, a missing input file (status 1, nothing run); ls (-l sizes from
// LSEEK_SIZE), cp, mv, rm, head. Every file it makes is removed and free
// pages come back.
#include "u-lib.hh"
#include "page-accounting.hh"
#include "sh-run.hh"

namespace {

bool contains(const char* text, const char* part) {
    size_t n = strlen(part);
    for (; *text; ++text) {
        if (strncmp(text, part, n) == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace

void process_main() {
    size_t start = start_free_pages();

    sh_expect("echo hi > r1; cat r1", "hi\n");
    sh_expect("echo a much longer line > r1; echo short > r1; cat r1", "short\n");
    sh_expect("echo one > r1; echo two >> r1; echo three >>r1; cat r1", "one\ntwo\nthree\n");
    sh_expect("wc < r1", "      14       3       3\n");
    sh_expect("cat < r1 > r2; cat r2 | wc -l", "3\n");
    sh_expect("cat < notes.txt | wc > r3; cat r3", "     541      99      15\n");
    sh_expect("echo x | cat > r4 | wc -c; cat r4", "0\nx\n");      // > wins over |
    sh_expect("> r5; wc -c r5", "       0 r5\n");
    sh_expect("cat < nosuch && echo never", "sh: nosuch: no such file (-2)\n", 1);
    // `<` is opened first; when it fails nothing runs and r1 is untouched.
    sh_expect("echo lost < nosuch > r1; cat r1", "sh: nosuch: no such file (-2)\none\ntwo\nthree\n");
    sh_expect("ls -l r1 notes.txt primes.txt", "      14 r1\n     541 notes.txt\n   13616 primes.txt\n");
    sh_expect("ls r2 r5", "r2\nr5\n");
    sh_expect("ls | wc -l > r6; ls | grep; true", "sh: grep: command not found\n");
    sh_expect("ls nosuch", "ls: nosuch: no such file (-2)\n", 1);

    // ls lists the root, sorted, with the new files in it.
    static sh_output out;
    sh_run_into(out, "ls", nullptr);
    assert_eq(out.status, 0);
    assert(contains(out.text, "\nnotes.txt\n"));
    assert(!contains(out.text, "\nc1\n"));
    sh_expect("ls | head -n 1", "act-badstack\n");

    sh_expect("cp notes.txt c1; wc c1; mv c1 c2; cat c1; wc -c c2",
              "     541      99      15 c1\ncat: c1: no such file (-2)\n     541 c2\n");
    sh_expect("head -n 1 motd.txt", "Nuthatch: a small x86-64 teaching kernel. Type a command, or `ls` to\n");
    sh_expect("rm r1 r2 r3 r4 r5 r6 c2 && ls r1", "ls: r1: no such file (-2)\n", 1);
    sh_expect("rm r1", "rm: r1: no such file (-2)\n", 1);

    assert_ge(wait_free_pages(start), start);
    printf("sh-redirect succeeded!\n");
}
