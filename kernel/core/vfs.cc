// vfs.cc — the generic part of the VFS (see vfs.hh, docs/vfs.md): buffers,
// reference counts, the open-file operations of every vnode file, paths.
#include "vfs.hh"
#include "string.hh"
#include "uaccess.hh"

int iobuf::put(size_t pos, const void* src, size_t n) const {
    if (pt) {
        return copy_to_user(pt, addr + pos, src, n);
    }
    memcpy(reinterpret_cast<char*>(addr) + pos, src, n);
    return 0;
}

int iobuf::get(size_t pos, void* dst, size_t n) const {
    if (pt) {
        return copy_from_user(pt, dst, addr + pos, n);
    }
    memcpy(dst, reinterpret_cast<const char*>(addr) + pos, n);
    return 0;
}

void vnode::put() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        last_ref();
    }
}

void file::put() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        ops_->release(*this);
        if (node_) {
            node_->put();
        }
        delete this;
    }
}

off_t file_ops::seek(file&, off_t, int) const {
    return E_SPIPE;
}

int file_ops::truncate(file&, off_t) const {
    return E_INVAL;
}

namespace {

// The open-file operations of every file opened on a vnode: a position
// (guarded by the file's lock, so two processes sharing the file through
// dup2 or fork never read the same bytes twice) over the vnode's
// positional operations. The file's lock is a sleeping lock held across
// the vnode call, which may sleep (a disk read) — so no spinlock may be
// held when calling these.
struct vnode_file_ops final : file_ops {
    // Does `op` (vnode::read_at or write_at) at the position and moves the
    // position past what it did.
    static ssize_t at_position(file& f, ssize_t (vnode::*op)(const iobuf&, off_t),
                               const iobuf& buf) {
        sleeplock_guard guard(f.lock_);
        ssize_t n = (f.node_->*op)(buf, f.off_);
        if (n > 0) {
            f.off_ += n;
        }
        return n;
    }
    ssize_t read(file& f, const iobuf& buf) const override {
        return at_position(f, &vnode::read_at, buf);
    }
    ssize_t write(file& f, const iobuf& buf) const override {
        return at_position(f, &vnode::write_at, buf);
    }
    off_t seek(file& f, off_t off, int origin) const override {
        sleeplock_guard guard(f.lock_);
        off_t size = f.node_->size();
        off_t base;
        switch (origin) {
        case LSEEK_SET:
            base = 0;
            break;
        case LSEEK_CUR:
            base = f.off_;
            break;
        case LSEEK_END:
            base = size;
            break;
        case LSEEK_SIZE:
            return size;
        default:
            return E_INVAL;
        }
        off_t pos;
        if (__builtin_add_overflow(base, off, &pos) || pos < 0) {
            return E_INVAL;
        }
        f.off_ = pos;
        return pos;
    }
    int truncate(file& f, off_t size) const override {
        return f.node_->truncate(size);
    }
};

const vnode_file_ops vnode_ops_instance;
dirnode* root_dir;
vfs_filesystem* root_fs;

}  // namespace

file* vfs_open_vnode(vnode* node, int mode) {
    file* f = new file(&vnode_ops_instance, mode);
    if (!f) {
        node->put();
        return nullptr;
    }
    f->node_ = node;
    return f;
}

dirnode* vfs_root() {
    return root_dir;
}

void vfs_mount_root(dirnode* root, vfs_filesystem* fs) {
    root_dir = root;
    root_fs = fs;
}

vfs_filesystem* vfs_root_fs() {
    return root_fs;
}

int vfs_sync(int mode) {
    if (mode < 0 || mode > 2) {
        return E_INVAL;
    }
    vfs_filesystem* fs = vfs_root_fs();
    return fs ? fs->sync(mode) : 0;
}

int vfs_check_name(const char* name) {
    size_t n = strnlen(name, VFS_NAME_MAX + 1);
    if (n == 0) {
        return E_NOENT;
    }
    if (n > VFS_NAME_MAX) {
        return E_NAMETOOLONG;
    }
    return strchr(name, '/') ? E_NOENT : 0;
}

int vfs_split_path(const char* path, const char** name) {
    while (*path == '/') {
        ++path;
    }
    if (*path == '\0' || strcmp(path, ".") == 0 || strcmp(path, "..") == 0) {
        *name = nullptr;
        return 0;
    }
    int r = vfs_check_name(path);
    if (r < 0) {
        return r;
    }
    *name = path;
    return 0;
}

int vfs_lookup(const char* path, vnode** out) {
    const char* name;
    int r = vfs_split_path(path, &name);
    if (r < 0) {
        return r;
    }
    dirnode* root = vfs_root();
    if (!name) {
        root->get();
        *out = root;
        return 0;
    }
    vnode* v = root->lookup(name);
    if (!v) {
        return E_NOENT;
    }
    *out = v;
    return 0;
}
