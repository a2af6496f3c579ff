// ucmd.hh — small helpers shared by the shell and the utilities
// (sh, cat, echo, wc, ls, head, cp, ...): whole writes, error names, and
// error messages on stderr.
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
