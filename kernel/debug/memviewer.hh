// memviewer.hh — a live map of physical memory on the CGA screen, as
// Chickadee's memory viewer: which pages are free, the kernel's, or a
// process's (its pid's character and colour).
//
// On with sys_consoletype(CONSOLE_MEMVIEWER) or the Ctrl-V key (procctl.hh),
// off with sys_consoletype(CONSOLE_NORMAL) or Ctrl-V again, which puts back
// the text the screen had. While on, CPU 0 redraws it ten times a second.
// Layout: row 0 is a legend; rows 1-24 each start with a 10-character
// physical address and hold 64 cells of `memviewer_cell_pages()` pages
// each (a power of two, chosen so all memory fits). A cell shows the pid
// character (memviewer_pid_char) of a process owning any page in it, else
// 'K' if most of its pages are the kernel's, else '.' (free).
// Easy to get wrong: ownership is tagged per page (memviewer_tag) when a
// process gets a user page and untagged before the page is freed, so a
// tag never outlives the page; the drawing itself reads tags unlocked.
#pragma once
#include <stdint.h>
#include "abi/types.hh"

constexpr int memviewer_first_column = 10, memviewer_columns = 64;

// After kalloc_init: sizes the tag array (without it, no pids are shown).
void memviewer_init();
// Page `pa` now belongs to process `pid` (0: to nobody).
void memviewer_tag(uint64_t pa, pid_t pid);
// CONSOLE_NORMAL or CONSOLE_MEMVIEWER: 0, or E_INVAL for another value.
int memviewer_set(int type);
void memviewer_toggle();
// Timer tick on CPU 0: redraw now and then while on.
void memviewer_tick(uint64_t ticks);
// The character a process's pages are drawn with.
char memviewer_pid_char(pid_t pid);
unsigned memviewer_cell_pages();
