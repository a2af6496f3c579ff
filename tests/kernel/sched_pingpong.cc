// sched_pingpong.cc — two kernel tasks on different CPUs (the same CPU when
// there is only one) hand a turn back and forth through wait queues: a
// million times on one CPU, 200,000 times across CPUs. (A million across
// CPUs takes 7 s alone under the emulator, but `make check` runs two
// emulators on two host cores, and beside the 20 kHz activation torture
// test the same run took over 180 s: the suite must not depend on what
// shares the host.) A lost
// wake-up hangs the test (the harness times out); a double wake-up or a
// task run twice at once breaks the turn count.
//! expect: ktest sched_pingpong: passed
//! ncpu: 1 2 4
//! timeout: 300
#include <atomic>
#include "cpustate.hh"
#include "ktest.hh"
#include "log.hh"
#include "timer.hh"
#include "waitqueue.hh"

namespace {

uint64_t rounds;

struct pingpong {
    std::atomic<uint64_t> turn{0};      // even: ping's turn; odd: pong's
    wait_queue queue[2];
    uint64_t moves[2] = {0, 0};
};

void player(int cpu, void* arg) {
    auto* game = static_cast<pingpong*>(arg);
    int me = cpu == 0 ? 0 : 1;
    for (uint64_t i = 0; i < rounds / 2; ++i) {
        waiter w;
        w.block_until(game->queue[me], [&] { return game->turn % 2 == uint64_t(me); });
        uint64_t t = game->turn.load();
        assert_eq(t % 2, uint64_t(me));
        game->turn.store(t + 1);
        ++game->moves[me];
        game->queue[1 - me].wake_all();
    }
}

// With one CPU both players run there; `ktest_run_on_cpus` puts one task on
// each CPU, so on one CPU start the second player by hand.
void both_on_cpu0(int, void* arg) {
    auto* game = static_cast<pingpong*>(arg);
    proc* pong = spawn_kernel_task(0, [](void* a) {
        player(1, a);
        current()->pstate_ = ps_exited;
        current()->yield_noreturn();
    }, game, "pong");
    assert(pong);
    player(0, game);
    while (!pong->descheduled_) {
        current()->yield();
    }
    proc::free(pong);
}

}  // namespace

KTEST(sched_pingpong) {
    rounds = ncpu == 1 ? 1000000 : 200000;
    pingpong game;
    uint64_t start = rdtsc();
    if (ncpu == 1) {
        ktest_run_on_cpus(both_on_cpu0, &game, 1);
    } else {
        // Players on CPU 0 and CPU 1.
        ktest_run_on_cpus(player, &game, 2);
    }
    assert_eq(game.turn.load(), rounds);
    assert_eq(game.moves[0], rounds / 2);
    assert_eq(game.moves[1], rounds / 2);
    uint64_t cycles = rdtsc() - start;
    log_printf(log_level::info, "sched_pingpong: %lu hand-offs, %lu cycles each\n",
               (unsigned long) rounds, (unsigned long) (cycles / rounds));
}
