/* floor.S — QEMU's boot floor for `make bench`: the smallest image QEMU's
 * -kernel (Multiboot 1) loader accepts. Its first instruction writes a
 * marker line to COM1 and then exits through isa-debug-exit with the
 * harness's pass status (0x10 -> QEMU exits (0x10 << 1) | 1 = 33), so the
 * time from QEMU's start to the marker is QEMU's own start-up cost, to
 * compare with the time to Nuthatch's first user instruction.
 * 32-bit protected mode, flat segments (as Multiboot promises). */
    .text                           /* header first: within 8 KiB of the start */
    .align 4
    .long 0x1BADB002                /* magic */
    .long 0                         /* flags */
    .long -0x1BADB002               /* checksum */

    .code32
    .globl _start
_start:
    mov $0x3F8, %dx
    mov $marker, %esi
1:  lodsb
    test %al, %al
    jz 2f
    outb %al, %dx
    jmp 1b
2:  mov $0x10, %al
    outb %al, $0xF4
3:  cli
    hlt
    jmp 3b

marker:
    .asciz "bench-floor-marker\n"
