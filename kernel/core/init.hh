// init.hh — what pid 1 does (kernel/core/init.cc).
#pragma once

// init's job: run the first program (`program`, else `run=NAME`, else
// the shell "sh"), reap every process, then end the run (harness, `halt=`)
// or return (to the kernel monitor, whose `sh` command calls this again).
void init_run_programs(const char* program = nullptr);
