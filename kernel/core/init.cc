// init.cc — what pid 1 does: start the first program, reap every process
// (its own children and the orphans it inherits), then end the run.
//
// Verdict in harness mode: pass if the first program exited with status 0
// and every process has exited; a user sys_panic or assertion failure
// ends the run as a failure at once (kernel/core/syscall-process.cc).
#include "init.hh"
#include "vfs.hh"
#include "cmdline.hh"
#include "console.hh"
#include "initfs.hh"
#include "log.hh"
#include "power.hh"
#include "process.hh"
#include "proc.hh"
#include "printf.hh"
#include "string.hh"
#include "timer.hh"

void init_run_programs(const char* name) {
    char program[64] = "sh";
    if (name) {
        snprintf(program, sizeof(program), "%s", name);
    } else {
        cmdline_value("run", program, sizeof(program));
    }
    exec_args args;
    args.add(program, strlen(program));
    int error = 0;
    // The first program starts on a blank screen with cursorpos 0 (kernel
    // messages never draw there, but typed-ahead input is echoed).
    console_clear_screen();
    proc* first = process_spawn(current(), program, args, &error);
    if (!first) {
        kprintf("init: cannot start '%s' (error %d)\n", program, error);
        if (harness_mode()) {
            finish_run(false);
        }
        return;
    }
    pid_t first_pid = first->id_;
    int first_status = -1;
    for (;;) {
        int status = 0;
        pid_t pid = process_waitpid(current(), 0, &status, 0);
        if (pid == first_pid) {
            first_status = status;
            kprintf("init: %s (pid %d) exited with status %d\n", program, pid, status);
        } else if (pid < 0) {
            break;                      // no processes left
        }
    }
    // Every program is done: write the disk's cached blocks home (the
    // memory file system has nothing to write), so a disk the machine
    // leaves behind holds what the programs wrote.
    if (int r = vfs_sync(0); r < 0) {
        kprintf("init: sync: error %d\n", r);
    }
    if (harness_mode()) {
        finish_run(first_status == 0);
    }
    long halt = cmdline_number("halt", -1);
    if (halt >= 0) {
        // Centiseconds to milliseconds, without wrapping (about 497 days).
        constexpr long halt_max = 0xFFFFFFFFL / 10;
        msleep(unsigned(halt < halt_max ? halt : halt_max) * 10);
        power_off();
    }
}
