// console.cc — COM1 serial and CGA text output (see console.hh).
//
// The CGA cursor position is mirrored into the console page at offset
// 0xFF8 (Chickadee's `cursorpos`) so user programs that map the page see
// where the kernel will write next.
//
// Early input: bytes that reach COM1 before the kernel reads it (typed or
// piped while the machine boots: `printf 'help\r' | make run`) must not be
// lost. The UART runs with its FIFOs OFF (16450 mode: one receive holding
// register) and console_init never touches the FIFO-enable bit, because
// changing that bit discards the received byte, and no moment is safe to do
// it: a byte can arrive between the last "no data" status read and the
// FCR write (that window lost a byte of p-early-input under load). With
// the FIFO off, QEMU hands the guest the next byte only once RBR is read,
// so nothing is ever overwritten; real hardware at 115200 baud gives the
// interrupt handler ~87 us per byte. console_init saves what already
// waits in `early_input`; console_enable_input_interrupts turns the
// receive interrupt on FIRST and then, under serial_rx_lock (the lock the
// interrupt handler takes to read RBR), hands the saved bytes and anything
// since to the line discipline, so bytes stay in arrival order whichever
// CPU reads them. Easy to get wrong: under QEMU a received byte that is
// never read blocks the rest, so a byte dropped at set-up loses everything
// queued behind it.
//
// Flow control: when the line discipline's ring is full (input arrived
// faster than programs read it: a long paste, `printf ... | make run`),
// serial_drain_locked stops reading RBR and turns the receive interrupt
// off, so the bytes wait in QEMU (or, on hardware, the sender waits on a
// full UART); console_read_line turns it back on after each read that
// made room. Nothing typed on the serial line is dropped for lack of
// room. The cost: while the ring stays full nobody reads serial input,
// so a process-control key (Ctrl-C, procctl.hh) typed behind it waits too
// (the PS/2 keyboard is not held back: its bytes are dropped when full).
#include "console.hh"
#include "arch/insns.hh"
#include "cga.hh"
#include "kaddr.hh"
#include "apic.hh"
#include "cpustate.hh"
#include "interrupts.hh"
#include "proc.hh"
#include "procctl.hh"
#include "spinlock.hh"
#include "ttyline.hh"
#include "waitqueue.hh"

