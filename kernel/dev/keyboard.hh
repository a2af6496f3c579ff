// keyboard.hh — the PS/2 keyboard behind the i8042 controller.
//
// IRQ 1 is routed through the I/O APIC to CPU 0; each scan code is decoded
// (scancode.hh) and typed characters go to console_input_byte, the same
// path serial input takes.
#pragma once

// Configure the controller and enable keyboard interrupts. Returns false
// (and leaves the keyboard off) if there is no controller or it does not
// answer. Call once, after the I/O APIC is set up.
bool keyboard_init();
