// cmdline.cc — command-line lookups (see cmdline.hh).
#include "cmdline.hh"
#include "log.hh"
#include "string.hh"

namespace {
char text[512];

// Finds word `key` (followed by '=', ' ' or end); returns a pointer just
// past the key, or nullptr.
const char* find_word(const char* key) {
    size_t klen = strlen(key);
    for (const char* p = text; *p;) {
        while (*p == ' ') {
            ++p;
        }
        if (strncmp(p, key, klen) == 0 && (p[klen] == '=' || p[klen] == ' ' || !p[klen])) {
            return p + klen;
        }
        while (*p && *p != ' ') {
            ++p;
        }
    }
    return nullptr;
}
}  // namespace

void cmdline_init(const char* s) {
    size_t n = strnlen(s, sizeof(text) - 1);
    memcpy(text, s, n);
    text[n] = '\0';
}

const char* cmdline_text() {
    return text;
}

bool cmdline_value(const char* key, char* buf, size_t size) {
    const char* p = find_word(key);
    if (!p || *p != '=' || size == 0) {
        return false;
    }
    ++p;
    size_t i = 0;
    for (; p[i] && p[i] != ' ' && i + 1 < size; ++i) {
        buf[i] = p[i];
    }
    buf[i] = '\0';
    return true;
}

bool cmdline_flag(const char* flag) {
    return find_word(flag) != nullptr;
}

long cmdline_number(const char* key, long fallback) {
    char buf[24];
    if (!cmdline_value(key, buf, sizeof(buf)) || !buf[0]) {
        return fallback;
    }
    long v = 0;
    for (const char* p = buf; *p; ++p) {
        if (*p < '0' || *p > '9' || v > (cmdline_number_max - (*p - '0')) / 10) {
            log_printf(log_level::warn, "command line: %s=%s is not a number from 0 to %ld; ignored\n",
                       key, buf, cmdline_number_max);
            return fallback;
        }
        v = v * 10 + (*p - '0');
    }
    return v;
}

void cmdline_report_unknown() {
    static const char* const known[] = {"harness", "test", "run", "ncpu", "log", "halt", "hz", "ahci",
                                        "ubsan", "bufcache", "diskfail"};
    // The first word is the kernel's own path when the loader includes it.
    bool first = true;
    for (const char* p = text; *p;) {
        while (*p == ' ') {
            ++p;
        }
        const char* word = p;
        while (*p && *p != ' ' && *p != '=') {
            ++p;
        }
        size_t len = p - word;
        while (*p && *p != ' ') {
            ++p;
        }
        if (len == 0) {
            continue;
        }
        bool ok = first && memchr(word, '/', p - word);
        for (const char* k : known) {
            ok |= strlen(k) == len && strncmp(word, k, len) == 0;
        }
        if (!ok) {
            log_printf(log_level::warn, "cmdline: unknown word '%.*s' ignored\n", int(p - word), word);
        }
        first = false;
    }
}
