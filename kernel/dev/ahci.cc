// ahci.cc — the AHCI SATA driver (see ahci.hh and docs/disk.md).
//
// Register offsets, FIS layouts and command codes follow the AHCI 1.3
// specification and ATA8-ACS. Boot-time set-up (HBA reset, port start,
// IDENTIFY) polls, with every wait bounded; afterwards commands complete
// through the MSI handler and nothing polls, except the port recovery
// after a device error (bounded waits inside the interrupt handler).
// Easy to get wrong: read PxCI/PxSACT *before* PxIS in the handler (an
// error that lands between the two reads is then seen as an error, never
// as a success); PxSACT must be set before PxCI for a queued command; an
// NCQ tag is its slot number.
#include "ahci.hh"
#include <atomic>
#include "abi/errno.hh"
#include "apic.hh"
#include "assert.hh"
#include "cmdline.hh"
#include "cpustate.hh"
#include "interrupts.hh"
#include "kaddr.hh"
#include "kalloc.hh"
#include "log.hh"
#include "pci.hh"
#include "printf.hh"
#include "string.hh"
#include "timer.hh"
#include "vm.hh"

// The HBA's in-memory structures (AHCI 1.3 §4.2).
struct ahci_command_header {
    uint16_t flags;         // 4:0 FIS length in dwords, 6 write, 7 prefetchable
    uint16_t prdtl;         // PRDT entries
    volatile uint32_t prdbc;    // bytes transferred (written by the HBA)
    uint64_t ctba;          // command table, 128-byte aligned
    uint32_t reserved[4];
};
static_assert(sizeof(ahci_command_header) == 32);

struct ahci_prd {
    uint64_t dba;           // data address, even
    uint32_t reserved;
    uint32_t dbc;           // 21:0 byte count - 1 (odd), 31 interrupt on completion
};

constexpr int max_prd = 56;
struct ahci_command_table {
    uint8_t cfis[64];       // command FIS
    uint8_t acmd[16];       // ATAPI command (unused)
    uint8_t reserved[48];
    ahci_prd prdt[max_prd];
};
static_assert(sizeof(ahci_command_table) == 1024);
static_assert(ahci_disk::max_blocks_per_command * BLOCKDEV_BLOCKSIZE / PAGESIZE + 1 <= max_prd);

ahci_disk* ahci_root;

