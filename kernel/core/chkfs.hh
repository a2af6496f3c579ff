// chkfs.hh — the chickadeefs disk file system as the VFS sees it: a root
// `dirnode` and one `vnode` per open inode, on the buffer cache
// (bufcache.hh). The format's rules live in chkfs-logic.hh; docs/diskfs.md
// explains how the pieces fit.
//
// Easy to get wrong: everything here may sleep (block reads, sleeping
// locks), so none of it may be called holding a spinlock.
#pragma once
#include "vfs.hh"

struct blockdev;
struct bufcache;

// The volume of a mounted chickadeefs.
struct chkfs_volume;

// Mounts the chickadeefs on `dev`, cached by `cache`: 0 and the root
// directory (a new reference) and the volume, or E_INVAL (the superblock
// is not a chickadeefs one that fits the device: logged), E_IO, E_NOMEM.
int chkfs_mount(blockdev* dev, bufcache* cache, dirnode** root, chkfs_volume** vol);
// The volume's sys_sync operations.
vfs_filesystem* chkfs_filesystem(chkfs_volume* vol);
// Free blocks in the volume's bitmap, or an error (tests).
int64_t chkfs_free_blocks(chkfs_volume* vol);
// In-memory inodes of the volume (tests: 0 once every file is closed).
size_t chkfs_open_inodes(chkfs_volume* vol);

// At boot, from a kernel task: when the machine has a disk
// (blockdev_root()) holding a good chickadeefs, mount it as the root file
// system and return true; otherwise log why and leave memfs mounted.
bool chkfs_mount_boot();
// The volume mounted at boot, or nullptr.
chkfs_volume* chkfs_boot_volume();

// sys_readdiskfile: up to buf.size bytes at `off` of the file `path` on
// the boot volume: bytes read, or E_NOENT (no such file, or no disk),
// E_INVAL (a directory, negative offset), E_FAULT, E_IO.
ssize_t chkfs_readdiskfile(const char* path, const iobuf& buf, off_t off);
