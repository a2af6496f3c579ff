// arch/cpufeatures.hh — which optional x86-64 features this CPU has (CPUID).
//
// Kept apart from the page-table code so that code asking "is NX there?"
// need not include vm.hh. Easy to get wrong: `cpu_has` is filled once, on
// CPU 0, by cpu_features_detect (called from vm_init, before any CPU turns
// a feature on); every CPU is assumed to have the same features.
#pragma once

struct cpu_features {
    bool nx, smep, smap, pcid, pdpe1gb, pge, umip;
};
extern cpu_features cpu_has;

// Read CPUID into `cpu_has` (also sets entry_clac, which the interrupt
// entry uses to decide whether `clac` is legal).
void cpu_features_detect();
