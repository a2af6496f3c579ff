// p-sh.cc — the shell: Chickadee's shell language (user/shparse.hh) on
// Nuthatch's descriptors, pipes and files.
//
//     sh                 read commands from stdin, prompting "sh$ " on stderr
//     sh -c 'commands'   run the given text
//     sh FILE            run the commands in FILE
//
// Each line is parsed whole and then run: lists one after another; a list
// ended by '&' runs in a forked copy of the shell that the shell does not
// wait for; in a list, '&&' runs the next pipeline only if the last status
// was 0 and '||' only if it was not; each command of a pipeline is a forked
// child connected to its neighbours by pipes, and the shell waits for all
// of them; the pipeline's status is its last command's. Builtins: `exit
// [N]` (N defaults to the last status) and `wait` (for every background
// job). The shell exits with the last status at end of input.
//
// Background jobs that finished are reaped before each line is read, so
// zombies do not pile up. Easy to get wrong: every pipe descriptor must be
// closed in the shell and in every child except where it is used, or a
// reader never sees end of file; the script file's descriptor must not
// leak into commands; and the stack is one page, so the line buffer and
// the parse live in static storage.
#include "u-lib.hh"
#include "shparse.hh"
#include "ucmd.hh"

namespace {

char input[4096];           // bytes read but not yet run
size_t input_len = 0;
bool input_eof = false;
int input_fd = 0;           // -1 for `sh -c`
int script_fd = -1;         // `sh FILE`'s descriptor, closed in children
bool interactive = false;   // prompt on stderr
int last_status = 0;
sh_line line;

[[noreturn]] void exit_builtin(const sh_command& c) {
    long n = last_status;
    if (c.argc > 2) {
        dprintf(2, "sh: exit: too many arguments\n");
        sys_exit(2);
    }
    if (c.argc == 2) {
        char* end;
        n = strtol(c.argv[1], &end, 10);
        if (!*c.argv[1] || *end) {
            dprintf(2, "sh: exit: %s: not a number\n", c.argv[1]);
            sys_exit(2);
        }
    }
    sys_exit(int(n));
}

int wait_builtin() {
    int status;
    while (sys_waitpid(0, &status, 0) > 0) {
    }
    return 0;
}

// Opens a redirection's file onto descriptor `target`; false on error
// (already reported).
bool redirect(const char* file, int flags, bool append, int target) {
    int fd = sys_open(file, flags);
    if (fd < 0) {
        report_error("sh", file, fd);
        return false;
    }
    if (append) {
        ssize_t r = sys_lseek(fd, 0, LSEEK_END);
        if (r < 0) {
            report_error("sh", file, r);
            return false;
        }
    }
    if (fd != target) {
        int r = sys_dup2(fd, target);
        sys_close(fd);
        if (r < 0) {
            report_error("sh", file, r);
            return false;
        }
    }
    return true;
}

// In a forked child: connect stdin/stdout, apply redirections, run.
[[noreturn]] void run_child(const sh_command& c, int in_fd, int out_fd, int unused_fd) {
    if (unused_fd >= 0) {
        sys_close(unused_fd);
    }
    if (script_fd >= 0) {
        sys_close(script_fd);
    }
    if (in_fd >= 0) {
        sys_dup2(in_fd, 0);
        sys_close(in_fd);
    }
    if (out_fd >= 0) {
        sys_dup2(out_fd, 1);
        sys_close(out_fd);
    }
    if (c.in && !redirect(c.in, OF_READ, false, 0)) {
        sys_exit(1);
    }
    if (c.out && !redirect(c.out, OF_WRITE | OF_CREATE | (c.append ? 0 : OF_TRUNC),
                           c.append, 1)) {
        sys_exit(1);
    }
    if (c.argc == 0) {
        sys_exit(0);                    // only redirections: the files are made
    }
    if (strcmp(c.argv[0], "exit") == 0) {
        exit_builtin(c);
    }
    if (strcmp(c.argv[0], "wait") == 0) {
        sys_exit(wait_builtin());
    }
    int r = sys_execv(c.argv[0], c.argv);
    if (r == E_NOENT) {
        dprintf(2, "sh: %s: command not found\n", c.argv[0]);
        sys_exit(127);
    }
    report_error("sh", c.argv[0], r);
    sys_exit(126);
}

int run_pipeline(const sh_pipeline& p) {
    const sh_command& first = line.commands[p.first];
    // A lone builtin runs in the shell itself.
    if (p.ncommands == 1 && first.argc > 0 && !first.in && !first.out) {
        if (strcmp(first.argv[0], "exit") == 0) {
            exit_builtin(first);
        }
        if (strcmp(first.argv[0], "wait") == 0) {
            return wait_builtin();
        }
    }
    pid_t pids[SH_MAX_COMMANDS];
    int started = 0;
    int prev_read = -1;                 // read end of the pipe from the left
    int status = 0;
    for (int i = 0; i < p.ncommands; ++i) {
        int pfd[2] = {-1, -1};
        if (i + 1 < p.ncommands) {
            int r = sys_pipe(pfd);
            if (r < 0) {
                report_error("sh", "pipe", r);
                status = 1;
                break;
            }
        }
        pid_t pid = sys_fork();
        if (pid == 0) {
            run_child(line.commands[p.first + i], prev_read, pfd[1], pfd[0]);
        }
        if (prev_read >= 0) {
            sys_close(prev_read);
        }
        if (pfd[1] >= 0) {
            sys_close(pfd[1]);
        }
        prev_read = pfd[0];
        if (pid < 0) {
            report_error("sh", "fork", pid);
            status = 1;
            break;
        }
        pids[started++] = pid;
    }
    if (prev_read >= 0) {
        sys_close(prev_read);
    }
    for (int i = 0; i < started; ++i) {
        int s = 0;
        pid_t r = sys_waitpid(pids[i], &s, 0);
        if (i == p.ncommands - 1) {
            status = r == pids[i] ? s : 1;
        }
    }
    return status;
}

int run_list(const sh_list& l) {
    int status = 0;
    for (int i = 0; i < l.npipelines; ++i) {
        if (i > 0) {
            sh_connector c = line.pipelines[l.first + i - 1].next;
            if ((c == SH_NEXT_AND && status != 0) || (c == SH_NEXT_OR && status == 0)) {
                continue;               // skipped: the status stays
            }
        }
        status = run_pipeline(line.pipelines[l.first + i]);
    }
    return status;
}

void run_line() {
    for (int i = 0; i < line.nlists; ++i) {
        const sh_list& l = line.lists[i];
        if (!l.background) {
            last_status = run_list(l);
            continue;
        }
        pid_t pid = sys_fork();
        if (pid == 0) {
            if (script_fd >= 0) {
                sys_close(script_fd);
                script_fd = -1;
            }
            interactive = false;
            sys_exit(run_list(l));
        }
        if (pid < 0) {
            report_error("sh", "fork", pid);
            last_status = 1;
        } else {
            if (interactive) {
                dprintf(2, "[%d]\n", pid);
            }
            last_status = 0;
        }
    }
}

// Reaps background jobs that have finished (never blocks).
void reap_background() {
    int status;
    pid_t pid;
    while ((pid = sys_waitpid(0, &status, W_NOHANG)) > 0) {
        if (interactive) {
            dprintf(2, "[%d] done, status %d\n", pid, status);
        }
    }
}

void drop_input(size_t n) {
    memmove(input, input + n, input_len - n);
    input_len -= n;
}

// Reads more input; sets input_eof at end of input (or on a read error).
void read_more() {
    if (input_fd < 0) {
        input_eof = true;
        return;
    }
    ssize_t n = sys_read(input_fd, input + input_len, sizeof(input) - input_len);
    if (n < 0) {
        report_error("sh", "read", n);
    }
    if (n <= 0) {
        input_eof = true;
        return;
    }
    input_len += size_t(n);
}

// Prompts: "sh$ " once per line, and "> " once for each newline inside a
// line that goes on (after |, &&, ||, in quotes). They are counted by the
// newlines of the line, not by reads, so a transcript has the same
// prompts however the input was split into reads.
bool line_prompted = false;
size_t continuations_prompted = 0;

void prompt_continuations(size_t upto, bool last_ends_line) {
    size_t k = 0;
    for (size_t i = 0; i < upto; ++i) {
        k += input[i] == '\n';
    }
    if (last_ends_line && k > 0) {
        --k;                            // the newline that ends the line
    }
    for (; continuations_prompted < k; ++continuations_prompted) {
        write_all(2, "> ", 2);
    }
}

}  // namespace

