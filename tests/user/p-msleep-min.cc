// p-msleep-min.cc — sys_msleep(ms) sleeps at least ms: counted in timer
// ticks, at least the whole ticks ms spans plus one, because the tick in
// progress when the call starts may be about to end. Before, msleep(10) at
// 100 Hz could return at the very next tick, after almost no time.
//! cmdline: hz=100
#include "test-util.hh"

void process_main() {
    for (int i = 0; i < 20; ++i) {
        // Start at different points within a tick.
        for (int j = 0; j < i * 1000; ++j) {
            pause();
        }
        unsigned long t0 = ticks();
        assert_eq(sys_msleep(10), 0);       // 1 tick at 100 Hz
        assert_ge(ticks() - t0, 2UL);
        t0 = ticks();
        assert_eq(sys_msleep(25), 0);       // 3 ticks (2.5 rounded up)
        assert_ge(ticks() - t0, 4UL);
    }
    console_printf("msleep-min succeeded!\n");
    sys_exit(0);
}