namespace {

constexpr uint16_t com1 = 0x3F8;
constexpr uint64_t cga_pa = 0xB8000;

spinlock console_lock;

// Bytes received before input interrupts are on (console_init only, one
// CPU, interrupts off; read once by console_enable_input_interrupts).
// Fewer than the line discipline holds, so all of them fit: the rest wait
// in the UART.
char early_input[256];
size_t early_input_count = 0;
static_assert(sizeof(early_input) + 2 <= ttyline::capacity);

uint16_t* cga() { return pa2kptr<uint16_t>(cga_pa); }
volatile int& cga_cursor() { return *pa2kptr<volatile int>(cga_pa + 0xFF8); }

void serial_putc(char ch) {
    for (int i = 0; i < 100000 && !(inb(com1 + 5) & 0x20); ++i) {
        pause();
    }
    outb(com1, ch);
}

// The cursor rules (lib/cga.hh) are the ones console_printf follows too.
void cga_putc(char ch) {
    int pos = cga_make_room(cga(), cga_valid_cursor(cga_cursor()), ch, 0x0700 | ' ');
    if (ch == '\n') {
        pos = cga_newline(pos);
    } else if (ch == '\r') {
        pos -= pos % cga_columns;
    } else if (ch == '\b') {
        if (pos > 0) {
            --pos;
            cga()[pos] = 0x0700 | ' ';
        }
    } else if (ch == '\t') {
        pos = cga_tab(pos);
    } else {
        cga()[pos++] = 0x0700 | uint8_t(ch);
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
    // FIFO-enable bit left alone (off, as at reset): see the file comment.
    // Keep what already arrived until the line discipline exists.
    while ((inb(com1 + 5) & 0x01) && early_input_count < sizeof(early_input)) {
        early_input[early_input_count++] = char(inb(com1));
    }
    outb(com1 + 4, 0x0B);   // DTR, RTS, OUT2
    for (int i = 0; i < cga_end; ++i) {
        cga()[i] = 0x0700 | ' ';
    }
    cga_cursor() = 0;
}

void console_clear_screen() {
    spinlock_guard guard(console_lock);
    for (int i = 0; i < cga_end; ++i) {
        cga()[i] = 0x0700 | ' ';
    }
    cga_cursor() = 0;
    outb(0x3D4, 14);
    outb(0x3D5, 0);
    outb(0x3D4, 15);
    outb(0x3D5, 0);
}

void console_write(const char* s, size_t n) {
    spinlock_guard guard(console_lock);
    write_locked(s, n);
}

void console_write_serial(const char* s, size_t n) {
    spinlock_guard guard(console_lock);
    write_locked(s, n, false);
}

namespace {
// Set once a panic has stopped every other CPU (console_panic_alone): a
// console_lock held now is held by a halted CPU, or by this one mid-print,
// and will never be released.
bool alone = false;
}

void console_panic_alone() {
    alone = true;
}

void console_write_forced(const char* s, size_t n) {
    if (n == 0) {
        return;
    }
    // Wait a bounded time for the lock, unless nobody else can be holding
    // it; if its holder is stuck (possibly this very CPU, mid-print), print
    // anyway: a garbled line beats silence.
    bool locked = console_lock.try_lock_raw();
    for (int i = 0; !locked && !alone && i < 10000000; ++i) {
        pause();
        locked = console_lock.try_lock_raw();
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
// Input: bytes from the COM1 and keyboard interrupt handlers (and from tests)
// pass through the line discipline; readers wait for whole lines.
// input_lock is taken before console_lock (lock order: docs/contexts.md).

namespace {
spinlock input_lock;
ttyline input_line;             // guarded by input_lock
wait_queue input_queue;         // readers waiting for input_line.readable()

void echo_to_console(void*, const char* s, size_t n) {
    console_write(s, n);
}

// Serialises reading RBR with handing the byte on, so two CPUs (the
// interrupt handler and console_enable_input_interrupts) cannot reorder
// bytes. Lock order: serial_rx_lock, then input_lock.
spinlock serial_rx_lock;
bool serial_rx_held = false;    // guarded by serial_rx_lock: receive interrupt off

bool input_full() {
    spinlock_guard guard(input_lock);
    return input_line.full();
}

void serial_drain_locked() {
    while (!input_full()) {
        int ch = serial_try_getc();
        if (ch < 0) {
            return;
        }
        console_input_byte(char(ch));
    }
    if (!serial_rx_held) {
        serial_rx_held = true;
        outb(com1 + 1, 0x00);   // leave the byte in RBR; no interrupt for it
    }
}

// After a read made room: take in what waited, and interrupts again.
void serial_resume() {
    spinlock_guard guard(serial_rx_lock);
    if (serial_rx_held) {
        serial_rx_held = false;
        outb(com1 + 1, 0x01);
        serial_drain_locked();
    }
}

void serial_interrupt() {
    spinlock_guard guard(serial_rx_lock);
    serial_drain_locked();
}
}  // namespace

void console_enable_input_interrupts() {
    irq_register(4, serial_interrupt);
    ioapic_route_isa_irq(4, cpus[0].lapic_id_);
    spinlock_guard guard(serial_rx_lock);
    // Interrupt on first: a byte that arrives from here on raises it, and
    // the handler waits for this lock, so it runs after the saved bytes.
    outb(com1 + 1, 0x01);       // interrupt when received data is available
    for (size_t i = 0; i < early_input_count; ++i) {
        console_input_byte(early_input[i]);
    }
    early_input_count = 0;
    serial_drain_locked();
}

void console_input_byte(char ch) {
    if (procctl_input(ch)) {
        return;                         // a process-control key (procctl.hh)
    }
    bool ready;
    {
        spinlock_guard guard(input_lock);
        input_line.input(ch, {echo_to_console, nullptr});
        ready = input_line.readable();
    }
    if (ready) {
        input_queue.wake_all();
    }
}

ssize_t console_read_line(char* buf, size_t size) {
    if (size == 0) {
        return 0;
    }
    ssize_t n = 0;
    waiter w;
    proc* self = current();
    w.block_until(input_queue, [&] {
        if (self->kill_requested_) {
            n = E_INTR;                 // killed from the console: read nothing
            return true;
        }
        spinlock_guard guard(input_lock);
        if (!input_line.readable()) {
            return false;
        }
        n = ssize_t(input_line.read(buf, size));
        return true;
    });
    serial_resume();
    return n;
}

