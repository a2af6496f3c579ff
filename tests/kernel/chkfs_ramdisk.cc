// chkfs_ramdisk.cc — the disk file system's kernel glue (chkfs.cc) on a
// 256-block chickadeefs this test lays out on a ramdisk, through a private
// 10-slot buffer cache:
//   - a refused superblock (bad magic) is E_INVAL and logged;
//   - files created through the root dirnode, written and read through
//     vnodes (kernel iobufs), across blocks;
//   - one vnode per inode: opening a name twice gives the same object;
//   - unlink while open: the name is gone, the data stays readable and the
//     blocks stay taken until the last reference, then the inode and every
//     block come back (the free count returns exactly to its start, no
//     vnode left in the table);
//   - rename over a name whose file is open: the old file lives on until
//     put, then is freed;
//   - E_NOSPC leaves the free count and the file as they were;
//   - sync(2) finds no leaked cache reference.
//! expect: ktest chkfs_ramdisk: passed
//! expect: chkfs: ramdisk: not mounted: bad magic number
#include "abi/chickadeefs.hh"
#include "bufcache.hh"
#include "chkfs.hh"
#include "journal-test-disk.hh"
#include "ktest.hh"
#include "ramdisk.hh"
#include "string.hh"

namespace {

constexpr uint32_t nblocks = 256;
char buf[3 * 4096 + 100], back[sizeof(buf)];

vnode* open(dirnode* root, const char* name, bool create = true) {
    vnode* v = nullptr;
    assert_eq(root->open_entry(name, create, &v), 0);
    return v;
}

void fill(char* p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; ++i) {
        p[i] = char(i * 3 + seed * 17 + (i >> 12));
    }
}

}  // namespace

KTEST(chkfs_ramdisk) {
    ramdisk* d = ramdisk::make(nblocks);
    assert(d);
    d->name_ = "ramdisk";
    bufcache bc;
    assert_eq(bc.init(10), 0);
    dirnode* root;
    chkfs_volume* vol;
    // Zeros: refused.
    assert_eq(chkfs_mount(d, &bc, &root, &vol), E_INVAL);
    format_chkfs_test_disk(*d, nblocks, 16);
    assert_eq(bc.sync(d, 1), 0);        // forget the zeros the cache read
    assert_eq(chkfs_mount(d, &bc, &root, &vol), 0);
    int64_t free0 = chkfs_free_blocks(vol);
    assert_eq(free0, int64_t(nblocks - 16 - 3));

    // Write and read back across blocks; the directory takes one block.
    vnode* a = open(root, "a");
    fill(buf, sizeof(buf), 1);
    assert_eq(a->write_at(iobuf::kernel(buf, sizeof(buf)), 0), ssize_t(sizeof(buf)));
    assert_eq(a->size(), off_t(sizeof(buf)));
    memset(back, 0, sizeof(back));
    assert_eq(a->read_at(iobuf::kernel(back, sizeof(back)), 0), ssize_t(sizeof(buf)));
    assert(memcmp(back, buf, sizeof(buf)) == 0);
    assert_eq(a->read_at(iobuf::kernel(back, 10), 4090), 10);
    assert(memcmp(back, buf + 4090, 10) == 0);
    assert_eq(chkfs_free_blocks(vol), free0 - 1 - 4);
    // One vnode per inode.
    vnode* a2 = open(root, "a", false);
    assert(a2 == a);
    a2->put();
    assert_eq(chkfs_open_inodes(vol), 1u);

    // Unlink while open.
    assert_eq(root->unlink("a"), 0);
    assert(root->lookup("a") == nullptr);
    assert_eq(a->read_at(iobuf::kernel(back, sizeof(back)), 0), ssize_t(sizeof(buf)));
    assert(memcmp(back, buf, sizeof(buf)) == 0);
    assert_eq(chkfs_free_blocks(vol), free0 - 1 - 4);
    a->put();
    assert_eq(chkfs_open_inodes(vol), 0u);
    assert_eq(chkfs_free_blocks(vol), free0 - 1);

    // Rename over an open file.
    vnode* b = open(root, "b");
    vnode* c = open(root, "c");
    assert_eq(b->write_at(iobuf::kernel(buf, 5000), 0), 5000);
    assert_eq(c->write_at(iobuf::kernel(buf, 100), 0), 100);
    assert_eq(root->rename("b", "c"), 0);
    assert(root->lookup("b") == nullptr);
    vnode* c2 = root->lookup("c");
    assert(c2 == b);
    c2->put();
    assert_eq(c->size(), 100);
    assert_eq(chkfs_free_blocks(vol), free0 - 1 - 2 - 1);
    c->put();
    assert_eq(chkfs_free_blocks(vol), free0 - 1 - 2);
    b->put();
    assert_eq(chkfs_open_inodes(vol), 0u);

    // E_NOSPC changes nothing.
    vnode* e = open(root, "e");
    int64_t f = chkfs_free_blocks(vol);
    assert_eq(e->truncate(off_t(f + 1) * 4096), E_NOSPC);
    assert_eq(e->size(), 0);
    assert_eq(chkfs_free_blocks(vol), f);
    assert_eq(e->truncate(off_t(f) * 4096), 0);
    assert_eq(chkfs_free_blocks(vol), 0);
    assert_eq(e->write_at(iobuf::kernel(buf, 1), off_t(f) * 4096), E_NOSPC);
    e->put();
    assert_eq(root->unlink("e"), 0);
    assert_eq(root->unlink("c"), 0);
    assert_eq(chkfs_free_blocks(vol), free0 - 1);
    assert_eq(chkfs_open_inodes(vol), 0u);

    assert_eq(chkfs_filesystem(vol)->sync(2), 0);
}
