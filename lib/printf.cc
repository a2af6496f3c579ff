// printf.cc — the one formatted-output engine (see printf.hh).
//
// Easy to get wrong: the most negative integer cannot be negated in its own
// type, so magnitudes are always computed in unsigned long long. Widths and
// precisions come from untrusted formats and arguments; they saturate at
// `max_field` so that no arithmetic on them can overflow.
#include "printf.hh"
#include <stdint.h>

namespace {

constexpr int max_field = 1 << 16;

// Accumulates a decimal field, saturating at max_field.
int parse_field(const char*& fmt) {
    int v = 0;
    while (*fmt >= '0' && *fmt <= '9') {
        int digit = *fmt++ - '0';
        v = v > (max_field - digit) / 10 ? max_field : v * 10 + digit;
    }
    return v;
}

// A width or precision given as `*`: clamps the magnitude to max_field.
int clamp_field(int v) {
    if (v < -max_field) {
        return -max_field;
    }
    return v > max_field ? max_field : v;
}

struct spec {
    bool left = false;      // '-'
    bool zero = false;      // '0'
    bool plus = false;      // '+'
    bool space = false;     // ' '
    bool alt = false;       // '#'
    int width = 0;
    int precision = -1;     // -1: none given
};

struct counter {
    printer* p;
    int n = 0;
    void put(char ch) { p->putc(p, ch); ++n; }
    void repeat(char ch, int count) {
        while (count-- > 0) {
            put(ch);
        }
    }
};

// Emit `body` (length `len`) with sign/prefix, honouring width and flags.
void emit_padded(counter& out, const spec& s, const char* prefix,
                 const char* body, int len, int zeros) {
    int prefix_len = 0;
    while (prefix[prefix_len]) {
        ++prefix_len;
    }
    int total = prefix_len + zeros + len;
    if (!s.left) {
        out.repeat(' ', s.width - total);
    }
    for (int i = 0; i < prefix_len; ++i) {
        out.put(prefix[i]);
    }
    out.repeat('0', zeros);
    for (int i = 0; i < len; ++i) {
        out.put(body[i]);
    }
    if (s.left) {
        out.repeat(' ', s.width - total);
    }
}

// `octal_alt`: the `#` flag of %o, which asks for a leading zero digit.
void emit_number(counter& out, spec s, unsigned long long magnitude,
                 bool negative, unsigned base, bool upper, const char* radix_prefix,
                 bool octal_alt = false) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int len = 0;
    // Precision 0 with value 0 prints no digits at all (C standard).
    if (magnitude != 0 || s.precision != 0) {
        do {
            buf[len++] = digits[magnitude % base];
            magnitude /= base;
        } while (magnitude != 0);
    }
    // Reverse into natural order.
    for (int i = 0; i < len / 2; ++i) {
        char t = buf[i];
        buf[i] = buf[len - 1 - i];
        buf[len - 1 - i] = t;
    }
    char prefix[4] = {0, 0, 0, 0};
    int pi = 0;
    if (negative) {
        prefix[pi++] = '-';
    } else if (s.plus) {
        prefix[pi++] = '+';
    } else if (s.space) {
        prefix[pi++] = ' ';
    }
    for (const char* r = radix_prefix; r && *r; ++r) {
        prefix[pi++] = *r;
    }
    int zeros = 0;
    if (s.precision >= 0) {
        zeros = s.precision > len ? s.precision - len : 0;
    } else if (s.zero && !s.left) {
        int rest = s.width - pi - len;
        zeros = rest > 0 ? rest : 0;
    }
    if (octal_alt && zeros == 0 && (len == 0 || buf[0] != '0')) {
        zeros = 1;
    }
    emit_padded(out, s, prefix, buf, len, zeros);
}

}  // namespace

