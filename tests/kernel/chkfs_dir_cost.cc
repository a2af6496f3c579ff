// chkfs_dir_cost.cc — what a directory operation costs as the directory
// grows: on a chickadeefs this test lays out on a ramdisk (1024 inodes),
// through a 64-slot cache that holds the whole directory, the lookup of a
// name that is not there and a create + unlink of a new name, each timed
// with the TSC (the fastest of 7 rounds of 16), with 32 entries in the
// root and again with 512. The root's name index (chkfs-dirindex.hh)
// makes both independent of the directory's size: at 512 entries each
// must cost less than twice what it costs at 32. The scan it replaced
// read every slot (16 blocks' worth at 512), about 13× the small figure
// for a miss. Booted under `-icount shift=0`, so the figures are guest
// instructions and the same on any host (docs/diskfs.md quotes them).
//! expect: ktest chkfs_dir_cost: passed
//! ncpu: 1
//! timeout: 60
//! qemu: -icount shift=0
#include "abi/chickadeefs.hh"
#include "arch/insns.hh"
#include "bufcache.hh"
#include "chkfs.hh"
#include "ktest.hh"
#include "log.hh"
#include "ramdisk.hh"
#include "string.hh"
#include "lib.hh"

namespace {

constexpr chkfs::blocknum_t nblocks = 512, njournal = 32;
constexpr int32_t ninodes = 1024;
constexpr int rounds = 7, per_round = 16;

// Superblock, bitmap (block 1), 16 inode blocks, data, journal; every
// data block free and an empty root directory.
void format(ramdisk& d) {
    for (chkfs::blocknum_t b = 0; b != nblocks; ++b) {
        memset(d.block(b), 0, chkfs::blocksize);
    }
    chkfs::superblock sb = {};
    sb.magic = chkfs::magic;
    sb.nblocks = nblocks;
    sb.ninodes = ninodes;
    sb.njournal = njournal;
    sb.swap_bn = 1;
    sb.fbb_bn = 1;
    sb.inode_bn = 2;
    sb.data_bn = 2 + ninodes / chkfs::inodesperblock;
    sb.journal_bn = nblocks - njournal;
    memcpy(d.block(0) + chkfs::superblock_offset, &sb, sizeof(sb));
    for (chkfs::blocknum_t b = sb.data_bn; b < sb.journal_bn; ++b) {
        chkfs::bitmap_set_free(d.block(sb.fbb_bn), b, true);
    }
    auto* root = reinterpret_cast<chkfs::inode*>(d.block(sb.inode_bn)) + chkfs::root_inum;
    root->type = chkfs::type_directory;
    root->nlink = 1;
}

struct cost {
    uint64_t miss, create_unlink;
};

void make_files(dirnode* root, int from, int to) {
    char name[32];
    for (int k = from; k != to; ++k) {
        snprintf(name, sizeof(name), "entry-%04d", k);
        vnode* v = nullptr;
        assert_eq(root->open_entry(name, true, &v), 0);
        v->put();
    }
}

cost measure(dirnode* root) {
    cost best = {~uint64_t(0), ~uint64_t(0)};
    char name[32];
    for (int r = 0; r != rounds; ++r) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i != per_round; ++i) {
            snprintf(name, sizeof(name), "missing-%d", i);
            assert(root->lookup(name) == nullptr);
        }
        uint64_t t1 = rdtsc();
        for (int i = 0; i != per_round; ++i) {
            snprintf(name, sizeof(name), "new-%d", i);
            vnode* v = nullptr;
            assert_eq(root->open_entry(name, true, &v), 0);
            v->put();
            assert_eq(root->unlink(name), 0);
        }
        uint64_t t2 = rdtsc();
        best.miss = min(best.miss, (t1 - t0) / per_round);
        best.create_unlink = min(best.create_unlink, (t2 - t1) / per_round);
    }
    return best;
}

}  // namespace

KTEST(chkfs_dir_cost) {
    ramdisk* d = ramdisk::make(nblocks);
    assert(d);
    d->name_ = "ramdisk";
    format(*d);
    bufcache bc;
    assert_eq(bc.init(64), 0);
    dirnode* root;
    chkfs_volume* vol;
    assert_eq(chkfs_mount(d, &bc, &root, &vol), 0);
    make_files(root, 0, 32);
    cost small = measure(root);
    make_files(root, 32, 512);
    cost big = measure(root);
    log_printf(log_level::info, "chkfs_dir_cost: 32 entries: miss %lu, create+unlink %lu; "
               "512 entries: miss %lu, create+unlink %lu (TSC per operation)\n",
               (unsigned long) small.miss, (unsigned long) small.create_unlink,
               (unsigned long) big.miss, (unsigned long) big.create_unlink);
    assert_lt(big.miss, 2 * small.miss);
    assert_lt(big.create_unlink, 2 * small.create_unlink);
    assert_eq(chkfs_filesystem(vol)->sync(2), 0);
}
