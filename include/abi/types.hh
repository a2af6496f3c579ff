// abi/types.hh — the integer types system calls traffic in.
//
// The same definitions as the host C library's (typedefs may be repeated
// when they name the same type), so host tests can include this too.
#pragma once
#include <stddef.h>
#include <stdint.h>

typedef int pid_t;
typedef long ssize_t;
typedef long off_t;
