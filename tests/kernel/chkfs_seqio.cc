// chkfs_seqio.cc — the disk file system batches sequential I/O (chkfs.cc:
// write-behind and read-ahead over bufcache::write_back_range and
// prefetch), on a chickadeefs this test lays out on a ramdisk wrapped in a
// device that records every request (recdisk.hh), through a 128-slot cache:
//   - a 512 KiB file written sequentially in 64 KiB writes goes home in
//     four 32-block writev requests while it is being written, before any
//     sync; a 4 KiB write elsewhere in the file (not sequential) is not
//     written home until sync;
//   - after sync(1) empties the cache, reading the file in 64 KiB reads
//     takes at most 5 device requests (32-block readv, a 16-block tail),
//     not 128, and every byte is right; a read at a random offset is right
//     too (it reads only what it needs);
//   - a crash-safety rule is kept: nothing of the file's metadata reached
//     its home before the commit (the inode block is pinned: no write of
//     it appears in the log before sync).
//! expect: ktest chkfs_seqio: passed
#include "abi/chickadeefs.hh"
#include "bufcache.hh"
#include "chkfs.hh"
#include "kalloc.hh"
#include "journal-test-disk.hh"
#include "ktest.hh"
#include "ramdisk.hh"
#include "recdisk.hh"
#include "string.hh"

namespace {

constexpr uint32_t nblocks = 1024;
constexpr uint32_t njournal = 64;
constexpr size_t chunk = 64 * 1024;
constexpr size_t fsize = 512 * 1024;


char byte_at(size_t pos, unsigned gen) {
    return char(pos * 13 + (pos >> 12) * 7 + gen * 91);
}

}  // namespace

KTEST(chkfs_seqio) {
    ramdisk* rd = ramdisk::make(nblocks);
    assert(rd);
    format_chkfs_test_disk(*rd, nblocks, njournal);
    auto* d = new recdisk(rd);
    assert(d);
    d->name_ = "seqdisk";
    bufcache bc;
    assert_eq(bc.init(128), 0);
    dirnode* root;
    chkfs_volume* vol;
    assert_eq(chkfs_mount(d, &bc, &root, &vol), 0);
    auto* buf = static_cast<char*>(kalloc(chunk));
    assert(buf);

    vnode* f = nullptr;
    assert_eq(root->open_entry("seq", true, &f), 0);
    d->nlog_ = 0;
    for (size_t off = 0; off != fsize; off += chunk) {
        for (size_t i = 0; i != chunk; ++i) {
            buf[i] = byte_at(off + i, 1);
        }
        assert_eq(f->write_at(iobuf::kernel(buf, chunk), off_t(off)), ssize_t(chunk));
    }
    size_t blocks;
    assert_eq(recdisk_count(d, 'W', &blocks), 4);
    assert_eq(blocks, fsize / chkfs::blocksize);
    for (int i = 0; i != d->nlog_; ++i) {
        assert(d->log_[i].op != 'w' || d->log_[i].bn != 2);     // the inode block
    }
    // Not sequential: stays in the cache.
    d->nlog_ = 0;
    for (size_t i = 0; i != chkfs::blocksize; ++i) {
        buf[i] = byte_at(7 * chkfs::blocksize + i, 2);
    }
    assert_eq(f->write_at(iobuf::kernel(buf, chkfs::blocksize), off_t(7 * chkfs::blocksize)),
              ssize_t(chkfs::blocksize));
    assert_eq(d->nlog_, 0);
    assert_eq(chkfs_filesystem(vol)->sync(1), 0);

    // Cold sequential read.
    d->nlog_ = 0;
    for (size_t off = 0; off != fsize; off += chunk) {
        memset(buf, 0, chunk);
        assert_eq(f->read_at(iobuf::kernel(buf, chunk), off_t(off)), ssize_t(chunk));
        for (size_t i = 0; i != chunk; ++i) {
            size_t pos = off + i;
            unsigned gen = pos / chkfs::blocksize == 7 ? 2 : 1;
            assert_eq(buf[i], byte_at(pos, gen));
        }
    }
    int data_requests = recdisk_count(d, 'R', &blocks) + recdisk_count(d, 'r');
    assert(data_requests <= 5, "too many read requests");
    assert_eq(blocks, fsize / chkfs::blocksize);
    // A random read, cold.
    assert_eq(chkfs_filesystem(vol)->sync(1), 0);
    assert_eq(f->read_at(iobuf::kernel(buf, 100), off_t(300000)), 100);
    for (size_t i = 0; i != 100; ++i) {
        assert_eq(buf[i], byte_at(300000 + i, 1));
    }
    assert_eq(f->read_at(iobuf::kernel(buf, 10), off_t(fsize - 5)), 5);

    f->put();
    assert_eq(root->unlink("seq"), 0);
    assert_eq(chkfs_filesystem(vol)->sync(2), 0);
    kfree(buf);
}
