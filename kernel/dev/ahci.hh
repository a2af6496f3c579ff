// ahci.hh — the AHCI SATA driver: one disk on one port of the PCI AHCI
// controller (class 0x0106), as a `blockdev` (kernel/core/blockdev.hh).
//
// Interrupt-driven: a task issues a command in a free command slot and
// sleeps on that slot's wait queue; the controller's MSI (vector
// INT_IRQ_BASE + IRQ_AHCI, sent to CPU 0) runs `ahci_interrupt`, which
// marks every finished slot done and wakes exactly its waiter. With NCQ
// (the HBA's CAP.SNCQ and the drive's IDENTIFY word 76 bit 8) reads and
// writes are READ/WRITE FPDMA QUEUED, up to `depth_` in flight; without it,
// READ/WRITE DMA EXT one at a time. docs/disk.md has the whole story.
// Easy to get wrong: non-queued commands (FLUSH CACHE EXT, retries) may not
// be issued while queued ones are outstanding (the port goes *exclusive*);
// a slot's waiter must not look at its buffer before the slot is done; an
// error stops the port and loses every outstanding command, so they are
// all retried, each alone, and only a command that fails alone gets E_IO.
#pragma once
#include <atomic>
#include "blockdev.hh"
#include "spinlock.hh"
#include "waitqueue.hh"

struct ahci_command_header;
struct ahci_command_table;

struct ahci_disk final : public blockdev {
    static constexpr int max_slots = 32;
    // Largest transfer one command carries; longer ones are split.
    static constexpr size_t max_blocks_per_command = 32;

    int read(uint64_t bn, size_t count, void* buf) override;
    int write(uint64_t bn, size_t count, const void* buf) override;
    int flush() override;
    // One command per up to max_blocks_per_command blocks, each block its
    // own PRD entry (or two, if its buffer crosses a page).
    int readv(uint64_t bn, size_t count, void* const* bufs) override;
    int writev(uint64_t bn, size_t count, const void* const* bufs) override;

    // --- identity (set at probe, then read-only) ---
    volatile uint32_t* hba_ = nullptr;      // the ABAR's registers (uncached)
    volatile uint32_t* port_regs_ = nullptr;
    int port_ = -1;
    int nslots_ = 1;                        // the HBA's command slots (CAP.NCS + 1)
    bool ncq_ = false;                      // queued commands in use
    int depth_ = 1;                         // commands in flight at most
    unsigned sector_size_ = 512;            // logical sector, bytes
    uint64_t nsectors_ = 0;
    char model_[41] = {};

    // --- memory the HBA reads and writes (kalloc'd at probe) ---
    ahci_command_header* cmd_list_ = nullptr;   // 32 headers, 1 KiB-aligned
    void* rfis_ = nullptr;                      // received FISes, 256 bytes
    ahci_command_table* tables_ = nullptr;      // one per slot, 128-byte aligned

    // --- slot state ---
    spinlock lock_;                 // guards the fields to its end (see docs/contexts.md)
    uint32_t busy_ = 0;             // slots owned by a task (filling, in flight, or done)
    uint32_t issued_ = 0;           // slots handed to the HBA and not yet finished
    bool exclusive_ = false;        // a non-queued command owns the port
    int exclusive_wanted_ = 0;      // tasks waiting to go exclusive (queued ones hold back)
    int status_[max_slots] = {};    // result once done: 0, E_IO, or slot_retry
    // Statistics (tests, gdb): commands completed, most in flight at once,
    // device errors seen, port recoveries.
    uint64_t ncommands_ = 0;
    int max_in_flight_ = 0;
    uint64_t nerrors_ = 0;
    uint64_t nrecoveries_ = 0;
    // end of lock_'s fields

    std::atomic<bool> done_[max_slots] = {};    // set by the interrupt, under lock_
    wait_queue slot_wq_[max_slots];             // the slot's one waiter
    wait_queue port_wq_;                        // tasks waiting for a slot or for exclusivity

    static constexpr int slot_retry = 1;        // status_: lost in a recovery, run it again

    // Probe the port (HBA already enabled); true if an ATA disk answered
    // IDENTIFY. Boot only: polls.
    bool probe(volatile uint32_t* hba, int port);
    void handle_interrupt();        // from ahci_interrupt, interrupts off

private:
    int transfer(bool write, uint64_t bn, size_t count, void* const* bufs, size_t bytes_each);
    int run_command(uint8_t command, uint64_t lba, uint32_t nsectors, void* const* bufs,
                    size_t nbufs, size_t bytes_each, bool write, bool exclusive);
    int acquire_slot(bool exclusive);
    void release_slot(int slot, bool exclusive);
    void fill_fis(int slot, uint8_t command, uint64_t lba, uint32_t nsectors, bool queued);
    int fill_prdt(int slot, void* buf, size_t bytes, int n = 0);
    void issue(int slot, bool queued, bool write, int nprd);
    void recover_port();            // lock_ held
    bool start_engine();
    bool stop_engine();
    int poll_command(int slot, unsigned timeout_ms);
};

// Find the AHCI controller, enable it, probe its ports; the first ATA disk
// becomes the root blockdev. Boot, on CPU 0, before the other CPUs start.
void ahci_init();
// The driver's disk, or nullptr (for tests; in gdb: `p *ahci_root`).
extern ahci_disk* ahci_root;
ahci_disk* ahci_root_disk();
