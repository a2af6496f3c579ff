// p-lib.hh — the older name of the user library's header. Chickadee's
// programs from before u-lib.hh (pset 4's testwritefs3/4, wcdiskfile, the
// pset-1/2 tests) say `#include "p-lib.hh"`; this lets them build
// unchanged. Everything is in u-lib.hh: add nothing here.
#ifndef NUTHATCH_P_LIB_HH
#define NUTHATCH_P_LIB_HH
#include "u-lib.hh"
#endif
