// activation.hh — timer interrupts delivered to user space as activations
// (the protocol is in include/abi/activation.h and docs/activations.md).
//
// The kernel side has three moments: a tick that interrupts user mode only
// marks the process (`activation_note_tick`); every return to user mode
// (from an interrupt or a system call) calls `activation_return_to_user`,
// which may redirect the return into the program's activation handler;
// and `activation_resume` implements sys_act_resume, the exact restore.
// Easy to get wrong: the segment is user memory. The kernel reaches it
// only through its own mapping of the physical pages (never the user
// address, so no fault in the interrupt path and SMAP stays on), treats
// every value it reads there as hostile, and claims slots with bounded
// compare-and-swap loops — it never waits for user space.
#pragma once
#include <stdint.h>

struct proc;
struct process;
struct regstate;
struct x86_64_pagetable;
struct act_header;

// Create the segment's header page in a new address space: 0 or E_NOMEM.
int activation_setup(x86_64_pagetable* pt, act_header** header);
// The header page mapped in `pt` (a kernel pointer), or nullptr: how fork
// finds the child's copy of its parent's header.
act_header* activation_header_in(x86_64_pagetable* pt);
// Give thread `t` of `p` a control block (process_lock held, before t
// runs): `want` if it is free and >= 0, else the lowest free one, else
// none (t then gets no activations; its %fs base is the spare block).
// `reset` zeroes the block's flags and counters (not for fork, whose child
// goes on with the forking thread's block as it was).
void activation_attach_locked(process* p, proc* t, int want, bool reset);
// Thread `t` of `p` ends: its block is free again (process_lock held).
void activation_detach_locked(process* p, proc* t);
// Load t's %fs base (its control block's address) into this CPU.
void activation_load_fs(proc* t);
// A timer tick interrupted thread `t` in user mode at TSC `entry_tsc`.
void activation_note_tick(proc* t, uint64_t entry_tsc);
// Called with interrupts off just before thread t's `regs` return to user
// mode.
void activation_return_to_user(proc* t, regstate* regs);
// sys_act_resume in thread t: 0 (regs now hold the restored context) or
// E_INVAL.
int activation_resume(proc* t, regstate* regs, uintptr_t slot);
