/* proc-offsets.h — offsets of struct proc and struct yieldstate members used
 * by kernel/arch/switch.S; kernel/proc.cc checks each with static_assert. */
#pragma once
#define PROC_REGS           0
#define PROC_YIELDS         8
#define YIELDSTATE_SIZE     64
#define PROC_BLOCK_SIZE     16384   /* = proc::block_size */
