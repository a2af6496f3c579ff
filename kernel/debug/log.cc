// log.cc — kprintf and log_printf (see log.hh).
//
// Output is formatted into a line buffer first and written in one console
// call, so lines from different CPUs do not interleave mid-line.
#include "log.hh"
#include "arch/insns.hh"
#include "console.hh"
#include "printf.hh"
#include "string.hh"

namespace {

log_level threshold = log_level::info;

struct line_printer : printer {
    char buf[256];
    size_t n = 0;
    bool to_console = true;
    bool serial_only = false;
    bool to_debugcon = false;
    void flush() {
        if (to_console && serial_only) {
            console_write_serial(buf, n);
        } else if (to_console) {
            console_write(buf, n);
        }
        if (to_debugcon) {
            for (size_t i = 0; i < n; ++i) {
                outb(0xE9, buf[i]);
            }
        }
        n = 0;
    }
};

void line_putc(printer* self, char ch) {
    auto* p = static_cast<line_printer*>(self);
    p->buf[p->n++] = ch;
    if (p->n == sizeof(p->buf) || ch == '\n') {
        p->flush();
    }
}

void emit(line_printer& p, const char* fmt, va_list ap) {
    p.putc = line_putc;
    vformat(&p, fmt, ap);
    p.flush();
}

}  // namespace

void kvprintf(const char* fmt, va_list ap) {
    line_printer p;
    p.serial_only = true;
    p.to_debugcon = true;
    emit(p, fmt, ap);
}

void kprintf_screen(const char* fmt, ...) {
    line_printer p;
    va_list ap;
    va_start(ap, fmt);
    emit(p, fmt, ap);
    va_end(ap);
}

void kprintf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void log_printf(log_level level, const char* fmt, ...) {
    line_printer p;
    p.to_console = level >= threshold;
    p.serial_only = true;
    p.to_debugcon = true;
    va_list ap;
    va_start(ap, fmt);
    emit(p, fmt, ap);
    va_end(ap);
}

void log_set_threshold(log_level level) {
    threshold = level;
}

bool log_parse_level(const char* name, log_level* out) {
    static const struct {
        const char* name;
        log_level level;
    } names[] = {{"debug", log_level::debug}, {"info", log_level::info},
                 {"warn", log_level::warn}, {"error", log_level::error}};
    for (auto& n : names) {
        if (strcmp(name, n.name) == 0) {
            *out = n.level;
            return true;
        }
    }
    return false;
}
