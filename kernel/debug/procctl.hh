// procctl.hh — process-control keys on the console, for a stuck program.
//
// Ctrl-P lists the processes (pid, parent, state, home CPU, program), as
// xv6's Ctrl-P does. Ctrl-K asks for a pid ("kill pid: "), which is typed
// with digits and Backspace and ended with Enter; any other key cancels.
// Ctrl-V switches the memory viewer (memviewer.hh) on and off.
// The process dies as if killed by SIGKILL (status 137, process.hh), on
// whatever CPU it runs and in whatever state it is. Works from serial and
// the PS/2 keyboard alike, while a program runs or at the monitor.
// Easy to get wrong: these keys are handled in the input interrupt, before
// the line discipline, and never reach a reader; the Enter that ends the
// pid (CR, or CR LF) must not leak into the next line.
#pragma once

constexpr char procctl_list_key = 0x10;    // Ctrl-P
constexpr char procctl_kill_key = 0x0B;    // Ctrl-K
constexpr char procctl_viewer_key = 0x16;  // Ctrl-V: memory viewer on/off

// Called for every typed byte first; true if it was a process-control key
// (or part of a kill prompt) and is consumed. Any kernel context.
bool procctl_input(char ch);
// Print the process list on the console (serial and screen).
void procctl_list();
