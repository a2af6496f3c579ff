// journal.hh — the chickadeefs journal in the kernel: replay at mount
// (journal_replay) and the transaction writer (struct journal).
// docs/journal.md explains the life cycle and the ordering rules; the
// format's rules are lib/chkfs-journal.* (shared with the host checker).
//
// Easy to get wrong: replay reads and writes the block device directly (no
// buffer cache: it runs before the file system exists); it must survive a
// crash at any point of its own work, so it empties the journal in an order
// where every intermediate state replays to the same disk.
#pragma once
#include "abi/chickadeefs.hh"
#include "blockdev.hh"

struct journal_replay_result {
    unsigned transactions = 0;      // committed-but-incomplete transactions written home
    unsigned blocks = 0;            // home blocks written
    unsigned ignored = 0;           // uncommitted transactions left alone
    bool cleared = false;           // the journal held metablocks and is now empty
};

// Reads `dev`'s superblock and journal, writes home every committed but
// incomplete transaction (latest copies, unescaped), then empties the
// journal, and logs one line saying what it did. A journal with no
// metablock is left untouched (no write at all). Returns 0, or
// E_INVAL (no chickadeefs superblock, a geometry past the device, or a
// journal that breaks a rule of the format: nothing is written, run
// chkfsck), E_NOMEM (journal larger than kalloc_max_size), E_IO.
int journal_replay(blockdev* dev, journal_replay_result* result = nullptr);
