// echoargs.hh — the protocol between tests/user/p-execv.cc and the helper
// program user/p-echoargs.cc (built as `echoargs`, not a test itself).
//
// argv of echoargs:
//   [0] "echoargs"
//   [1] the argc it should see, in decimal
//   [2] the pid its parent should have (getppid), in decimal
//   [3] the pid it should have (exec keeps the pid), in decimal
//   [4] crc32c of the payload, in hex: the CRC of argv[5], argv[6], ...
//       each including its terminating NUL, computed piecewise
//   [5...] payload
// It exits with ECHOARGS_OK if everything matches, else with one of the
// ECHOARGS_BAD_* codes (and prints why).
#pragma once

#define ECHOARGS_OK             73
#define ECHOARGS_BAD_ARGC       1   // argc differs from argv[1] (or < 5)
#define ECHOARGS_BAD_TERMINATOR 2   // argv[argc] is not nullptr
#define ECHOARGS_BAD_PPID       3
#define ECHOARGS_BAD_PID        4
#define ECHOARGS_BAD_CRC        5
#define ECHOARGS_BAD_NAME       6   // argv[0] is not "echoargs"
#define ECHOARGS_BAD_IMAGE      7   // data or bss not fresh
#define ECHOARGS_STALE_MAPPING  8   // a page of the old image is still mapped
#define ECHOARGS_BAD_LOCATION   9   // argv or its strings not on the stack page

// The exec'ing process maps a page here before execv; in the new image it
// must be gone (the helper checks with sys_getusage, which fails with
// E_FAULT on an unmapped buffer).
#define ECHOARGS_STALE_PAGE     0x10000000UL
