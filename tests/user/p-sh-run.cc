// p-sh-run.cc — the shell runs commands, pipelines, && / || and ;, with
// the right output and exit status: known counts through wc (the text files
// of initfs/), a long pipeline, a failing command's status, a missing
// command (127 and a message), builtins exit and wait, quoting, and syntax
// errors (status 2, nothing of the bad line runs). Output and stderr come
// back through a pipe (sh-run.hh). Free pages come back.
//! lab: files 10
#include "u-lib.hh"
#include "page-accounting.hh"
#include "sh-run.hh"

void process_main() {
    size_t start = start_free_pages();

    // Commands and pipelines, with counts wc must get right.
    sh_expect("echo hello", "hello\n");
    sh_expect("echo hello | wc", "       6       1       1\n");
    sh_expect("cat notes.txt | wc", "     541      99      15\n");
    sh_expect("wc motd.txt notes.txt", "      87      16       2 motd.txt\n     541      99      15 notes.txt\n"
              "     628     115      17 total\n");
    sh_expect("cat motd.txt notes.txt | wc -l", "17\n");
    sh_expect("cat primes.txt | cat | cat | cat | wc -c", "13616\n");
    sh_expect("echo one two  three | wc -w -l", "       3       1\n");
    sh_expect("cat notes.txt | head -n 2 | wc -l", "2\n");
    sh_expect("echo -n abc | wc", "       3       1       0\n");
    sh_expect("echo 'a  b' \"c|d\" e\\;f", "a  b c|d e;f\n");

    // ; runs everything; the status is the last one's.
    sh_expect("echo a; echo b;echo c", "a\nb\nc\n");
    sh_expect("true; false", "", 1);
    sh_expect("false; true", "", 0);

    // && and ||, left to right.
    sh_expect("true && echo yes", "yes\n");
    sh_expect("false && echo never", "", 1);
    sh_expect("false || echo no", "no\n");
    sh_expect("true || echo never", "");
    sh_expect("false && echo x || echo y", "y\n");
    sh_expect("true || echo x && echo z", "z\n");
    sh_expect("false || false || echo third", "third\n");
    sh_expect("echo a | wc -c && echo piped", "2\npiped\n");

    // A pipeline's status is its last command's.
    sh_expect("true | false", "", 1);
    sh_expect("false | true", "", 0);

    // exit, and a missing command.
    sh_expect("exit 3", "", 3);
    sh_expect("echo before; exit 7; echo after", "before\n", 7);
    sh_expect("false; exit", "", 1);
    sh_expect("nosuchprogram arg", "sh: nosuchprogram: command not found\n", 127);
    sh_expect("nosuchprogram || echo recovered", "sh: nosuchprogram: command not found\nrecovered\n");
    sh_expect("exit 4 | cat; echo still here", "still here\n");   // exit in a pipeline: a child

    // Syntax errors: status 2, and nothing of the line runs.
    sh_expect("echo ran; | wc", "sh: syntax error near '|'\n", 2);
    sh_expect("echo x >", "sh: missing file name after '>'\n", 2);
    sh_expect("echo 'open", "sh: unterminated quote '\n", 2);
    sh_expect("echo ok\necho | | x\necho next", "ok\nsh: syntax error near '|'\nnext\n");

    // Utility errors go to stderr with a nonzero status.
    sh_expect("cat nosuchfile", "cat: nosuchfile: no such file (-2)\n", 1);
    sh_expect("wc -z", "wc: unknown option -z\nusage: wc [-clw] [FILE...]\n", 2);
    sh_expect("sleep x", "sleep: invalid time 'x'\n", 1);

    assert_ge(wait_free_pages(start), start);
    printf("sh-run succeeded!\n");
}
