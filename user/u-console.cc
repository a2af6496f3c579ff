// u-console.cc — console_printf: draw on the shared CGA page, mirror to
// the serial console (see the console design note in u-lib.hh).
//
// Easy to get wrong: `cursorpos` lives in a page shared by every process,
// so it is read once at the start of a call and written once at the end;
// a position outside the screen (another process's garbage) restarts at 0.
#include "u-lib.hh"
#include "cga.hh"

namespace {

static_assert(cga_end == CONSOLE_ROWS * CONSOLE_COLUMNS);
// ANSI colour order (black red green yellow blue magenta cyan white) to
// CGA's (black blue green cyan red magenta brown grey).
constexpr uint8_t ansi_to_cga[8] = {0, 4, 2, 6, 1, 5, 3, 7};

struct console_printer : printer {
    int cpos;
    int color;                  // attribute << 8
    int escape = 0;             // 0 text, 1 after ESC, 2 inside "ESC ["
    int params[8];
    int nparams = 0;
    char serial[128];
    size_t nserial = 0;

    void flush_serial() {
        if (nserial > 0) {
            sys_serial_write(serial, nserial);
            nserial = 0;
        }
    }
    void apply_sgr() {
        if (nparams == 0) {
            params[nparams++] = 0;
        }
        for (int i = 0; i < nparams; ++i) {
            int p = params[i];
            if (p == 0) {
                color = COLOR_NORMAL;
            } else if (p == 1) {
                color |= 0x0800;
            } else if (p == 22) {
                color &= ~0x0800;
            } else if (p >= 30 && p <= 37) {
                color = (color & ~0x0700) | ansi_to_cga[p - 30] << 8;
            } else if (p == 39) {
                color = (color & ~0x0700) | 0x0700;
            } else if (p >= 40 && p <= 47) {
                color = (color & ~0x7000) | ansi_to_cga[p - 40] << 12;
            } else if (p == 49) {
                color &= ~0x7000;
            }
        }
    }
    // Handles one character of an escape sequence; true if consumed.
    bool escape_char(char ch) {
        if (escape == 1) {
            escape = ch == '[' ? 2 : 0;
            nparams = 0;
            params[0] = 0;
            return true;
        }
        if (ch >= '0' && ch <= '9') {
            if (nparams == 0) {
                nparams = 1;
                params[0] = 0;
            }
            int& p = params[nparams - 1];
            p = p > 1000 ? p : p * 10 + (ch - '0');
        } else if (ch == ';') {
            if (nparams == 0) {
                params[nparams++] = 0;
            }
            if (nparams < int(arraysize(params))) {
                params[nparams++] = 0;
            }
        } else {
            if (ch == 'm') {
                apply_sgr();
            }
            escape = 0;
        }
        return true;
    }
    void draw(char ch) {
        if (escape != 0) {
            escape_char(ch);
            return;
        }
        if (ch == '\x1b') {
            escape = 1;
            return;
        }
        // The cursor rules (lib/cga.hh) are the ones the kernel follows too.
        cpos = cga_make_room(console, cpos, ch, ' ' | color);
        switch (ch) {
        case '\n':
            cpos = cga_newline(cpos);
            return;
        case '\r':
            cpos -= cpos % CONSOLE_COLUMNS;
            return;
        case '\b':
            cpos = cpos > 0 ? cpos - 1 : 0;
            return;
        case '\t':
            cpos = cga_tab(cpos);
            return;
        default:
            break;
        }
        console[cpos++] = (unsigned char) ch | color;
    }
};

void console_putc(printer* self, char ch) {
    auto* cp = static_cast<console_printer*>(self);
    if (cp->nserial == sizeof(cp->serial)) {
        cp->flush_serial();
    }
    cp->serial[cp->nserial++] = ch;
    cp->draw(ch);
}

}  // namespace

int console_vprintf(int cpos, int color, const char* format, va_list ap) {
    console_printer cp;
    cp.putc = console_putc;
    cp.cpos = cga_valid_cursor(cpos);
    cp.color = color & 0xFF00 ? color & 0xFF00 : COLOR_NORMAL;
    vformat(&cp, format, ap);
    cp.flush_serial();
    return cp.cpos;
}

int console_printf(int cpos, int color, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    cpos = console_vprintf(cpos, color, format, ap);
    va_end(ap);
    return cpos;
}

void console_printf(int color, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    cursorpos = console_vprintf(cursorpos, color, format, ap);
    va_end(ap);
}

void console_printf(const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    cursorpos = console_vprintf(cursorpos, COLOR_NORMAL, format, ap);
    va_end(ap);
}

void error_printf(const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    cursorpos = console_vprintf(cursorpos, COLOR_ERROR, format, ap);
    va_end(ap);
}

void error_printf(int color, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    cursorpos = console_vprintf(cursorpos, color, format, ap);
    va_end(ap);
}

int error_vprintf(int cpos, int color, const char* format, va_list ap) {
    return console_vprintf(cpos, color, format, ap);
}

int error_printf(int cpos, int color, const char* format, ...) {
    va_list ap;
    va_start(ap, format);
    cpos = console_vprintf(cpos, color, format, ap);
    va_end(ap);
    return cpos;
}

int console_puts(int cpos, int color, const char* s, size_t len) {
    // %.*s stops at a NUL; print in pieces so embedded NULs are skipped
    // like any other unprintable byte would be, and `len` is honoured.
    while (len > 0) {
        size_t n = strnlen(s, len);
        if (n > 0) {
            cpos = console_printf(cpos, color, "%.*s", int(n), s);
        }
        if (n < len) {
            ++n;    // skip the NUL
        }
        s += n;
        len -= n;
    }
    return cpos;
}

void console_clear() {
    for (int i = 0; i < cga_end; ++i) {
        console[i] = ' ' | COLOR_NORMAL;
    }
    cursorpos = 0;
}
