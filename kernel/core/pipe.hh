// pipe.hh — pipes (pipe.cc): a 64 KiB buffer between a read end and a
// write end, each an open file.
#pragma once

struct file;

// Two new open files: *read_end (OF_READ) and *write_end (OF_WRITE) of one
// new pipe. 0 or E_NOMEM (nothing allocated).
int pipe_create(file** read_end, file** write_end);
