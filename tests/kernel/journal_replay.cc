// journal_replay.cc — journal replay at mount (kernel/core/journal.cc) on
// a disk in memory: committed-but-incomplete transactions are written home
// (the latest copy wins, a later non-journaled reference cancels, an escaped
// block gets its magic back), uncommitted ones are ignored, the journal is
// emptied, and a second replay writes nothing; a replay cut short after
// every possible number of block writes (faultdisk) and then run again
// leaves the same disk; a journal that breaks a rule, and a disk that is
// not chickadeefs, are refused with nothing written.
//! expect: ktest journal_replay: passed
//! expect: journal: ramdisk: replayed 2 transactions \(window \[1, 3\)\), 3 blocks written home; 1 uncommitted ignored; journal emptied
//! ncpu: 1
#include "chkfs-journal.hh"
#include "faultdisk.hh"
#include "journal.hh"
#include "journal-test-disk.hh"
#include "ktest.hh"
#include "cmdline.hh"
#include "lib.hh"
#include "ramdisk.hh"
#include <initializer_list>

using namespace chkfs;

namespace {

constexpr blocknum_t nblocks = 64, njournal = 16, journal_bn = nblocks - njournal;

void fill(unsigned char* b, unsigned seed) {
    for (size_t i = 0; i != blocksize; ++i) {
        b[i] = (unsigned char) (i * 7 + seed * 13 + 1);
    }
}
bool same(const unsigned char* a, const unsigned char* b) {
    return memcmp(a, b, blocksize) == 0;
}

void format(ramdisk& d) {
    format_journal_test_disk(d, nblocks, njournal);
    for (blocknum_t b = 3; b != journal_bn; ++b) {
        fill(d.block(b), 1000 + b);         // "old" home contents
    }
}

struct ref {
    blocknum_t bn;
    int seed;                   // < 0: non-journaled
    bool magic = false;         // data starts with the journal magic (stored escaped)
};

// Writes one record (metablock and data blocks) at journal block `pos`.
unsigned record(ramdisk& d, unsigned pos, tid_t seq, tid_t tid, tid_t commit, tid_t complete,
                uint16_t flags, std::initializer_list<ref> refs) {
    auto* mb = reinterpret_cast<jmetablock*>(d.block(journal_bn + pos % njournal));
    memset(mb, 0, blocksize);
    mb->magic = journalmagic;
    mb->seq = seq;
    mb->tid = tid;
    mb->commit_boundary = commit;
    mb->complete_boundary = complete;
    mb->flags = flags | jf_meta;
    unsigned at = pos + 1;
    for (auto& r : refs) {
        jblockref& jr = mb->ref[mb->nref++];
        jr.bn = r.bn;
        if (r.seed < 0) {
            jr.bflags = jbf_nonjournaled;
            jr.bchecksum = nochecksum;
            continue;
        }
        unsigned char* db = d.block(journal_bn + at++ % njournal);
        fill(db, r.seed);
        if (r.magic) {
            unescape_block(db);             // the block as the file system had it
            assert(block_needs_escape(db));
            escape_block(db);
            jr.bflags = jbf_escaped;
        }
        jr.bchecksum = crc32c(0, db, blocksize);
    }
    seal_metablock(mb);
    return at;
}

// Two committed transactions (one over two metablocks), one uncommitted.
void scenario(ramdisk& d) {
    format(d);
    unsigned p = 0;
    p = record(d, p, 1, 1, 1, 1, jf_start, {{20, 1}, {24, 6, true}});
    p = record(d, p, 2, 1, 2, 1, jf_commit, {{22, 3}, {20, 4}});       // 20: the later copy wins
    p = record(d, p, 3, 2, 3, 1, jf_start | jf_commit, {{21, 2}, {21, -1}});  // cancelled
    record(d, p, 4, 3, 3, 1, jf_start, {{23, 5}});                       // not committed
}

void check_replayed(ramdisk& d) {
    unsigned char want[blocksize];
    fill(want, 4);
    assert(same(d.block(20), want));
    fill(want, 1000 + 21);
    assert(same(d.block(21), want));        // cancelled by the non-journaled reference
    fill(want, 3);
    assert(same(d.block(22), want));
    fill(want, 1000 + 23);
    assert(same(d.block(23), want));        // uncommitted
    fill(want, 6);
    unescape_block(want);
    assert(same(d.block(24), want));        // the magic is back
    for (blocknum_t b = 3; b != journal_bn; ++b) {
        if (b < 20 || b > 24) {
            fill(want, 1000 + b);
            assert(same(d.block(b), want));
        }
    }
    for (blocknum_t b = journal_bn; b != nblocks; ++b) {
        assert(!looks_like_metablock(d.block(b)), "the journal holds no metablock after replay");
    }
}

}  // namespace

KTEST(journal_replay) {
    ramdisk* dp = ramdisk::make(nblocks);
    assert(dp);
    ramdisk& d = *dp;

    // Replay, then replay again.
    scenario(d);
    journal_replay_result res;
    assert_eq(journal_replay(&d, &res), 0);
    assert_eq(res.transactions, 2u);
    assert_eq(res.ignored, 1u);
    assert_eq(res.blocks, 3u);
    assert(res.cleared);
    check_replayed(d);
    uint64_t transfers = d.writes_;
    assert_eq(journal_replay(&d, &res), 0);
    assert_eq(res.transactions, 0u);
    assert(!res.cleared);
    assert_eq(d.writes_.load(), transfers);  // an empty journal costs no write

    // How many block writes a whole replay takes.
    scenario(d);
    long writes;
    {
        faultdisk count(&d, cmdline_number_max);
        assert_eq(journal_replay(&count, &res), 0);
        writes = count.passed_;
    }

    // A crash after every possible number of block writes, then a full
    // replay: the same disk each time.
    for (long cut = 0; cut <= long(writes); ++cut) {
        scenario(d);
        faultdisk fd(&d, cut);
        int r = journal_replay(&fd, &res);
        assert_eq(r, 0);
        assert_eq(fd.failed(), cut < long(writes));
        assert_eq(journal_replay(&d, &res), 0);
        check_replayed(d);
    }

    // A transaction with a metablock missing: refused, nothing written.
    format(d);
    unsigned p = record(d, 0, 1, 1, 1, 1, jf_start, {{20, 1}});
    record(d, p + 1, 3, 1, 2, 1, jf_commit, {});
    transfers = d.writes_;
    assert_eq(journal_replay(&d, &res), E_INVAL);
    assert_eq(d.writes_.load(), transfers);

    // Not a chickadeefs disk.
    memset(d.block(0), 0, blocksize);
    assert_eq(journal_replay(&d, &res), E_INVAL);
    assert_eq(d.writes_.load(), transfers);
    delete dp;
}
