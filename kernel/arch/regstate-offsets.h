/* regstate-offsets.h — byte offsets in struct regstate, for assembly.
 * kernel/arch/regstate.hh checks every one with static_assert. */
#pragma once
#define REGSTATE_RAX        0
#define REGSTATE_RCX        8
#define REGSTATE_R11        80
#define REGSTATE_INTNO      120
#define REGSTATE_ERRCODE    128
#define REGSTATE_RIP        136
#define REGSTATE_CS         144
#define REGSTATE_RFLAGS     152
#define REGSTATE_RSP        160
#define REGSTATE_SS         168
#define REGSTATE_SIZE       176
/* Bytes of GPRs pushed by software below the vector/error-code pair. */
#define REGSTATE_GPRS_SIZE  120
