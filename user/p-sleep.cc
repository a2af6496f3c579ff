// p-sleep.cc — `sleep SECONDS`: sleeps that long. SECONDS is a decimal
// number with an optional fraction ("2", "0.25"), to the millisecond.
#include "u-lib.hh"
#include "ucmd.hh"

void process_main(int argc, char** argv) {
    if (argc != 2) {
        dprintf(2, "usage: sleep SECONDS\n");
        sys_exit(2);
    }
    const char* s = argv[1];
    unsigned long ms = 0;
    bool digits = false;
    for (; isdigit(*s); ++s, digits = true) {
        ms = ms * 10 + unsigned(*s - '0');
        if (ms > 4000000) {                 // msleep takes 32-bit milliseconds
            dprintf(2, "sleep: %s: too long\n", argv[1]);
            sys_exit(1);
        }
    }
    ms *= 1000;
    if (*s == '.') {
        unsigned long scale = 100;
        for (++s; isdigit(*s); ++s, digits = true) {
            ms += unsigned(*s - '0') * scale;
            scale /= 10;
        }
    }
    if (*s || !digits) {
        dprintf(2, "sleep: invalid time '%s'\n", argv[1]);
        sys_exit(1);
    }
    int r = sys_msleep(unsigned(ms));
    sys_exit(r == 0 ? 0 : 1);
}
