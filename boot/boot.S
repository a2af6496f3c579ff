// boot.S — Multiboot headers and the 32-bit entry that reaches 64-bit C++.
//
// Who arrives here: a Multiboot 1 loader (QEMU's `-kernel`, EAX=0x2BADB002)
// or a Multiboot 2 loader (GRUB, BIOS or UEFI; EAX=0x36D76289). Either way
// the CPU is in 32-bit protected mode, paging off, interrupts off, EBX holds
// the physical address of the boot information, ESP is not usable.
//
// What it does: zero BSS, check for long mode, build early page tables that
// map the first 4 GiB three times (identity; direct map at
// KERNEL_DIRECT_BASE; kernel image at KERNEL_TEXT_BASE), enable long mode,
// jump to the high half, call `kernel_start(magic, info_pa)`.
//
// Easy to get wrong: until paging is on, every address this code uses must
// be physical; `PA(sym)` converts a link-time (virtual) address.
#include "x86-64.hh"

#define PA(x)           ((x) - KERNEL_TEXT_BASE)
#define MB1_MAGIC       0x1BADB002
#define MB1_FLAGS       0x00010003      // page-align modules, memory info, address fields
#define MB2_MAGIC       0xE85250D6

// ---------------------------------------------------------------------------
// Multiboot 1 header: QEMU refuses ELF64 kernels unless the header carries
// load addresses (bit 16), in which case it loads the file as a flat image.
        .section .multiboot, "a"
        .balign 8
multiboot1_header:
        .long MB1_MAGIC
        .long MB1_FLAGS
        .long 0x100000000 - (MB1_MAGIC + MB1_FLAGS)
        .long PA(multiboot1_header)     // header_addr
        .long kernel_load_pa            // load_addr
        .long kernel_load_end_pa        // load_end_addr
        .long kernel_bss_end_pa         // bss_end_addr
        .long boot_entry_pa             // entry_addr

// Multiboot 2 header: GRUB loads the ELF by its program headers (physical
// addresses) and enters at the ELF entry point, which is virtual (see
// boot/kernel.ld); GRUB converts it to a physical address itself.
        .balign 8
multiboot2_header:
        .long MB2_MAGIC
        .long 0                         // architecture: i386 protected mode
        .long multiboot2_header_end - multiboot2_header
        .long 0x100000000 - (MB2_MAGIC + (multiboot2_header_end - multiboot2_header))
        .balign 8                       // tag: page-align modules
        .short 6, 0
        .long 8
        .balign 8                       // end tag
        .short 0, 0
        .long 8
multiboot2_header_end:

// ---------------------------------------------------------------------------
        .section .text.boot32, "ax"
        .code32
        .globl boot_entry32
boot_entry32:
        cli
        cld
        movl %eax, %ebp                 // EBP = loader magic (kept until C++)
        movl %ebx, %esi                 // ESI = boot information (CPUID clobbers EBX)
        // Zero BSS: the page tables and boot stack below live there.
        movl $kernel_bss_start_pa, %edi
        movl $kernel_bss_end_pa, %ecx
        subl %edi, %ecx
        shrl $2, %ecx
        xorl %eax, %eax
        rep stosl

        movl $PA(boot_stack_top), %esp

        // Long mode available? CPUID leaf 0x80000001, EDX bit 29.
        movl $0x80000000, %eax
        cpuid
        cmpl $0x80000001, %eax
        jb no_long_mode
        movl $0x80000001, %eax
        cpuid
        btl $29, %edx
        jnc no_long_mode
        movl %edx, %edi                 // EDI bit 20 = NX supported

        // Four page directories of 2 MiB pages: physical [0, 4 GiB).
        movl $PA(boot_pd), %edx
        xorl %ecx, %ecx
