// kaddr.hh — converting between physical and kernel virtual addresses.
//
// Physical memory is reachable two ways: through the direct map (any
// physical address, at KERNEL_DIRECT_BASE + pa) and, for the kernel image
// only, through the high-half text mapping. Easy to get wrong: `pa2kva` is
// the direct map, not the image mapping; use `kimage_pa` for image symbols.
#pragma once
#include "x86-64.hh"

template <typename T = void>
inline T* pa2kptr(uint64_t pa) {
    return reinterpret_cast<T*>(pa + KERNEL_DIRECT_BASE);
}
inline uint64_t pa2kva(uint64_t pa) {
    return pa + KERNEL_DIRECT_BASE;
}
// Physical address of a direct-map or kernel-image virtual address.
inline uint64_t kva2pa(const volatile void* ptr) {
    uint64_t va = reinterpret_cast<uint64_t>(ptr);
    if (va >= KERNEL_TEXT_BASE) {
        return va - KERNEL_TEXT_BASE;
    }
    return va - KERNEL_DIRECT_BASE;
}

// Symbols from boot/kernel.ld.
extern "C" char kernel_image_start[], kernel_text_end[], kernel_data_start[],
    kernel_image_end[], kernel_bss_start[], kernel_bss_end[];
