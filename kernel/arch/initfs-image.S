// initfs-image.S — the initial file system image, linked into the kernel.
//
// The Makefile builds obj/initfs.img (scripts/mkinitfs.py, format in
// include/abi/initfs.h) before this file and passes its path as
// INITFS_IMAGE. The image lands in read-only data, page-aligned so file
// data (page-aligned inside the image) is page-aligned in memory too.
// kernel/core/initfs.cc reads it between the two symbols.
    .section .rodata.initfs, "a", @progbits
    .balign 4096
    .globl initfs_image_start, initfs_image_end
initfs_image_start:
    .incbin INITFS_IMAGE
initfs_image_end:
    .section .note.GNU-stack, "", @progbits
