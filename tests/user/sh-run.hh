// sh-run.hh — runs the shell (user/p-sh.cc) from a user test and collects
// what it prints.
//
// sh_run(script) forks a child that execs `sh -c script` with stdout and
// stderr on one pipe (sh_run_stdin instead writes the script into the
// shell's stdin through a second pipe, a few bytes at a time, so the shell
// meets lines split across reads); the parent reads the pipe to its end
// and reaps the shell. Easy to get wrong: the parent must close its copy
// of every write end, or its read never sees end of file.
#pragma once
#include "u-lib.hh"

struct sh_output {
    char text[8192];
    size_t len;
    int status;
};

// stdin_script: if non-null, sh runs with no arguments and this on stdin,
// written in pieces of `chunk` bytes.
inline void sh_run_into(sh_output& out, const char* script, const char* stdin_script,
                        size_t chunk = 7) {
    int outp[2], inp[2] = {-1, -1};
    assert_eq(sys_pipe(outp), 0);
    if (stdin_script) {
        assert_eq(sys_pipe(inp), 0);
    }
    pid_t pid = sys_fork();
    assert_ge(pid, 0);
    if (pid == 0) {
        sys_close(outp[0]);
        assert_eq(sys_dup2(outp[1], 1), 0);
        assert_eq(sys_dup2(outp[1], 2), 0);
        sys_close(outp[1]);
        if (stdin_script) {
            sys_close(inp[1]);
            assert_eq(sys_dup2(inp[0], 0), 0);
            sys_close(inp[0]);
            const char* argv[] = {"sh", nullptr};
            sys_execv("sh", argv);
        } else {
            const char* argv[] = {"sh", "-c", script, nullptr};
            sys_execv("sh", argv);
        }
        sys_exit(99);
    }
    sys_close(outp[1]);
    if (stdin_script) {
        sys_close(inp[0]);
        // Write the script in pieces while the shell runs; the output pipe
        // holds a page, so a chatty script could block the shell only if
        // the script were larger than that: keep test scripts short.
        size_t n = strlen(stdin_script);
        for (size_t at = 0; at < n;) {
            size_t piece = n - at < chunk ? n - at : chunk;
            ssize_t w = sys_write(inp[1], stdin_script + at, piece);
            if (w < 0) {
                break;              // the shell exited early (exit N)
            }
            at += size_t(w);
            sys_yield();
        }
        sys_close(inp[1]);
    }
    out.len = 0;
    for (;;) {
        assert_lt(out.len, sizeof(out.text) - 1);
        ssize_t r = sys_read(outp[0], out.text + out.len, sizeof(out.text) - 1 - out.len);
        assert_ge(r, 0);
        if (r == 0) {
            break;
        }
        out.len += size_t(r);
    }
    out.text[out.len] = '\0';
    sys_close(outp[0]);
    out.status = -1;
    assert_eq(sys_waitpid(pid, &out.status), pid);
}

// Checks that `sh -c script` prints exactly `expected` and exits with
// `status`; on a mismatch prints both and fails.
inline void sh_expect(const char* script, const char* expected, int status = 0) {
    static sh_output out;
    sh_run_into(out, script, nullptr);
    if (strcmp(out.text, expected) != 0 || out.status != status) {
        printf("script:   %s\nexpected: [%s] status %d\ngot:      [%s] status %d\n",
               script, expected, status, out.text, out.status);
        assert(false, "shell output or status differs");
    }
}
