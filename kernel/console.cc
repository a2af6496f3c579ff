// console.cc — COM1 serial and CGA text output (see console.hh).
//
// The CGA cursor position is mirrored into the console page at offset
// 0xFF8 (Chickadee's `cursorpos`) so user programs that map the page see
// where the kernel will write next.
#include "console.hh"
#include "arch/x86.hh"
#include "memlayout.hh"
#include "apic.hh"
#include "cpustate.hh"
#include "interrupts.hh"
#include "spinlock.hh"
#include "waitqueue.hh"

namespace {

constexpr uint16_t com1 = 0x3F8;
constexpr uint64_t cga_pa = 0xB8000;
constexpr int cga_rows = 25, cga_columns = 80;

spinlock console_lock;

uint16_t* cga() { return pa2kptr<uint16_t>(cga_pa); }
volatile int& cga_cursor() { return *pa2kptr<volatile int>(cga_pa + 0xFF8); }

void serial_putc(char ch) {
    for (int i = 0; i < 100000 && !(inb(com1 + 5) & 0x20); ++i) {
        pause();
    }
    outb(com1, ch);
}

void cga_putc(char ch) {
    int pos = cga_cursor();
    if (pos < 0 || pos >= cga_rows * cga_columns) {
        pos = 0;
    }
    if (ch == '\n') {
        pos = (pos / cga_columns + 1) * cga_columns;
    } else if (ch == '\r') {
        pos -= pos % cga_columns;
    } else if (ch == '\b') {
        if (pos > 0) {
            --pos;
            cga()[pos] = 0x0700 | ' ';
        }
    } else if (ch == '\t') {
        pos = (pos + 8) & ~7;
    } else {
        cga()[pos++] = 0x0700 | uint8_t(ch);
    }
    if (pos >= cga_rows * cga_columns) {
        for (int i = 0; i < (cga_rows - 1) * cga_columns; ++i) {
            cga()[i] = cga()[i + cga_columns];
        }
        for (int i = (cga_rows - 1) * cga_columns; i < cga_rows * cga_columns; ++i) {
            cga()[i] = 0x0700 | ' ';
        }
        pos -= cga_columns;
    }
    cga_cursor() = pos;
    // Hardware cursor (CRTC registers 14 and 15).
    outb(0x3D4, 14);
    outb(0x3D5, pos >> 8);
    outb(0x3D4, 15);
    outb(0x3D5, pos & 0xFF);
}

void write_locked(const char* s, size_t n, bool screen = true) {
    for (size_t i = 0; i < n; ++i) {
        if (s[i] == '\n') {
            serial_putc('\r');
        }
        serial_putc(s[i]);
        if (screen) {
            cga_putc(s[i]);
        }
    }
}

}  // namespace

void console_init() {
    outb(com1 + 1, 0x00);   // no interrupts yet
    outb(com1 + 3, 0x80);   // DLAB on
    outb(com1 + 0, 0x01);   // divisor 1: 115200 baud
    outb(com1 + 1, 0x00);
    outb(com1 + 3, 0x03);   // 8 data bits, no parity, 1 stop bit
    outb(com1 + 2, 0xC7);   // FIFOs on, cleared
    outb(com1 + 4, 0x0B);   // DTR, RTS, OUT2
    for (int i = 0; i < cga_rows * cga_columns; ++i) {
        cga()[i] = 0x0700 | ' ';
    }
    cga_cursor() = 0;
}

void console_write(const char* s, size_t n) {
    spinlock_guard guard(console_lock);
    write_locked(s, n);
}

void console_write_serial(const char* s, size_t n) {
    spinlock_guard guard(console_lock);
    write_locked(s, n, false);
}

void console_write_forced(const char* s, size_t n) {
    // Wait a bounded time for the lock; if its holder is stuck (possibly
    // this very CPU, mid-print), print anyway: a garbled line beats silence.
    bool locked = false;
    for (int i = 0; i < 10000000 && !(locked = console_lock.try_lock_raw()); ++i) {
        pause();
    }
    write_locked(s, n);
    if (locked) {
        console_lock.unlock_raw();
    }
}

int serial_try_getc() {
    if (inb(com1 + 5) & 0x01) {
        return inb(com1);
    }
    return -1;
}

// ---------------------------------------------------------------------------
// Input: the COM1 interrupt handler moves bytes into a ring buffer.

namespace {
spinlock input_lock;
char input_buffer[256];         // guarded by input_lock
unsigned input_head, input_tail;
wait_queue input_queue;

void serial_interrupt() {
    {
        spinlock_guard guard(input_lock);
        int ch;
        while ((ch = serial_try_getc()) >= 0) {
            if (input_tail - input_head < sizeof(input_buffer)) {
                input_buffer[input_tail++ % sizeof(input_buffer)] = char(ch);
            }
        }
    }
    input_queue.wake_all();
}
}  // namespace

void console_enable_input_interrupts() {
    irq_register(4, serial_interrupt);
    {
        irqstate s = irqstate::save_and_disable();
        ioapic_route_isa_irq(4, cpus[0].lapic_id_);
        s.restore();
    }
    outb(com1 + 1, 0x01);       // interrupt when received data is available
}

int console_try_getc() {
    spinlock_guard guard(input_lock);
    if (input_head == input_tail) {
        return -1;
    }
    return (unsigned char) input_buffer[input_head++ % sizeof(input_buffer)];
}

int console_getc() {
    int ch = -1;
    waiter w;
    w.block_until(input_queue, [&] { return (ch = console_try_getc()) >= 0; });
    return ch;
}

long console_read(char* buf, size_t n) {
    // Line discipline: echo, backspace, Ctrl-D; a line ends with Enter.
    size_t len = 0;
    while (len < n) {
        int ch = console_getc();
        if (ch == 4) {                  // Ctrl-D: end of file or of input
            break;
        } else if (ch == '\r' || ch == '\n') {
            buf[len++] = '\n';
            console_write("\n", 1);
            break;
        } else if (ch == 0x7F || ch == '\b') {
            if (len > 0) {
                --len;
                console_write("\b \b", 3);
            }
        } else {
            buf[len++] = char(ch);
            char c = char(ch);
            console_write(&c, 1);
        }
    }
    return long(len);
}