namespace {

// Generic host control registers (byte offsets in the ABAR).
constexpr unsigned HBA_CAP = 0x00, HBA_GHC = 0x04, HBA_IS = 0x08, HBA_PI = 0x0C,
    HBA_CAP2 = 0x24, HBA_BOHC = 0x28;
constexpr uint32_t CAP_S64A = 1U << 31, CAP_SNCQ = 1U << 30;
constexpr uint32_t GHC_HR = 1U << 0, GHC_IE = 1U << 1, GHC_AE = 1U << 31;
constexpr uint32_t CAP2_BOH = 1U << 0, BOHC_BOS = 1U << 0, BOHC_OOS = 1U << 1;

// Port registers (byte offsets from 0x100 + 0x80 * port).
constexpr unsigned PX_CLB = 0x00, PX_CLBU = 0x04, PX_FB = 0x08, PX_FBU = 0x0C, PX_IS = 0x10,
    PX_IE = 0x14, PX_CMD = 0x18, PX_TFD = 0x20, PX_SIG = 0x24, PX_SSTS = 0x28,
    PX_SCTL = 0x2C, PX_SERR = 0x30, PX_SACT = 0x34, PX_CI = 0x38;
constexpr uint32_t CMD_ST = 1U << 0, CMD_SUD = 1U << 1, CMD_POD = 1U << 2,
    CMD_FRE = 1U << 4, CMD_FR = 1U << 14, CMD_CR = 1U << 15;
constexpr uint32_t IS_DHRS = 1U << 0, IS_PSS = 1U << 1, IS_SDBS = 1U << 3,
    IS_OFS = 1U << 24, IS_IFS = 1U << 27, IS_HBDS = 1U << 28, IS_HBFS = 1U << 29,
    IS_TFES = 1U << 30;
constexpr uint32_t IS_ERRORS = IS_TFES | IS_HBFS | IS_HBDS | IS_IFS | IS_OFS;
constexpr uint32_t IE_WANTED = IS_DHRS | IS_PSS | IS_SDBS | IS_ERRORS;
constexpr uint32_t TFD_ERR = 0x01, TFD_DRQ = 0x08, TFD_BSY = 0x80;
constexpr uint32_t SSTS_DET_PRESENT = 3;
constexpr uint32_t SIG_ATA = 0x00000101;

// FIS types and ATA commands.
constexpr uint8_t FIS_REG_H2D = 0x27;
constexpr uint8_t ATA_IDENTIFY = 0xEC, ATA_READ_DMA_EXT = 0x25, ATA_WRITE_DMA_EXT = 0x35,
    ATA_READ_FPDMA = 0x60, ATA_WRITE_FPDMA = 0x61, ATA_FLUSH_EXT = 0xEA;
constexpr uint8_t DEVICE_LBA = 0x40;

// Controller-wide (set at boot, then read-only).
volatile uint32_t* hba_regs;
bool hba_s64a;
bool cmdline_no_ncq;            // `ahci=noncq`: one non-queued command at a time

uint32_t hba_read(unsigned offset) {
    return hba_regs[offset / 4];
}
void hba_write(unsigned offset, uint32_t value) {
    hba_regs[offset / 4] = value;
}

// Wait until `(read() & mask) == want`, at most `ms` milliseconds.
template <typename F>
bool wait_for(F read, uint32_t mask, uint32_t want, unsigned ms) {
    for (unsigned i = 0; i < ms * 20; ++i) {
        if ((read() & mask) == want) {
            return true;
        }
        delay_us(50);
    }
    return (read() & mask) == want;
}

int lowest_bit(uint32_t x) {
    return __builtin_ctz(x);
}
// (Not __builtin_popcount: without -mpopcnt it calls libgcc.)
int count_bits(uint32_t x) {
    int n = 0;
    for (; x; x &= x - 1) {
        ++n;
    }
    return n;
}

void ahci_interrupt() {
    if (ahci_root) {
        ahci_root->handle_interrupt();
    }
}

}  // namespace

#define PREG(off) port_regs_[(off) / 4]

// ---------------------------------------------------------------------------
// Port engine control and recovery (AHCI 1.3 §10.1.2, §10.4.2, §6.2.2).

bool ahci_disk::stop_engine() {
    PREG(PX_CMD) = PREG(PX_CMD) & ~CMD_ST;
    bool ok = wait_for([&] { return PREG(PX_CMD); }, CMD_CR, 0, 500);
    return ok;
}

bool ahci_disk::start_engine() {
    // The device must not be busy when the engine starts.
    if (!wait_for([&] { return PREG(PX_TFD); }, TFD_BSY | TFD_DRQ, 0, 1000)) {
        return false;
    }
    PREG(PX_CMD) = PREG(PX_CMD) | CMD_ST;
    return true;
}

// After a device or interface error: stop the port, reset the link
// (COMRESET) so the device abandons every outstanding command, clear the
// error state and start again. The HBA forgets PxCI and PxSACT; the caller
// decides what happens to the commands that were outstanding.
void ahci_disk::recover_port() {
    ++nrecoveries_;
    stop_engine();
    PREG(PX_SCTL) = (PREG(PX_SCTL) & ~0xFU) | 1;     // DET = 1: COMRESET
    delay_us(1000);
    PREG(PX_SCTL) = PREG(PX_SCTL) & ~0xFU;
    wait_for([&] { return PREG(PX_SSTS); }, 0xF, SSTS_DET_PRESENT, 1000);
    PREG(PX_SERR) = 0xFFFFFFFF;
    PREG(PX_IS) = 0xFFFFFFFF;
    if (!start_engine()) {
        log_printf(log_level::error, "ahci: port %d did not recover (TFD %#x)\n",
                   port_, PREG(PX_TFD));
    }
}

