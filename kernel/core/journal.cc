// journal.cc — journal replay at mount (see journal.hh, docs/journal.md).
//
// Replay: read the superblock and the whole journal into memory, let
// lib/chkfs-journal.cc find the committed-but-incomplete transactions,
// write their latest copies home (unescaped), flush, then empty the
// journal in four steps, each flushed before the next:
//   1. one "all complete" metablock (seq after the last, both boundaries at
//      the old commit boundary, no references) in a block no usable record
//      occupies — from here on nothing is left to replay;
//   2. every other block that looks like a metablock is zeroed;
//   3. the rest of the journal but that one metablock is zeroed;
//   4. that metablock is zeroed.
// A crash before 1 is durable replays everything again (idempotent); after
// it, each state is a valid journal with an empty window. Zeroing the
// metablocks (2) before their data (3) means no surviving metablock ever
// loses its data blocks, which would make it "unusable" (a checker warning).
// Easy to get wrong: the superblock is untrusted (check every region
// against the device before reading); an escaped copy is unescaped in a
// bounce buffer, never in the journal image the analysis still reads.
#include "journal.hh"
#include "chkfs-journal.hh"
#include "abi/errno.hh"
#include "kalloc.hh"
#include "log.hh"
#include "string.hh"

using namespace chkfs;

namespace {

struct replay_sink : journal_sink {
    void ignored(const char* text) override {
        log_printf(log_level::warn, "%s\n", text);
    }
    void bad(const char* text) override {
        log_printf(log_level::error, "%s\n", text);
    }
};

struct home_writer {
    blockdev* dev;
    unsigned char* bounce;
    int status = 0;
};

void write_home(void* ctx, blocknum_t bn, const unsigned char* data, bool escaped) {
    auto* hw = static_cast<home_writer*>(ctx);
    if (hw->status != 0) {
        return;
    }
    const unsigned char* src = data;
    if (escaped) {
        memcpy(hw->bounce, data, blocksize);
        unescape_block(hw->bounce);
        src = hw->bounce;
    }
    hw->status = hw->dev->write(bn, 1, src);
}

int write_zeros(blockdev* dev, uint64_t bn, size_t count, const unsigned char* zeros, size_t zeros_blocks) {
    while (count) {
        size_t n = count < zeros_blocks ? count : zeros_blocks;
        if (int r = dev->write(bn, n, zeros); r != 0) {
            return r;
        }
        bn += n;
        count -= n;
    }
    return 0;
}

int empty_journal(blockdev* dev, const superblock& sb, const journal_scan& js,
                  unsigned char* jd, unsigned char* scratch) {
    unsigned nj = sb.njournal;
    // Blocks a usable record occupies.
    auto* used = static_cast<bool*>(kalloc_zeroed(nj));
    if (!used) {
        return E_NOMEM;
    }
    for (unsigned i = 0; i != js.nmeta; ++i) {
        const journal_meta& m = js.metas[i];
        used[m.bi] = true;
        unsigned k = 0;
        for (unsigned r = 0; r != m.mb->nref; ++r) {
            if (!(m.mb->ref[r].bflags & jbf_nonjournaled)) {
                used[(m.bi + 1 + k++) % nj] = true;
            }
        }
    }
    unsigned spot = 0;
    while (spot != nj && used[spot]) {
        ++spot;
    }
    if (spot == nj) {
        // Every block belongs to a record (a full journal): write over the
        // oldest metablock, whose transaction the window no longer needs
        // unless the whole journal is the window (then a torn write here
        // leaves a journal the checker refuses; the home blocks are right).
        spot = js.nmeta ? js.metas[0].bi : 0;
    }
    kfree(used);

    // 1. The "all complete" metablock.
    memset(scratch, 0, blocksize);
    auto* mb = reinterpret_cast<jmetablock*>(scratch);
    mb->magic = journalmagic;
    mb->seq = js.nmeta ? tid_t(js.metas[js.nmeta - 1].mb->seq + 1) : 1;
    mb->tid = js.commit;
    mb->commit_boundary = js.commit;
    mb->complete_boundary = js.commit;
    mb->flags = jf_meta;
    seal_metablock(mb);
    int r = dev->write(sb.journal_bn + spot, 1, scratch);
    r = r ? r : dev->flush();
    if (r) {
        return r;
    }
    // 2. The other metablocks (anything that looks like one).
    memset(scratch, 0, blocksize);
    for (unsigned i = 0; i != nj && r == 0; ++i) {
        if (i != spot && looks_like_metablock(jd + size_t(i) * blocksize)) {
            r = dev->write(sb.journal_bn + i, 1, scratch);
        }
    }
    r = r ? r : dev->flush();
    // 3. Everything else but the spot (the journal image is reused as zeros).
    if (r == 0) {
        memset(jd, 0, size_t(nj) * blocksize);
        r = write_zeros(dev, sb.journal_bn, spot, jd, nj);
        r = r ? r : write_zeros(dev, sb.journal_bn + spot + 1, nj - spot - 1, jd, nj);
        r = r ? r : dev->flush();
    }
    // 4. The spot.
    r = r ? r : dev->write(sb.journal_bn + spot, 1, scratch);
    return r ? r : dev->flush();
}

}  // namespace

