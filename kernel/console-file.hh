// console-file.hh — the console as an open file (console-file.cc).
#pragma once

struct file;

// A new open file on the console, readable and writable; nullptr if out
// of memory.
file* console_open_file();
