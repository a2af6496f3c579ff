// freestanding.hh — force-included (-include) into every kernel and user
// translation unit.
//
// We use the host compiler's libstdc++ headers for <atomic> and
// <type_traits>, which are header-only. But GCC's <atomic> pulls in its
// futex-based wait/notify support, and with it the host's <unistd.h>, when
// the host C library has threads. Nuthatch has no such C library: switch
// that support off before any standard header is seen.
#pragma once
#include <bits/c++config.h>
#undef _GLIBCXX_HAS_GTHREADS
#undef _GLIBCXX_HAVE_LINUX_FUTEX
