// ucmd.hh — small helpers shared by the shell and the utilities
// (sh, cat, echo, wc, ls, head, cp, ...): whole writes, error names, and
// error messages on stderr, reading files chunk by chunk, and option
// letters.
//
// Easy to get wrong: a write to a pipe or the console may take only part
// of the buffer, so output goes through write_all; and user stacks are one
// page, so callers keep their I/O buffers in static storage, not on the
// stack.
#pragma once
#include "u-lib.hh"

// Writes all n bytes to fd. Returns 0, or the error of the write that failed
// (E_PIPE when the reader has gone).
inline ssize_t write_all(int fd, const char* buf, size_t n) {
    while (n > 0) {
        ssize_t w = sys_write(fd, buf, n);
        if (w < 0) {
            return w;
        }
        if (w == 0) {
            return E_IO;
        }
        buf += w;
        n -= size_t(w);
    }
    return 0;
}

// A short description of an error number (E_*).
inline const char* errstr(long e) {
    switch (e) {
    case E_PERM: return "operation not permitted";
    case E_NOENT: return "no such file";
    case E_INTR: return "interrupted";
    case E_IO: return "input/output error";
    case E_2BIG: return "argument list too long";
    case E_NOEXEC: return "not an executable";
    case E_BADF: return "bad file descriptor";
    case E_CHILD: return "no child processes";
    case E_AGAIN: return "resource temporarily unavailable";
    case E_NOMEM: return "out of memory";
    case E_FAULT: return "bad address";
    case E_BUSY: return "busy";
    case E_INVAL: return "invalid argument";
    case E_NFILE: return "too many open files in system";
    case E_MFILE: return "too many open files";
    case E_FBIG: return "file too large";
    case E_NOSPC: return "no space left";
    case E_SPIPE: return "illegal seek";
    case E_PIPE: return "broken pipe";
    case E_RANGE: return "result out of range";
    case E_NAMETOOLONG: return "name too long";
    case E_NOSYS: return "not implemented";
    default: return "error";
    }
}

// "prog: what: error description (E)" on stderr.
inline void report_error(const char* prog, const char* what, long e) {
    dprintf(2, "%s: %s: %s (%ld)\n", prog, what, errstr(e), e);
}

// Parses a whole non-negative decimal number; false if `s` is not one.
inline bool parse_count(const char* s, long* out) {
    if (!*s) {
        return false;
    }
    long v = 0;
    for (; *s; ++s) {
        if (!isdigit(*s) || v > (0x7FFFFFFFL - 9) / 10) {
            return false;
        }
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return true;
}

// Reads the next chunk of fd into buf: the byte count, 0 at the end, or a
// negative error after reporting it as "prog: name: ..." on stderr.
inline ssize_t read_chunk(int fd, char* buf, size_t cap, const char* prog,
                          const char* name) {
    ssize_t n = sys_read(fd, buf, cap);
    if (n < 0) {
        report_error(prog, name, n);
    }
    return n;
}

// Opens a file operand for reading: "-" is stdin (0). A file that cannot
// be opened is reported ("prog: name: ...") and its error returned.
inline int open_input(const char* prog, const char* name) {
    if (strcmp(name, "-") == 0) {
        return 0;
    }
    int fd = sys_open(name, OF_READ);
    if (fd < 0) {
        report_error(prog, name, fd);
    }
    return fd;
}

// Parses the leading option words ("-l", "-cw", ...; a lone "-" is an
// operand): letters[k] sets *flags[k]. Any other letter prints
// "prog: unknown option -X" and "usage: USAGE" on stderr and exits 2.
// Returns the index of the first operand.
inline int parse_flags(int argc, char** argv, const char* letters, bool* const* flags,
                       const char* prog, const char* usage) {
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; ++i) {
        for (const char* o = argv[i] + 1; *o; ++o) {
            const char* k = strchr(letters, *o);
            if (!k) {
                dprintf(2, "%s: unknown option -%c\nusage: %s\n", prog, *o, usage);
                sys_exit(2);
            }
            *flags[k - letters] = true;
        }
    }
    return i;
}
