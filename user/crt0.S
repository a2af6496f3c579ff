// crt0.S — `_start`, the one entry point of every user program.
//
// Who arrives: the kernel, for every entry index (abi/user-memlayout.hh):
//   %rdi = entry index; %rsi, %rdx = the index's arguments
//          (ENTRY_START: argc, argv; ENTRY_TIMER: slot address);
//   %rsp = 16-byte aligned top of the stack to use (the initial stack, or
//          the activation slot's stack); no return address on it.
// What it does: ends the frame-pointer chain and calls C++, which decides
// what the index means (user/u-entry.cc). The call pushes a return
// address, so the C++ function sees the ABI's %rsp ≡ 8 (mod 16).
// How it leaves: never; user_entry does not return (ud2 if it did).
    .text
    .globl _start
    .type _start, @function
_start:
    // For gdb (.debug_frame, not loaded): no caller, so backtraces end here.
    .cfi_sections .debug_frame
    .cfi_startproc
    .cfi_undefined %rip
    xorl %ebp, %ebp
    call user_entry
    ud2
    .cfi_endproc
    .size _start, . - _start
    .section .note.GNU-stack, "", @progbits
