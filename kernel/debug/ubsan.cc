// ubsan.cc — runtime handlers for -fsanitize=undefined (see ubsan.hh).
//
// The compiler passes each handler a static descriptor whose layout is
// fixed by the sanitizer ABI GCC and Clang share: a source location
// (file, line, column) first, then type descriptors (kind, info, name)
// and check-specific fields. Operand values arrive as `void*`: the value
// itself when the type is at most 64 bits wide, else a pointer to it.
// Easy to get wrong: this file must not be instrumented itself (the
// Makefile builds it with -fno-sanitize=all), and a report must not
// recurse: a check that fails inside the printing path is ignored.
#include "ubsan.hh"
#include <atomic>
#include "assert.hh"
#include "backtrace.hh"
#include "cmdline.hh"
#include "printf.hh"
#include "symtab.hh"

namespace {

struct source_location {
    const char* file;
    uint32_t line;
    uint32_t column;
};
struct type_descriptor {
    uint16_t kind;          // 0 integer, 1 float, 0xFFFF other
    uint16_t info;          // integers: bit 0 signed, bits 1+: log2(width)
    char name[1];
};
struct overflow_data {
    source_location loc;
    const type_descriptor* type;
};
struct shift_data {
    source_location loc;
    const type_descriptor* lhs_type;
    const type_descriptor* rhs_type;
};
struct oob_data {
    source_location loc;
    const type_descriptor* array_type;
    const type_descriptor* index_type;
};
struct mismatch_data {
    source_location loc;
    const type_descriptor* type;
    uint8_t log_alignment;
    uint8_t check_kind;
};
struct location_only {
    source_location loc;
};
struct nonnull_arg_data {
    source_location loc;
    source_location attr_loc;
    int arg_index;
};

std::atomic<unsigned> nreports{0};
std::atomic<int> reporting{0};

bool is_signed(const type_descriptor* t) {
    return t && t->kind == 0 && (t->info & 1);
}
unsigned width(const type_descriptor* t) {
    return t && t->kind == 0 ? 1u << (t->info >> 1) : 64;
}

// An operand as text: decimal (signed or not) if it fits 64 bits.
void format_value(char* buf, size_t size, const type_descriptor* t, void* v) {
    unsigned bits = width(t);
    if (!t || t->kind != 0 || bits > 64) {
        snprintf(buf, size, "(%s)", t ? t->name : "?");
        return;
    }
    uint64_t raw = reinterpret_cast<uint64_t>(v);
    if (bits < 64) {
        raw &= (uint64_t(1) << bits) - 1;
    }
    if (is_signed(t)) {
        int64_t s = bits < 64 && (raw >> (bits - 1)) ? int64_t(raw | ~((uint64_t(1) << bits) - 1))
                                                      : int64_t(raw);
        snprintf(buf, size, "%ld", (long) s);
    } else {
        snprintf(buf, size, "%lu", (unsigned long) raw);
    }
}

// Prints the report; in the default mode, panics. `caller` is the
// instrumented code's return address (in the function with the bug).
[[gnu::noinline]] void report(const source_location& loc, void* caller, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
void report(const source_location& loc, void* caller, const char* fmt, ...) {
    if (reporting.exchange(1)) {
        return;                         // a failed check inside a report
    }
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    ++nreports;
    symbol_match m = symbol_lookup(reinterpret_cast<uint64_t>(caller) - 1);
    char where[96];
    if (m.name) {
        snprintf(where, sizeof(where), "%s+0x%lx", m.name, (unsigned long) m.offset);
    } else {
        snprintf(where, sizeof(where), "%p", caller);
    }
    bool keep_going = false;
    char mode[16];
    if (cmdline_value("ubsan", mode, sizeof(mode))) {
        keep_going = mode[0] == 'r';    // "report"
    }
    if (keep_going) {
        panic_printf("UBSAN: %s at %s:%u:%u in %s\n", what, loc.file ? loc.file : "?",
                     loc.line, loc.column, where);
        reporting = 0;
        return;
    }
    panic("UBSAN: %s at %s:%u:%u in %s", what, loc.file ? loc.file : "?", loc.line,
          loc.column, where);
}

void overflow(const overflow_data* d, void* lhs, void* rhs, const char* op, void* caller) {
    char a[32], b[32];
    format_value(a, sizeof(a), d->type, lhs);
    format_value(b, sizeof(b), d->type, rhs);
    report(d->loc, caller, "%s integer overflow: %s %s %s in type %s",
           is_signed(d->type) ? "signed" : "unsigned", a, op, b, d->type->name);
}

const char* const check_kinds[] = {
    "load of", "store to", "reference binding to", "member access within",
    "member call on", "constructor call on", "downcast of", "downcast of",
    "upcast of", "cast to virtual base of", "_Nonnull binding to", "dynamic operation on",
};

}  // namespace

unsigned ubsan_reports() {
    return nreports;
}

#define CALLER __builtin_return_address(0)
// Each check has a recovering handler and an `_abort` twin (used for
// checks built with -fno-sanitize-recover); both report the same way.
#define UBSAN_HANDLER(name, params, ...)                                     \
    extern "C" void __ubsan_handle_##name params { __VA_ARGS__; }           \
    extern "C" void __ubsan_handle_##name##_abort params {                  \
        __VA_ARGS__;                                                        \
        panic("UBSAN: unrecoverable check failed");                         \
    }

UBSAN_HANDLER(add_overflow, (overflow_data* d, void* a, void* b), overflow(d, a, b, "+", CALLER))
UBSAN_HANDLER(sub_overflow, (overflow_data* d, void* a, void* b), overflow(d, a, b, "-", CALLER))
UBSAN_HANDLER(mul_overflow, (overflow_data* d, void* a, void* b), overflow(d, a, b, "*", CALLER))

UBSAN_HANDLER(negate_overflow, (overflow_data* d, void* a), {
    char v[32];
    format_value(v, sizeof(v), d->type, a);
    report(d->loc, CALLER, "negation of %s cannot be represented in type %s", v, d->type->name);
})

UBSAN_HANDLER(divrem_overflow, (overflow_data* d, void* a, void* b), {
    char x[32], y[32];
    format_value(x, sizeof(x), d->type, a);
    format_value(y, sizeof(y), d->type, b);
    report(d->loc, CALLER, "%s: %s / %s in type %s", reinterpret_cast<uint64_t>(b) == 0
           ? "division by zero" : "division overflow", x, y, d->type->name);
})

UBSAN_HANDLER(shift_out_of_bounds, (shift_data* d, void* a, void* b), {
    char x[32], y[32];
    format_value(x, sizeof(x), d->lhs_type, a);
    format_value(y, sizeof(y), d->rhs_type, b);
    int64_t amount = is_signed(d->rhs_type) ? int64_t(reinterpret_cast<uint64_t>(b))
                                            : int64_t(reinterpret_cast<uint64_t>(b) & INT64_MAX);
    if (amount < 0 || uint64_t(amount) >= width(d->lhs_type)) {
        report(d->loc, CALLER, "shift exponent %s is out of range for %u-bit type %s", y,
               width(d->lhs_type), d->lhs_type->name);
    } else {
        report(d->loc, CALLER, "left shift of %s by %s places cannot be represented in type %s",
               x, y, d->lhs_type->name);
    }
})

UBSAN_HANDLER(out_of_bounds, (oob_data* d, void* index), {
    char i[32];
    format_value(i, sizeof(i), d->index_type, index);
    report(d->loc, CALLER, "index %s out of bounds for type %s", i, d->array_type->name);
})

UBSAN_HANDLER(type_mismatch_v1, (mismatch_data* d, void* ptr), {
    uint64_t p = reinterpret_cast<uint64_t>(ptr);
    uint64_t align = uint64_t(1) << d->log_alignment;
    const char* kind = d->check_kind < sizeof(check_kinds) / sizeof(check_kinds[0])
        ? check_kinds[d->check_kind] : "access to";
    if (!p) {
        report(d->loc, CALLER, "%s null pointer of type %s", kind, d->type->name);
    } else if (d->log_alignment && (p & (align - 1))) {
        report(d->loc, CALLER, "%s misaligned address %p for type %s, which needs %lu-byte "
               "alignment", kind, ptr, d->type->name, (unsigned long) align);
    } else {
        report(d->loc, CALLER, "%s address %p with too little space for type %s", kind, ptr,
               d->type->name);
    }
})

UBSAN_HANDLER(load_invalid_value, (overflow_data* d, void* v), {
    char x[32];
    format_value(x, sizeof(x), d->type, v);
    report(d->loc, CALLER, "load of value %s, which is not valid for type %s", x, d->type->name);
})

UBSAN_HANDLER(pointer_overflow, (location_only* d, void* base, void* result), {
    report(d->loc, CALLER, "pointer arithmetic on %p overflowed to %p", base, result);
})

UBSAN_HANDLER(vla_bound_not_positive, (overflow_data* d, void* bound), {
    char x[32];
    format_value(x, sizeof(x), d->type, bound);
    report(d->loc, CALLER, "variable-length array bound %s is not positive", x);
})

UBSAN_HANDLER(nonnull_arg, (nonnull_arg_data* d), {
    report(d->loc, CALLER, "null pointer passed as argument %d, declared never null",
           d->arg_index);
})

UBSAN_HANDLER(nonnull_return_v1, (location_only* d, source_location* loc), {
    (void) d;
    report(*loc, CALLER, "null pointer returned from a function declared never to return null");
})

UBSAN_HANDLER(invalid_builtin, (location_only* d), {
    report(d->loc, CALLER, "passing zero to __builtin_ctz or __builtin_clz");
})

UBSAN_HANDLER(float_cast_overflow, (void* d, void* v), {
    (void) v;
    report(*static_cast<source_location*>(d), CALLER,
           "floating-point value out of range for the conversion");
})

extern "C" void __ubsan_handle_builtin_unreachable(location_only* d) {
    report(d->loc, CALLER, "execution reached __builtin_unreachable()");
    panic("UBSAN: unreachable code reached");
}

extern "C" void __ubsan_handle_missing_return(location_only* d) {
    report(d->loc, CALLER, "execution reached the end of a value-returning function");
    panic("UBSAN: fell off the end of a function");
}
