// init.hh — what pid 1 does (kernel/init.cc).
#pragma once

// init's job: run the first program (`run=NAME`, default "hello"), reap
// every process, then end the run (harness, `halt=`) or return.
void init_run_programs();