// Boot only: issue `slot` (already filled) and poll for its end.
int ahci_disk::poll_command(int slot, unsigned timeout_ms) {
    uint32_t bit = 1U << slot;
    PREG(PX_IS) = 0xFFFFFFFF;
    PREG(PX_CI) = bit;
    bool finished = wait_for([&] {
        return (PREG(PX_CI) & bit) && !(PREG(PX_IS) & IS_ERRORS) ? 1U : 0U;
    }, 1, 0, timeout_ms);
    uint32_t is = PREG(PX_IS);
    PREG(PX_IS) = is;
    if (!finished || (is & IS_ERRORS) || (PREG(PX_TFD) & TFD_ERR)) {
        return E_IO;
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Probe.

bool ahci_disk::probe(volatile uint32_t* hba, int port) {
    hba_ = hba;
    port_ = port;
    port_regs_ = hba + (0x100 + 0x80 * port) / 4;
    // DET 0: nothing attached. DET 1: a device, link not up yet (right
    // after the HBA reset on hardware): give it 100 ms.
    if ((PREG(PX_SSTS) & 0xF) == 0
        || !wait_for([&] { return PREG(PX_SSTS); }, 0xF, SSTS_DET_PRESENT, 100)) {
        return false;
    }
    // Idle the port before pointing it at our memory.
    if (!stop_engine()) {
        log_printf(log_level::warn, "ahci: port %d does not stop\n", port);
        return false;
    }
    PREG(PX_CMD) = PREG(PX_CMD) & ~CMD_FRE;
    if (!wait_for([&] { return PREG(PX_CMD); }, CMD_FR, 0, 500)) {
        log_printf(log_level::warn, "ahci: port %d FIS receive does not stop\n", port);
        return false;
    }

    uint32_t cap = hba_read(HBA_CAP);
    nslots_ = ((cap >> 8) & 0x1F) + 1;
    cmd_list_ = static_cast<ahci_command_header*>(kalloc_zeroed(1024));
    rfis_ = kalloc_zeroed(256);
    tables_ = static_cast<ahci_command_table*>(
        kalloc_zeroed(sizeof(ahci_command_table) * max_slots));
    auto* identify = static_cast<uint16_t*>(kalloc_zeroed(512));
    auto give_up = [&] {
        kfree(cmd_list_);
        kfree(rfis_);
        kfree(tables_);
        kfree(identify);
        cmd_list_ = nullptr, rfis_ = nullptr, tables_ = nullptr;
        return false;
    };
    if (!cmd_list_ || !rfis_ || !tables_ || !identify) {
        log_printf(log_level::error, "ahci: out of memory\n");
        return give_up();
    }
    // kalloc aligns a power-of-two object to its size: 1 KiB, 256 bytes.
    assert((kva2pa(cmd_list_) & 1023) == 0 && (kva2pa(rfis_) & 255) == 0);
    uint64_t top = kva2pa(tables_) + sizeof(ahci_command_table) * max_slots;
    if (!hba_s64a && (top > (uint64_t(1) << 32) || kva2pa(cmd_list_) >> 32)) {
        log_printf(log_level::error, "ahci: memory above 4 GiB and no 64-bit DMA\n");
        return give_up();
    }
    for (int s = 0; s < max_slots; ++s) {
        cmd_list_[s].ctba = kva2pa(&tables_[s]);
    }
    PREG(PX_CLB) = uint32_t(kva2pa(cmd_list_));
    PREG(PX_CLBU) = uint32_t(kva2pa(cmd_list_) >> 32);
    PREG(PX_FB) = uint32_t(kva2pa(rfis_));
    PREG(PX_FBU) = uint32_t(kva2pa(rfis_) >> 32);
    PREG(PX_SERR) = 0xFFFFFFFF;
    PREG(PX_IS) = 0xFFFFFFFF;
    PREG(PX_IE) = 0;
    PREG(PX_CMD) = PREG(PX_CMD) | CMD_FRE | CMD_SUD | CMD_POD;
    // The device's first D2H register FIS (its signature) arrives now.
    wait_for([&] { return PREG(PX_TFD); }, TFD_BSY | TFD_DRQ, 0, 1000);
    if (PREG(PX_SIG) != SIG_ATA) {
        log_printf(log_level::debug, "ahci: port %d: not an ATA disk (signature %#x)\n",
                   port, PREG(PX_SIG));
        return give_up();
    }
    if (!start_engine()) {
        log_printf(log_level::warn, "ahci: port %d: device stays busy\n", port);
        return give_up();
    }

    // IDENTIFY DEVICE (PIO data-in, 512 bytes), polled.
    fill_fis(0, ATA_IDENTIFY, 0, 0, false);
    tables_[0].cfis[7] = 0;
    int nprd = fill_prdt(0, identify, 512);
    cmd_list_[0].flags = 5;
    cmd_list_[0].prdtl = nprd;
    cmd_list_[0].prdbc = 0;
    if (poll_command(0, 2000) != 0) {
        log_printf(log_level::warn, "ahci: port %d: IDENTIFY failed (TFD %#x)\n",
                   port, PREG(PX_TFD));
        return give_up();
    }
    // Model: words 27..46, two characters per word, high byte first.
    for (int i = 0; i < 20; ++i) {
        model_[2 * i] = char(identify[27 + i] >> 8);
        model_[2 * i + 1] = char(identify[27 + i] & 0xFF);
    }
    for (int i = 39; i >= 0 && (model_[i] == ' ' || model_[i] == '\0'); --i) {
        model_[i] = '\0';
    }
    bool lba48 = identify[83] & (1U << 10);
    if (!lba48) {
        log_printf(log_level::warn, "ahci: port %d: %s has no 48-bit addressing\n",
                   port, model_);
        return give_up();
    }
    nsectors_ = uint64_t(identify[100]) | uint64_t(identify[101]) << 16
        | uint64_t(identify[102]) << 32 | uint64_t(identify[103]) << 48;
    // Word 106: bit 14 set and bit 15 clear means valid; bit 12, logical
    // sectors longer than 256 words (their size in words 117-118).
    sector_size_ = 512;
    if ((identify[106] & 0xC000) == 0x4000 && (identify[106] & (1U << 12))) {
        sector_size_ = 2 * (uint32_t(identify[117]) | uint32_t(identify[118]) << 16);
    }
    if (sector_size_ < 512 || sector_size_ > BLOCKDEV_BLOCKSIZE
        || BLOCKDEV_BLOCKSIZE % sector_size_ != 0) {
        log_printf(log_level::warn, "ahci: port %d: sector size %u unsupported\n",
                   port, sector_size_);
        return give_up();
    }
    nblocks_ = nsectors_ / (BLOCKDEV_BLOCKSIZE / sector_size_);
    // NCQ: the HBA (CAP.SNCQ) and the device (word 76 bit 8; depth in
    // word 75, minus one) must both offer it.
    bool device_ncq = identify[76] != 0xFFFF && (identify[76] & (1U << 8));
    ncq_ = (cap & CAP_SNCQ) && device_ncq && !cmdline_no_ncq;
    depth_ = 1;
    if (ncq_) {
        depth_ = (identify[75] & 0x1F) + 1;
        depth_ = depth_ < nslots_ ? depth_ : nslots_;
    }
    kfree(identify);
    name_ = "ahci";

    PREG(PX_IS) = 0xFFFFFFFF;
    PREG(PX_IE) = IE_WANTED;
    return true;
}

// ---------------------------------------------------------------------------
// Building commands.

void ahci_disk::fill_fis(int slot, uint8_t command, uint64_t lba, uint32_t nsectors,
                         bool queued) {
    uint8_t* fis = tables_[slot].cfis;
    memset(fis, 0, 20);
    fis[0] = FIS_REG_H2D;
    fis[1] = 0x80;                  // C: this FIS carries a command
    fis[2] = command;
    fis[4] = lba, fis[5] = lba >> 8, fis[6] = lba >> 16;
    fis[7] = DEVICE_LBA;
    fis[8] = lba >> 24, fis[9] = lba >> 32, fis[10] = lba >> 40;
    if (queued) {
        // FPDMA QUEUED: the count is in the feature registers, the tag in
        // count bits 7:3.
        fis[3] = nsectors, fis[11] = nsectors >> 8;
        fis[12] = uint8_t(slot << 3);
    } else {
        fis[12] = nsectors, fis[13] = nsectors >> 8;
    }
}

// The PRDT for [buf, buf + bytes), appended after the first `n` entries:
// one entry per physically contiguous run, found page by page through the
// kernel page table (a piece contiguous with the previous entry extends
// it). `check_buffer` has vetted the range. Returns the number of entries.
int ahci_disk::fill_prdt(int slot, void* buf, size_t bytes, int n) {
    ahci_prd* prd = tables_[slot].prdt;
    uintptr_t va = reinterpret_cast<uintptr_t>(buf);
    while (bytes) {
        size_t piece = PAGESIZE - (va & PAGEOFFMASK);
        piece = piece < bytes ? piece : bytes;
        uint64_t pa = vmiter(kernel_pagetable, va).pa();
        if (n > 0 && prd[n - 1].dba + (prd[n - 1].dbc & 0x3FFFFF) + 1 == pa
            && (prd[n - 1].dbc & 0x3FFFFF) + 1 + piece <= (4U << 20)) {
            prd[n - 1].dbc += piece;
        } else {
            assert(n < max_prd);
            prd[n].dba = pa;
            prd[n].reserved = 0;
            prd[n].dbc = piece - 1;
            ++n;
        }
        va += piece;
        bytes -= piece;
    }
    return n;
}

namespace {
// A transfer buffer must be kernel memory, mapped (writable if the device
// writes it), even-aligned (PRD addresses are), and reachable by the HBA.
bool check_buffer(const void* buf, size_t bytes, bool device_writes) {
    uintptr_t va = reinterpret_cast<uintptr_t>(buf);
    if (va < VA_HIGHMIN || (va & 1) || va + bytes < va) {
        return false;
    }
    for (uintptr_t p = va & ~uintptr_t(PAGEOFFMASK); p < va + bytes; p += PAGESIZE) {
        vmiter it(kernel_pagetable, p);
        if (!it.present() || (device_writes && !(it.perm() & PTE_W))
            || (!hba_s64a && it.pa() + PAGESIZE > (uint64_t(1) << 32))) {
            return false;
        }
    }
    return true;
}
}  // namespace

// ---------------------------------------------------------------------------
// Slots.

// Block until a slot is ours. A queued slot needs a free slot within the
// depth and no exclusive command pending or running; an exclusive one
// needs the port empty.
int ahci_disk::acquire_slot(bool exclusive) {
    if (exclusive) {
        spinlock_guard guard(lock_);
        ++exclusive_wanted_;
    }
    int slot = -1;
    waiter w;
    w.block_until(port_wq_, [&] {
        spinlock_guard guard(lock_);
        if (exclusive_) {
            return false;
        }
        if (exclusive) {
            if (busy_) {
                return false;
            }
            --exclusive_wanted_;
            exclusive_ = true;
            slot = 0;
        } else {
            if (exclusive_wanted_ || count_bits(busy_) >= depth_) {
                return false;
            }
            slot = lowest_bit(~busy_);
        }
        busy_ |= 1U << slot;
        status_[slot] = 0;
        done_[slot].store(false, std::memory_order_relaxed);
        return true;
    });
    return slot;
}

void ahci_disk::release_slot(int slot, bool exclusive) {
    {
        spinlock_guard guard(lock_);
        busy_ &= ~(1U << slot);
        if (exclusive) {
            exclusive_ = false;
        }
    }
    port_wq_.wake_all();
}

void ahci_disk::issue(int slot, bool queued, bool write, int nprd) {
    cmd_list_[slot].flags = 5 | (write ? 1U << 6 : 0);
    cmd_list_[slot].prdtl = nprd;
    cmd_list_[slot].prdbc = 0;
    spinlock_guard guard(lock_);
    uint32_t bit = 1U << slot;
    issued_ |= bit;
    // Order matters: the HBA reads the command when PxCI is written, and a
    // queued command's PxSACT bit must already be set.
    if (queued) {
        PREG(PX_SACT) = bit;
    }
    PREG(PX_CI) = bit;
    int n = count_bits(issued_);
    if (n > max_in_flight_) {
        max_in_flight_ = n;
    }
}

// One command, start to end: take a slot, fill it, issue it, sleep until
// the interrupt says it is done, give the slot back. The data are `nbufs`
// buffers of `bytes_each` bytes, in order.
int ahci_disk::run_command(uint8_t command, uint64_t lba, uint32_t nsectors, void* const* bufs,
                           size_t nbufs, size_t bytes_each, bool write, bool exclusive) {
    bool queued = !exclusive;
    int slot = acquire_slot(exclusive);
    fill_fis(slot, command, lba, nsectors, queued);
    if (command == ATA_FLUSH_EXT) {
        tables_[slot].cfis[7] = 0;
    }
    int nprd = 0;
    for (size_t i = 0; i != nbufs; ++i) {
        nprd = fill_prdt(slot, bufs[i], bytes_each, nprd);
    }
    issue(slot, queued, write, nprd);
    waiter w;
    w.block_until(slot_wq_[slot], [&] {
        return done_[slot].load(std::memory_order_acquire);
    });
    int r = status_[slot];
    release_slot(slot, exclusive);
    return r;
}
// Blocks [bn, bn + count) to or from memory. `bytes_each` == count × 4096:
// one contiguous buffer, bufs[0]; == 4096: one buffer per block. Up to
// max_blocks_per_command blocks per command; a vectored command also stops
// where its PRD table could overflow (a block whose buffer crosses a page
// takes two entries).
int ahci_disk::transfer(bool write, uint64_t bn, size_t count, void* const* bufs,
                        size_t bytes_each) {
    if (count == 0 || bn >= nblocks_ || count > nblocks_ - bn) {
        return E_INVAL;
    }
    bool vectored = bytes_each == BLOCKDEV_BLOCKSIZE && count > 1;
    if (count > SIZE_MAX / BLOCKDEV_BLOCKSIZE) {
        return E_INVAL;
    }
    if (vectored) {
        for (size_t i = 0; i != count; ++i) {
            if (!check_buffer(bufs[i], BLOCKDEV_BLOCKSIZE, !write)) {
                return E_INVAL;
            }
        }
    } else if (!check_buffer(bufs[0], count * BLOCKDEV_BLOCKSIZE, !write)) {
        return E_INVAL;
    }
    uint64_t spb = BLOCKDEV_BLOCKSIZE / sector_size_;
    auto* p = static_cast<char*>(bufs[0]);
    size_t i = 0;                   // next buffer (vectored)
    while (count) {
        size_t n = count < max_blocks_per_command ? count : max_blocks_per_command;
        void* one[1] = {p};
        void* const* cbufs = one;
        size_t nbufs = 1, each = n * BLOCKDEV_BLOCKSIZE;
        if (vectored) {
            // Each block takes one PRD entry, two if its buffer crosses a page.
            size_t prds = 0;
            size_t k = 0;
            while (k != n) {
                size_t need = (reinterpret_cast<uintptr_t>(bufs[i + k]) & PAGEOFFMASK) ? 2 : 1;
                if (prds + need > size_t(max_prd)) {
                    break;
                }
                prds += need;
                ++k;
            }
            n = k;
            cbufs = bufs + i;
            nbufs = n;
            each = BLOCKDEV_BLOCKSIZE;
        }
        uint64_t lba = bn * spb;
        uint32_t nsectors = n * spb;
        int r;
        if (ncq_) {
            r = run_command(write ? ATA_WRITE_FPDMA : ATA_READ_FPDMA, lba, nsectors, cbufs, nbufs,
                            each, write, false);
        } else {
            r = run_command(write ? ATA_WRITE_DMA_EXT : ATA_READ_DMA_EXT, lba, nsectors, cbufs,
                            nbufs, each, write, true);
        }
        if (r == slot_retry) {
            // Lost in a port recovery (some command failed, maybe not
            // this one): run it again alone, non-queued, so a failure
            // now is certainly its own.
            r = run_command(write ? ATA_WRITE_DMA_EXT : ATA_READ_DMA_EXT, lba, nsectors, cbufs,
                            nbufs, each, write, true);
        }
        if (r != 0) {
            return r == slot_retry ? E_IO : r;
        }
        bn += n;
        count -= n;
        p += n * BLOCKDEV_BLOCKSIZE;
        i += n;
    }
    return 0;
}

int ahci_disk::read(uint64_t bn, size_t count, void* buf) {
    return transfer(false, bn, count, &buf, count * BLOCKDEV_BLOCKSIZE);
}

int ahci_disk::write(uint64_t bn, size_t count, const void* buf) {
    void* b = const_cast<void*>(buf);
    return transfer(true, bn, count, &b, count * BLOCKDEV_BLOCKSIZE);
}

int ahci_disk::readv(uint64_t bn, size_t count, void* const* bufs) {
    return transfer(false, bn, count, bufs, BLOCKDEV_BLOCKSIZE);
}

int ahci_disk::writev(uint64_t bn, size_t count, const void* const* bufs) {
    return transfer(true, bn, count, const_cast<void* const*>(bufs), BLOCKDEV_BLOCKSIZE);
}

int ahci_disk::flush() {
    int r = run_command(ATA_FLUSH_EXT, 0, 0, nullptr, 0, 0, false, true);
    return r == 0 ? 0 : E_IO;
}

// ---------------------------------------------------------------------------
// The interrupt.

void ahci_disk::handle_interrupt() {
    uint32_t wake = 0;
    uint32_t error_is = 0, error_tfd = 0, failed = 0;
    lock_.lock_noirq();
    for (int round = 0; round < 8; ++round) {
        // PxCI and PxSACT first, then PxIS (see the top of the file).
        uint32_t outstanding = PREG(PX_CI) | PREG(PX_SACT);
        uint32_t is = PREG(PX_IS);
        uint32_t tfd = PREG(PX_TFD);
        uint32_t finished = issued_ & ~outstanding;
        if (!is && !finished) {
            break;
        }
        PREG(PX_IS) = is;
        // An error shows as a fatal PxIS bit, or (a queued command failing
        // in a Set Device Bits FIS) as ERR in the task file.
        if ((is & IS_ERRORS) || (issued_ && (tfd & TFD_ERR))) {
            ++nerrors_;
            error_is = is, error_tfd = tfd;
            // Which command failed is certain only when one was
            // outstanding (exclusive); otherwise everything outstanding
            // is retried alone.
            finished = issued_;
            int status = exclusive_ ? E_IO : slot_retry;
            failed |= exclusive_ ? finished : 0;
            recover_port();
            for (uint32_t m = finished; m; m &= m - 1) {
                status_[lowest_bit(m)] = status;
            }
        }
        issued_ &= ~finished;
        ncommands_ += count_bits(finished);
        for (uint32_t m = finished; m; m &= m - 1) {
            done_[lowest_bit(m)].store(true, std::memory_order_release);
        }
        wake |= finished;
    }
    hba_[HBA_IS / 4] = 1U << port_;
    lock_.unlock_noirq();
    for (uint32_t m = wake; m; m &= m - 1) {
        slot_wq_[lowest_bit(m)].wake_all();
    }
    if (error_is || error_tfd) {
        log_printf(log_level::warn, "ahci: device error (PxIS %#x, TFD %#x)%s; port reset\n",
                   error_is, error_tfd, failed ? ", command failed" : ", commands retried");
    }
}

// ---------------------------------------------------------------------------
// Boot.

void ahci_init() {
    const pci_function* f = pci_find_class(0x01, 0x06);
    if (!f) {
        log_printf(log_level::info, "ahci: no AHCI controller\n");
        return;
    }
    uint64_t base, size;
    if (!pci_memory_bar(*f, 5, &base, &size)) {
        log_printf(log_level::warn, "ahci: controller has no ABAR (BAR 5)\n");
        return;
    }
    auto* regs = static_cast<volatile uint32_t*>(vm_map_device(base, size));
    if (!regs) {
        log_printf(log_level::warn, "ahci: ABAR at %#lx cannot be mapped uncached\n",
                   (unsigned long) base);
        return;
    }
    pci_enable(*f, PCI_COMMAND_MEMORY | PCI_COMMAND_BUS_MASTER);
    hba_regs = regs;
    char option[16];
    cmdline_no_ncq = cmdline_value("ahci", option, sizeof(option))
        && strcmp(option, "noncq") == 0;

    // Take the controller from the firmware (if it says it owns it), then
    // reset it: the BIOS may have left commands and state behind.
    if (hba_read(HBA_CAP2) & CAP2_BOH) {
        hba_write(HBA_BOHC, hba_read(HBA_BOHC) | BOHC_OOS);
        wait_for([] { return hba_read(HBA_BOHC); }, BOHC_BOS, 0, 2000);
    }
    hba_write(HBA_GHC, hba_read(HBA_GHC) | GHC_AE);
    hba_write(HBA_GHC, hba_read(HBA_GHC) | GHC_HR);
    if (!wait_for([] { return hba_read(HBA_GHC); }, GHC_HR, 0, 1000)) {
        log_printf(log_level::warn, "ahci: controller reset does not finish\n");
        return;
    }
    hba_write(HBA_GHC, hba_read(HBA_GHC) | GHC_AE);
    hba_s64a = hba_read(HBA_CAP) & CAP_S64A;

    irq_register(IRQ_AHCI, ahci_interrupt);
    if (!pci_enable_msi(*f, cpus[0].lapic_id_, INT_IRQ_BASE + IRQ_AHCI)) {
        log_printf(log_level::warn, "ahci: controller has no MSI; disk not used\n");
        return;
    }

    uint32_t implemented = hba_read(HBA_PI);
    for (int port = 0; port < 32 && !ahci_root; ++port) {
        if (!(implemented & (1U << port))) {
            continue;
        }
        auto* d = new ahci_disk;
        if (!d) {
            log_printf(log_level::error, "ahci: out of memory\n");
            return;
        }
        if (d->probe(regs, port)) {
            ahci_root = d;
        } else {
            delete d;
        }
    }
    if (!ahci_root) {
        log_printf(log_level::info, "ahci: no disk attached\n");
        return;
    }
    hba_write(HBA_IS, 0xFFFFFFFF);
    hba_write(HBA_GHC, hba_read(HBA_GHC) | GHC_IE);
    ahci_disk* d = ahci_root;
    char queue[32];
    if (d->ncq_) {
        snprintf(queue, sizeof(queue), "NCQ depth %d", d->depth_);
    } else {
        snprintf(queue, sizeof(queue), "no NCQ");
    }
    log_printf(log_level::info, "ahci: disk on port %d: %s, %lu MiB (%lu blocks), %s\n",
               d->port_, d->model_, (unsigned long) (d->nsectors_ * d->sector_size_ >> 20),
               (unsigned long) d->nblocks_, queue);
    blockdev_set_root(d);
}

ahci_disk* ahci_root_disk() {
    return ahci_root;
}
