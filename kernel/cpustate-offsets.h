/* cpustate-offsets.h — offsets of the cpustate members that assembly uses.
 * Named once here; kernel/cpustate.cc checks each with static_assert.
 * Plain C preprocessor only: included from .S files. */
#pragma once
#define CPUSTATE_SELF               0
#define CPUSTATE_CURRENT            8
#define CPUSTATE_SYSCALL_SCRATCH    16
#define CPUSTATE_SIZE_ASM           16384   /* = CPUSTATE_SIZE */