int journal_replay(blockdev* dev, journal_replay_result* result) {
    journal_replay_result res;
    auto* block0 = static_cast<unsigned char*>(kalloc(blocksize));
    if (!block0) {
        return E_NOMEM;
    }
    int r = dev->read(0, 1, block0);
    superblock sb;
    memcpy(&sb, block0 + superblock_offset, sizeof(sb));
    if (r == 0 && (sb.magic != chkfs::magic || sb.njournal > sb.nblocks
                   || sb.journal_bn != sb.nblocks - sb.njournal || sb.nblocks > dev->nblocks_)) {
        log_printf(log_level::error, "journal: %s: no chickadeefs superblock, or one that does not fit the disk\n",
                   dev->name_);
        r = E_INVAL;
    }
    if (r == 0 && size_t(sb.njournal) * blocksize > kalloc_max_size) {
        log_printf(log_level::error, "journal: %s: %u journal blocks are more than replay can read at once\n",
                   dev->name_, sb.njournal);
        r = E_NOMEM;
    }
    if (r != 0 || sb.njournal == 0) {
        kfree(block0);
        if (result) {
            *result = res;
        }
        return r;
    }

    unsigned nj = sb.njournal;
    auto* jd = static_cast<unsigned char*>(kalloc(size_t(nj) * blocksize));
    auto* ptrs = static_cast<const unsigned char**>(kalloc(nj * sizeof(const unsigned char*)));
    auto* metas = static_cast<journal_meta*>(kalloc(nj * sizeof(journal_meta)));
    r = jd && ptrs && metas ? dev->read(sb.journal_bn, nj, jd) : E_NOMEM;
    journal_scan js;
    bool any_metablock = false;
    if (r == 0) {
        for (unsigned i = 0; i != nj; ++i) {
            ptrs[i] = jd + size_t(i) * blocksize;
            any_metablock = any_metablock || looks_like_metablock(ptrs[i]);
        }
        js.blocks = ptrs;
        js.njournal = nj;
        js.journal_bn = sb.journal_bn;
        js.metas = metas;
        replay_sink sink;
        if (any_metablock && !journal_analyze(js, sink)) {
            log_printf(log_level::error, "journal: %s: the journal breaks the format's rules; "
                       "nothing replayed (run chkfsck)\n", dev->name_);
            r = E_INVAL;
        }
    }
    if (r == 0 && any_metablock) {
        for (unsigned i = 0; i != js.nmeta; ++i) {
            tid_t t = js.metas[i].mb->tid;
            bool first = true;
            for (unsigned j = 0; j != i; ++j) {
                first = first && js.metas[j].mb->tid != t;
            }
            if (first && js.replays(t)) {
                ++res.transactions;
            } else if (first && tid_ge(t, js.commit)) {
                ++res.ignored;
            }
        }
        home_writer hw{dev, block0};
        res.blocks = journal_plan(js, write_home, &hw);
        r = hw.status;
        r = r ? r : dev->flush();
        r = r ? r : empty_journal(dev, sb, js, jd, block0);
        res.cleared = r == 0;
    }
    if (r == 0 && any_metablock) {
        log_printf(log_level::info, "journal: %s: replayed %u transaction%s (window [%u, %u)), %u block%s "
                   "written home; %u uncommitted ignored; journal emptied\n", dev->name_,
                   res.transactions, res.transactions == 1 ? "" : "s", unsigned(js.complete),
                   unsigned(js.commit), res.blocks, res.blocks == 1 ? "" : "s", res.ignored);
    } else if (r == 0) {
        log_printf(log_level::info, "journal: %s: empty, nothing to replay\n", dev->name_);
    }
    kfree(metas);
    kfree(ptrs);
    kfree(jd);
    kfree(block0);
    if (result) {
        *result = res;
    }
    return r;
}