int vformat(printer* p, const char* fmt, va_list ap) {
    counter out{p};
    while (*fmt) {
        if (*fmt != '%') {
            out.put(*fmt++);
            continue;
        }
        const char* start = fmt++;
        spec s;
        for (;; ++fmt) {
            if (*fmt == '-') {
                s.left = true;
            } else if (*fmt == '0') {
                s.zero = true;
            } else if (*fmt == '+') {
                s.plus = true;
            } else if (*fmt == ' ') {
                s.space = true;
            } else if (*fmt == '#') {
                s.alt = true;
            } else {
                break;
            }
        }
        if (*fmt == '*') {
            s.width = clamp_field(va_arg(ap, int));
            if (s.width < 0) {
                s.left = true;
                s.width = -s.width;
            }
            ++fmt;
        } else {
            s.width = parse_field(fmt);
        }
        if (*fmt == '.') {
            ++fmt;
            s.precision = 0;
            if (*fmt == '*') {
                s.precision = clamp_field(va_arg(ap, int));
                ++fmt;
            } else {
                s.precision = parse_field(fmt);
            }
        }
        // Length modifier: count of 'l' (2 = long long), or size-like.
        int length = 0;     // 0 int, -1 char, -2 short, 1 long, 2 long long
        if (*fmt == 'h') {
            length = (fmt[1] == 'h') ? -1 : -2;
            fmt += (fmt[1] == 'h') ? 2 : 1;
        } else if (*fmt == 'l') {
            length = (fmt[1] == 'l') ? 2 : 1;
            fmt += (fmt[1] == 'l') ? 2 : 1;
        } else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j') {
            length = 2;
            ++fmt;
        }
        char conv = *fmt;
        if (conv) {
            ++fmt;
        }
        switch (conv) {
        case 'd':
        case 'i': {
            long long v;
            if (length >= 2) {
                v = va_arg(ap, long long);
            } else if (length == 1) {
                v = va_arg(ap, long);
            } else {
                v = va_arg(ap, int);
                if (length == -1) {
                    v = (signed char) v;
                } else if (length == -2) {
                    v = (short) v;
                }
            }
            unsigned long long mag = v < 0 ? 0ULL - (unsigned long long) v
                                           : (unsigned long long) v;
            emit_number(out, s, mag, v < 0, 10, false, nullptr);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v;
            if (length >= 2) {
                v = va_arg(ap, unsigned long long);
            } else if (length == 1) {
                v = va_arg(ap, unsigned long);
            } else {
                v = va_arg(ap, unsigned);
                if (length == -1) {
                    v = (unsigned char) v;
                } else if (length == -2) {
                    v = (unsigned short) v;
                }
            }
            s.plus = s.space = false;
            unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
            const char* rp = nullptr;
            if (s.alt && v != 0) {
                rp = conv == 'x' ? "0x" : conv == 'X' ? "0X" : nullptr;
            }
            emit_number(out, s, v, false, base, conv == 'X', rp, s.alt && conv == 'o');
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t) va_arg(ap, void*);
            s.plus = s.space = false;
            emit_number(out, s, v, false, 16, false, "0x");
            break;
        }
        case 'c': {
            char ch = (char) va_arg(ap, int);
            s.precision = -1;
            emit_padded(out, s, "", &ch, 1, 0);
            break;
        }
        case 's': {
            const char* str = va_arg(ap, const char*);
            if (!str) {
                str = "(null)";
            }
            int len = 0;
            while (str[len] && (s.precision < 0 || len < s.precision)) {
                ++len;
            }
            emit_padded(out, s, "", str, len, 0);
            break;
        }
        case '%':
            out.put('%');
            break;
        default:
            // Unknown conversion: print it literally so the mistake shows.
            for (const char* c = start; c < fmt; ++c) {
                out.put(*c);
            }
            break;
        }
    }
    return out.n;
}

int format(printer* p, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vformat(p, fmt, ap);
    va_end(ap);
    return n;
}

namespace {
struct buffer_printer : printer {
    char* buf;
    size_t size;
    size_t pos = 0;
};
void buffer_putc(printer* self, char ch) {
    auto* b = static_cast<buffer_printer*>(self);
    if (b->pos + 1 < b->size) {
        b->buf[b->pos] = ch;
    }
    ++b->pos;
}
}  // namespace

int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap) {
    buffer_printer b;
    b.putc = buffer_putc;
    b.buf = buf;
    b.size = size;
    int n = vformat(&b, fmt, ap);
    if (size > 0) {
        b.buf[b.pos < size ? b.pos : size - 1] = '\0';
    }
    return n;
}

int snprintf(char* buf, size_t size, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
