// p-sh-stdin.cc — the shell reading a script from stdin (a pipe written a
// few bytes at a time, so lines arrive split across reads): lines run in
// order as they complete; a line continued after `|`, `&&` or inside
// quotes waits for its rest; a bad line is skipped and the next runs;
// at end of input the shell exits with the last status; `exit N` stops
// it before the rest. The prompt goes to stderr, which here is the same
// pipe: each prompt is checked too.
#include "u-lib.hh"
#include "page-accounting.hh"
#include "sh-run.hh"

namespace {

void expect_stdin(const char* script, size_t chunk, const char* expected, int status) {
    static sh_output out;
    sh_run_into(out, nullptr, script, chunk);
    if (strcmp(out.text, expected) != 0 || out.status != status) {
        printf("stdin:    %s\nexpected: [%s] status %d\ngot:      [%s] status %d\n",
               script, expected, status, out.text, out.status);
        assert(false, "shell output or status differs");
    }
}

}  // namespace

void process_main() {
    size_t start = start_free_pages();
    const char* script =
        "echo hello | wc\n"
        "echo a |\n"
        "  wc -c\n"
        "echo 'two\n"
        "lines'\n"
        "| bad\n"
        "false &&\n"
        "echo skipped\n"
        "cat notes.txt | wc\n";
    const char* expected =
        "sh$        6       1       1\n"
        "sh$ > 2\n"
        "sh$ > two\nlines\n"
        "sh$ sh: syntax error near '|'\n"
        "sh$ > sh$      541      99      15\n"
        "sh$ \n";
    // The prompts depend only on the lines, not on how reads split them.
    for (size_t chunk : {size_t(1), size_t(5), size_t(64)}) {
        expect_stdin(script, chunk, expected, 0);
    }
    expect_stdin("true\nfalse\n", 3, "sh$ sh$ sh$ \n", 1);
    expect_stdin("echo x; exit 6\necho never\n", 4, "sh$ x\n", 6);
    expect_stdin("", 1, "sh$ \n", 0);
    expect_stdin("echo no newline at the end", 4, "sh$ no newline at the end\nsh$ \n", 0);

    assert_ge(wait_free_pages(start), start);
    printf("sh-stdin succeeded!\n");
}
