// keyboard.cc — i8042 PS/2 controller set-up and the IRQ 1 handler.
//
// Ports: 0x60 data, 0x64 status (read) / command (write). Status bit 0:
// a byte waits in the output buffer; bit 1: the controller has not yet
// taken our last byte; bit 5: the waiting byte came from the second
// (mouse) port. Configuration byte bit 0: port 1 interrupts; bit 1: port 2
// interrupts; bit 4: port 1 clock off; bit 6: translate to scan code set 1.
// Easy to get wrong: the controller may hold stale bytes from the firmware
// (flush them before and after configuring), and a missing controller
// reads as 0xFF, so every wait here is bounded.
#include "keyboard.hh"
#include "apic.hh"
#include "arch/insns.hh"
#include "console.hh"
#include "cpustate.hh"
#include "interrupts.hh"
#include "log.hh"
#include "scancode.hh"

namespace {

constexpr uint16_t data_port = 0x60, status_port = 0x64, command_port = 0x64;
constexpr uint8_t status_output_full = 0x01, status_input_full = 0x02,
    status_from_mouse = 0x20;
constexpr uint8_t command_read_config = 0x20, command_write_config = 0x60,
    command_disable_mouse = 0xA7, command_disable_keyboard = 0xAD,
    command_enable_keyboard = 0xAE;
constexpr uint8_t config_keyboard_irq = 0x01, config_mouse_irq = 0x02,
    config_keyboard_clock_off = 0x10, config_translate = 0x40;
constexpr int keyboard_irq = 1;
constexpr int wait_limit = 100000;

// Touched only by the IRQ 1 handler, which runs on CPU 0 with interrupts
// off, so it needs no lock.
scancode_decoder decoder;

bool wait_can_write() {
    for (int i = 0; i < wait_limit; ++i) {
        if (!(inb(status_port) & status_input_full)) {
            return true;
        }
        pause();
    }
    return false;
}

bool wait_can_read() {
    for (int i = 0; i < wait_limit; ++i) {
        if (inb(status_port) & status_output_full) {
            return true;
        }
        pause();
    }
    return false;
}

bool send_command(uint8_t command) {
    if (!wait_can_write()) {
        return false;
    }
    outb(command_port, command);
    return true;
}

void flush_output() {
    for (int i = 0; i < 64 && (inb(status_port) & status_output_full); ++i) {
        (void) inb(data_port);
    }
}

void keyboard_interrupt() {
    // A handful per interrupt at most: the controller buffers one byte.
    for (int i = 0; i < 16; ++i) {
        uint8_t status = inb(status_port);
        if (!(status & status_output_full)) {
            break;
        }
        uint8_t code = inb(data_port);
        if (status & status_from_mouse) {
            continue;
        }
        int ch = decoder.feed(code);
        if (ch >= 0) {
            console_input_byte(char(ch));
        }
    }
}

}  // namespace

bool keyboard_init() {
    if (inb(status_port) == 0xFF) {
        log_printf(log_level::info, "keyboard: no i8042 controller\n");
        return false;
    }
    // Quiet both ports while the configuration changes.
    bool ok = send_command(command_disable_keyboard) && send_command(command_disable_mouse);
    flush_output();
    uint8_t config = 0;
    ok = ok && send_command(command_read_config) && wait_can_read();
    if (ok) {
        config = inb(data_port);
        config |= config_keyboard_irq | config_translate;
        config &= ~(config_mouse_irq | config_keyboard_clock_off);
        ok = send_command(command_write_config) && wait_can_write();
    }
    if (!ok) {
        log_printf(log_level::warn, "keyboard: i8042 controller does not respond\n");
        return false;
    }
    outb(data_port, config);
    irq_register(keyboard_irq, keyboard_interrupt);
    {
        irqstate s = irqstate::save_and_disable();
        ioapic_route_isa_irq(keyboard_irq, cpus[0].lapic_id_);
        s.restore();
    }
    flush_output();
    if (!send_command(command_enable_keyboard)) {
        log_printf(log_level::warn, "keyboard: could not enable the keyboard port\n");
        return false;
    }
    log_printf(log_level::debug, "keyboard: PS/2 keyboard on IRQ %d\n", keyboard_irq);
    return true;
}