void process_main(int argc, char** argv) {
    if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
        size_t n = strlen(argv[2]);
        if (n > sizeof(input)) {
            dprintf(2, "sh: -c: command too long\n");
            sys_exit(2);
        }
        memcpy(input, argv[2], n);
        input_len = n;
        input_fd = -1;
        input_eof = true;
    } else if (argc >= 2) {
        input_fd = script_fd = sys_open(argv[1], OF_READ);
        if (input_fd < 0) {
            report_error("sh", argv[1], input_fd);
            sys_exit(127);
        }
    } else {
        interactive = true;
    }

    for (;;) {
        reap_background();
        if (interactive && !line_prompted) {
            write_all(2, "sh$ ", 4);
            line_prompted = true;
            continuations_prompted = 0;
        }
        if (input_eof && input_len == 0) {
            if (interactive) {
                write_all(2, "\n", 1);     // end of input: leave the prompt's line
            }
            break;
        }
        sh_result r = sh_parse(input, input_len, input_eof, &line);
        if (r == SH_INCOMPLETE) {
            if (input_len == sizeof(input)) {
                // Too long to parse: drop it, up to the end of its line.
                dprintf(2, "sh: line too long\n");
                last_status = 2;
                const char* nl;
                while (!(nl = static_cast<const char*>(memchr(input, '\n', input_len)))
                       && !input_eof) {
                    input_len = 0;
                    read_more();
                }
                drop_input(nl ? size_t(nl - input) + 1 : input_len);
                line_prompted = false;
                continue;
            }
            if (interactive) {
                prompt_continuations(input_len, false);
            }
            read_more();
            continue;
        }
        if (interactive) {
            prompt_continuations(line.consumed, line.consumed > 0
                                 && input[line.consumed - 1] == '\n');
            line_prompted = false;
        }
        if (r == SH_ERROR) {
            dprintf(2, "sh: %s\n", line.error);
            last_status = 2;
        } else {
            run_line();
        }
        drop_input(line.consumed);
    }
    sys_exit(last_status);
}
