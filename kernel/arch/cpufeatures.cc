// arch/cpufeatures.cc — CPUID feature detection (see cpufeatures.hh).
//
// Easy to get wrong: leaf 7 exists only if leaf 0 reports it; reading it
// blindly returns the highest leaf's values on some CPUs.
#include "arch/cpufeatures.hh"
#include "arch/insns.hh"
#include "interrupts.hh"

cpu_features cpu_has;

void cpu_features_detect() {
    cpuid_result ext = cpuid(0x80000001);
    cpuid_result basic = cpuid(1);
    cpuid_result leaf7 = cpuid(0).eax >= 7 ? cpuid(7) : cpuid_result{};
    cpu_has.nx = ext.edx & (1U << 20);
    cpu_has.pdpe1gb = ext.edx & (1U << 26);
    cpu_has.pge = basic.edx & (1U << 13);
    cpu_has.pcid = basic.ecx & (1U << 17);
    cpu_has.smep = leaf7.ebx & (1U << 7);
    cpu_has.smap = leaf7.ebx & (1U << 20);
    cpu_has.umip = leaf7.ecx & (1U << 2);
    entry_clac = cpu_has.smap;
}