1:      movl %ecx, %eax
        shll $21, %eax
        orl $(PTE_P | PTE_W | PTE_PS), %eax
        movl %eax, (%edx,%ecx,8)
        movl %ecx, %eax
        shrl $11, %eax                  // high dword: (i * 2 MiB) >> 32
        movl %eax, 4(%edx,%ecx,8)
        incl %ecx
        cmpl $2048, %ecx
        jb 1b

        // Low PDPT: entries 0..3 point at the four directories.
        movl $PA(boot_pdpt_low), %edx
        movl $(PA(boot_pd) + (PTE_P | PTE_W)), (%edx)
        movl $(PA(boot_pd) + 0x1000 + (PTE_P | PTE_W)), 8(%edx)
        movl $(PA(boot_pd) + 0x2000 + (PTE_P | PTE_W)), 16(%edx)
        movl $(PA(boot_pd) + 0x3000 + (PTE_P | PTE_W)), 24(%edx)
        // High PDPT: the last 2 GiB of the address space = physical [0, 2 GiB).
        movl $PA(boot_pdpt_high), %edx
        movl $(PA(boot_pd) + (PTE_P | PTE_W)), 510*8(%edx)
        movl $(PA(boot_pd) + 0x1000 + (PTE_P | PTE_W)), 511*8(%edx)
        // PML4: identity (0), direct map (256), kernel image (511).
        movl $PA(boot_pml4), %edx
        movl $(PA(boot_pdpt_low) + (PTE_P | PTE_W)), (%edx)
        movl $(PA(boot_pdpt_low) + (PTE_P | PTE_W)), 256*8(%edx)
        movl $(PA(boot_pdpt_high) + (PTE_P | PTE_W)), 511*8(%edx)

        // Enable PAE, load CR3, set EFER.LME (and NXE if present), paging on.
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $PA(boot_pml4), %eax
        movl %eax, %cr3
        movl $MSR_IA32_EFER, %ecx
        rdmsr
        orl $EFER_LME, %eax
        btl $20, %edi
        jnc 2f
        orl $EFER_NXE, %eax
2:      wrmsr
        movl %cr0, %eax
        orl $(CR0_PE | CR0_PG | CR0_WP), %eax
        movl %eax, %cr0

        lgdt PA(boot_gdt_pointer32)
        ljmp $0x08, $PA(boot_entry64_low)

no_long_mode:
        movl $PA(no_long_mode_message), %esi    // (boot information no longer needed)
3:      lodsb
        testb %al, %al
        jz 4f
        movw $0x3F8, %dx                // COM1, polled: good enough to die
        outb %al, %dx
        jmp 3b
4:      hlt
        jmp 4b

        .code64
boot_entry64_low:
        movabsq $boot_entry64_high, %rax
        jmp *%rax

        .text
boot_entry64_high:
        lgdt boot_gdt_pointer64         // same GDT, by its high address
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        xorw %ax, %ax
        movw %ax, %fs
        movw %ax, %gs
        movabsq $boot_stack_top, %rsp
        movl %ebp, %edi                 // arg 1: loader magic
        movl %esi, %esi                 // arg 2: boot information (physical, zero-extended)
        xorl %ebp, %ebp                 // end of the frame-pointer chain
        pushq $0                        // fake return address for backtraces
        jmp kernel_start

// ---------------------------------------------------------------------------
        .section .rodata
        .balign 16
boot_gdt:
        .quad 0                         // 0x00: null
        .quad 0x00AF9A000000FFFF        // 0x08: kernel code, 64-bit
        .quad 0x00CF92000000FFFF        // 0x10: kernel data
boot_gdt_end:
        .balign 8
boot_gdt_pointer32:
        .word boot_gdt_end - boot_gdt - 1
        .long PA(boot_gdt)
        .balign 8
boot_gdt_pointer64:
        .word boot_gdt_end - boot_gdt - 1
        .quad boot_gdt
no_long_mode_message:
        .asciz "Nuthatch: this CPU cannot run 64-bit code; halting.\r\n"

        .section .bss
        .balign 4096
        .globl boot_pml4
boot_pml4:      .space 4096
boot_pdpt_low:  .space 4096
boot_pdpt_high: .space 4096
boot_pd:        .space 4 * 4096
        .globl boot_stack_top
boot_stack:     .space 16384
boot_stack_top:
