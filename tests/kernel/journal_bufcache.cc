// journal_bufcache.cc — the journal over the real buffer cache
// (bufcache_journal_client): a metadata block changed in an operation stays
// pinned — eviction pressure through a 10-slot cache and sync(0) do not
// write it home — until its transaction commits; file data goes home
// before the commit (ordered); and a crash after every possible number of
// block writes (faultdisk under the cache) during two transactions leaves,
// after replay, metadata all old, all first or all second version, with
// the data each version points to already on disk. A client that can
// spare no pinned block gets one operation per transaction.
//! expect: ktest journal_bufcache: passed
#include "bufcache.hh"
#include "chkfs-journal.hh"
#include "faultdisk.hh"
#include "journal.hh"
#include "journal-test-disk.hh"
#include "ktest.hh"
#include "ramdisk.hh"
#include "string.hh"

using namespace chkfs;

namespace {

constexpr blocknum_t nblocks = 400, njournal = 64, journal_bn = nblocks - njournal;
constexpr blocknum_t meta1 = 3, meta2 = 4;      // "inode" and "bitmap" blocks
constexpr blocknum_t data_bn[3] = {0, 50, 51};  // version v's data block

void format(ramdisk* d) {
    format_journal_test_disk(*d, nblocks, njournal);
}

void set(bufcache& c, blockdev* dev, journal* j, blocknum_t bn, unsigned char v) {
    bcentry* e;
    assert_eq(c.get(dev, bn, &e), 0);
    e->write_begin();
    memset(e->data(), v, blocksize);
    if (j) {
        assert_eq(j->add(bn), 0);
    }
    e->write_end();
    c.put(e);
}

// Version v: data block data_bn[v] filled with v, then (one operation) both
// metadata blocks say v.
void version(bufcache& c, blockdev* dev, journal& j, unsigned char v) {
    set(c, dev, nullptr, data_bn[v], 0xD0 + v);
    assert_eq(j.begin_op(), 0);
    set(c, dev, &j, meta1, v);
    set(c, dev, &j, meta2, v);
    j.end_op();
}

bool all(ramdisk* d, blocknum_t bn, unsigned char v) {
    for (size_t i = 0; i != blocksize; ++i) {
        if (d->block(bn)[i] != v) {
            return false;
        }
    }
    return true;
}

}  // namespace

KTEST(journal_bufcache) {
    ramdisk* d = ramdisk::make(nblocks);
    assert(d);

    // Pinned until commit, even under eviction pressure and sync(0).
    format(d);
    {
        bufcache c;
        assert_eq(c.init(10), 0);
        bufcache_journal_client client(&c, d);
        journal j;
        assert_eq(j.mount(d, &client), 0);
        version(c, d, j, 1);
        for (blocknum_t bn = 100; bn != 200; ++bn) {
            set(c, d, nullptr, bn, 7);
        }
        assert_eq(c.sync(d, 0), 0);
        assert_eq(d->block_writes(meta1), 0U);
        assert_eq(d->block_writes(meta2), 0U);
        assert(all(d, data_bn[1], 0xD1));
        assert_eq(c.pinned_count(), 2U);
        assert_eq(j.commit(), 0);
        assert_eq(c.pinned_count(), 0U);
        assert(all(d, meta1, 1) && all(d, meta2, 1));
        c.destroy();
    }

    // A cache that can spare no pinned block: each operation is admitted
    // alone, and the next one commits it first.
    format(d);
    {
        bufcache c;
        assert_eq(c.init(10), 0);
        bufcache_journal_client client(&c, d, 0);
        journal j;
        assert_eq(j.mount(d, &client), 0);
        version(c, d, j, 1);
        assert(all(d, meta1, 0));
        assert_eq(j.begin_op(), 0);
        assert(all(d, meta1, 1) && all(d, meta2, 1));
        assert_eq(c.pinned_count(), 0U);
        j.end_op();
        c.destroy();
    }

    // Crashes everywhere in two transactions.
    unsigned seen[3] = {};
    for (long cut = 0;; ++cut) {
        format(d);
        faultdisk fd(d, cut);
        bufcache c;
        assert_eq(c.init(10), 0);
        bufcache_journal_client client(&c, &fd);
        journal j;
        assert_eq(j.mount(&fd, &client), 0);
        version(c, &fd, j, 1);
        assert_eq(j.commit(), 0);
        version(c, &fd, j, 2);
        assert_eq(j.commit(), 0);
        assert_eq(c.sync(&fd, 0), 0);
        bool crashed = fd.failed();
        c.destroy();

        assert_eq(journal_replay(d), 0);
        unsigned v = d->block(meta1)[0];
        assert(v <= 2);
        assert(all(d, meta1, v) && all(d, meta2, v), "metadata from one transaction");
        if (v) {
            assert(all(d, data_bn[v], 0xD0 + v), "ordered: the data a commit points to is home");
        }
        ++seen[v];
        if (!crashed) {
            assert_eq(v, 2U);
            break;
        }
    }
    assert(seen[0] && seen[1] && seen[2]);
    delete d;
}
