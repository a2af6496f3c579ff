// chkfs-journal.hh — reading and writing chickadeefs journal records, shared
// by the kernel (journal replay at mount, the transaction writer) and the
// host checker (tools/chkfs-fsck.cc), so the two read the format the same
// way. docs/chickadeefs.md states the rules; docs/journal.md how the kernel
// uses them.
//
// Freestanding: no allocation, no C library. The caller reads the journal
// into memory (one pointer per journal block) and lends a scratch array of
// `njournal` entries; the analysis only reads the blocks.
// Easy to get wrong: every number in a metablock is untrusted input (nref,
// home block numbers); metablocks are ordered by `seq` modulo 2^16, not
// numerically; a data block's checksum covers the block as stored (escaped),
// and replay must put the magic back into an escaped block's first 8 bytes.
#pragma once
#include "abi/chickadeefs.hh"

namespace chkfs {

// The journal's magic plus a right (or "none") checksum: what replay takes
// for a metablock.
bool looks_like_metablock(const unsigned char* block);

// Computes `mb->checksum` over bytes [16, 4096) (the metablock is then
// final: change nothing after this).
void seal_metablock(jmetablock* mb);

// A data block whose first 8 bytes equal the journal magic must be stored
// escaped (those bytes zeroed, the reference flagged jbf_escaped).
bool block_needs_escape(const unsigned char* block);
void escape_block(unsigned char* block);      // zero the first 8 bytes
void unescape_block(unsigned char* block);    // put the magic back

struct journal_meta {
    unsigned bi;                // journal block index of the metablock
    const jmetablock* mb;
};

// What the analysis reports. `ignored`: a metablock that cannot be used was
// skipped (a warning); `bad`: a rule is broken and nothing may be replayed.
// Texts are whole sentences without a trailing newline.
struct journal_sink {
    virtual void ignored(const char* text) = 0;
    virtual void bad(const char* text) = 0;
};

struct journal_scan {
    // Inputs.
    const unsigned char* const* blocks = nullptr;   // journal block i is blocks[i]
    unsigned njournal = 0;
    blocknum_t journal_bn = 0;  // home blocks must lie below the journal
    journal_meta* metas = nullptr;                  // scratch: njournal entries

    // Results of journal_analyze.
    unsigned nmeta = 0;         // usable metablocks, metas[0..nmeta) in seq order
    bool bad = false;           // a rule is broken: replay nothing
    tid_t complete = 0;         // the last metablock's boundaries: transactions in
    tid_t commit = 0;           // [complete, commit) are committed, maybe not home

    // Journal block holding data block `k` (0-based, journaled references
    // only) of the record whose metablock is at `bi`.
    const unsigned char* data_block(unsigned bi, unsigned k) const {
        return blocks[(bi + 1 + k) % njournal];
    }
    bool replays(tid_t tid) const {
        return !bad && tid_ge(tid, complete) && tid_lt(tid, commit);
    }
};

// Finds the usable metablocks, orders them, and checks every rule of the
// format. Returns true when the journal may be replayed (possibly nothing
// to do: complete == commit).
bool journal_analyze(journal_scan& js, journal_sink& sink);

// Calls `home(ctx, bn, data, escaped)` once for each home block a replay
// writes: the most recent journaled copy among the transactions in
// [complete, commit), unless a later reference there is non-journaled.
// Returns the number of calls. Only after journal_analyze returned true.
unsigned journal_plan(const journal_scan& js,
                      void (*home)(void* ctx, blocknum_t bn, const unsigned char* data, bool escaped),
                      void* ctx);

}  // namespace chkfs
