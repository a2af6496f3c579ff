// memfs.cc — the memory file system: a flat root directory of files whose
// bytes live in kernel pages. At boot it holds every file of the initial
// file system (programs and the text files of initfs/), see vfs_init.
//
// A file's data is an index of page pointers (a missing page reads as
// zeros). A file from the initial file system starts "backed": it reads
// straight from the read-only image linked into the kernel and copies its
// bytes into pages of its own only on the first write or truncate, so
// booting costs no memory per program.
// Locks: each directory has a spinlock (its operations are short and never
// block); each inode a sleeping reader/writer lock (sleeplock.hh): reads
// share it, writes and truncates hold it alone. Copies move at most a page
// at a time and let pending interrupts in between pages
// (preemption_point), so a 64 MiB write no longer keeps this CPU's
// interrupts off for its whole length; holding a sleeping lock across
// that is allowed, holding a spinlock is not. Their place in the lock
// order is in docs/contexts.md. A directory entry holds one reference to
// its inode, so an unlinked file lives on until its last open file is
// closed.
// Easy to get wrong: page arithmetic on untrusted offsets (an off_t near
// its maximum must not wrap), and freeing exactly what was allocated when
// an allocation fails half way (E_NOMEM leaves the file as it was, or with
// a prefix of a write done, which is reported).
#include "vfs.hh"
#include "initfs.hh"
#include "kalloc.hh"
#include "cpustate.hh"
#include "list.hh"
#include "log.hh"
#include "sleeplock.hh"
#include "string.hh"
#include "x86-64.hh"

namespace {

// Largest memfs file: 64 MiB (an index of 16384 page pointers).
constexpr off_t max_file_size = off_t(64) << 20;
constexpr size_t max_index = size_t(max_file_size / PAGESIZE);

alignas(PAGESIZE) const char zero_page[PAGESIZE] = {};

std::atomic<uint64_t> next_ino{2};          // 1 is the root

// Pages copied between two chances for interrupts to come in.
constexpr size_t pages_per_chunk = 4;

// Called after each page of a copy: every pages_per_chunk pages, let
// pending interrupts in (no spinlock may be held: inode locks sleep).
void between_pages(size_t pages_done) {
    if (pages_done % pages_per_chunk == 0) {
        preemption_point();
    }
}

struct memfs_file final : vnode {
    rwlock lock_;                           // shared: read_at, size; exclusive: the rest
    size_t size_ = 0;                       // [lock_]
    const uint8_t* backing_ = nullptr;      // [lock_] initfs bytes, until changed
    char** index_ = nullptr;                // [lock_] page pointers
    size_t index_cap_ = 0;                  // [lock_] entries in index_

    memfs_file() : vnode(vn_file, next_ino++) {}
    ~memfs_file() override {
        drop_pages(0);
        kfree(index_);
    }

    // Free every page at index >= first.
    void drop_pages(size_t first) {
        for (size_t i = first; i < index_cap_; ++i) {
            kfree(index_[i]);
            index_[i] = nullptr;
        }
    }

    // Make room for `pages` index entries: 0 or E_NOMEM.
    int grow_index(size_t pages) {
        if (pages <= index_cap_) {
            return 0;
        }
        size_t cap = index_cap_ ? index_cap_ * 2 : 8;
        cap = cap < pages ? pages : cap;
        cap = cap > max_index ? max_index : cap;
        auto** index = static_cast<char**>(kalloc_zeroed(cap * sizeof(char*)));
        if (!index) {
            return E_NOMEM;
        }
        if (index_) {
            memcpy(index, index_, index_cap_ * sizeof(char*));
            kfree(index_);
        }
        index_ = index;
        index_cap_ = cap;
        return 0;
    }

    // Copy backed bytes into pages of our own: 0 or E_NOMEM (unchanged).
    int materialize() {
        if (!backing_) {
            return 0;
        }
        size_t pages = round_up(size_, PAGESIZE) / PAGESIZE;
        if (grow_index(pages) < 0) {
            return E_NOMEM;
        }
        for (size_t i = 0; i < pages; ++i) {
            index_[i] = static_cast<char*>(kalloc(PAGESIZE));
            if (!index_[i]) {
                drop_pages(0);
                return E_NOMEM;
            }
            size_t n = size_ - i * PAGESIZE < PAGESIZE ? size_ - i * PAGESIZE : PAGESIZE;
            memcpy(index_[i], backing_ + i * PAGESIZE, n);
            memset(index_[i] + n, 0, PAGESIZE - n);
            between_pages(i + 1);
        }
        backing_ = nullptr;
        return 0;
    }

    ssize_t read_at(const iobuf& buf, off_t off) override {
        shared_guard guard(lock_);
        if (off < 0) {
            return E_INVAL;
        }
        if (size_t(off) >= size_) {
            return 0;
        }
        size_t n = buf.size < size_ - size_t(off) ? buf.size : size_ - size_t(off);
        size_t done = 0, pages = 0;
        while (done < n) {
            size_t pos = size_t(off) + done;
            size_t in_page = pos % PAGESIZE;
            size_t chunk = PAGESIZE - in_page < n - done ? PAGESIZE - in_page : n - done;
            const char* src;
            if (backing_) {
                src = reinterpret_cast<const char*>(backing_) + pos;
            } else {
                const char* page = pos / PAGESIZE < index_cap_ ? index_[pos / PAGESIZE] : nullptr;
                src = (page ? page : zero_page) + in_page;
            }
            if (buf.put(done, src, chunk) < 0) {
                return done ? ssize_t(done) : E_FAULT;
            }
            done += chunk;
            between_pages(++pages);
        }
        return ssize_t(n);
    }

    ssize_t write_at(const iobuf& buf, off_t off) override {
        exclusive_guard guard(lock_);
        if (off < 0) {
            return E_INVAL;
        }
        if (off >= max_file_size) {
            return E_FBIG;
        }
        size_t n = buf.size < size_t(max_file_size - off) ? buf.size
                                                          : size_t(max_file_size - off);
        if (materialize() < 0
            || grow_index(round_up(size_t(off) + n, PAGESIZE) / PAGESIZE) < 0) {
            return E_NOMEM;
        }
        size_t done = 0, pages = 0;
        int error = 0;
        while (done < n) {
            size_t pos = size_t(off) + done;
            size_t in_page = pos % PAGESIZE;
            size_t chunk = PAGESIZE - in_page < n - done ? PAGESIZE - in_page : n - done;
            char*& page = index_[pos / PAGESIZE];
            if (!page && !(page = static_cast<char*>(kalloc_page()))) {
                error = E_NOMEM;
                break;
            }
            if (buf.get(done, page + in_page, chunk) < 0) {
                error = E_FAULT;
                break;
            }
            done += chunk;
            between_pages(++pages);
        }
        if (size_t(off) + done > size_) {
            size_ = size_t(off) + done;
        }
        return done ? ssize_t(done) : error;
    }

    off_t size() override {
        shared_guard guard(lock_);
        return off_t(size_);
    }

    int truncate(off_t size) override {
        if (size < 0) {
            return E_INVAL;
        }
        if (size > max_file_size) {
            return E_FBIG;
        }
        exclusive_guard guard(lock_);
        if (materialize() < 0) {
            return E_NOMEM;
        }
        size_t new_size = size_t(size);
        if (new_size < size_) {
            // Drop whole pages past the end; zero the tail of the last one,
            // so a later growth reads zeros there.
            size_t keep = round_up(new_size, PAGESIZE) / PAGESIZE;
            drop_pages(keep);
            if (new_size % PAGESIZE && keep - 1 < index_cap_ && index_[keep - 1]) {
                memset(index_[keep - 1] + new_size % PAGESIZE, 0,
                       PAGESIZE - new_size % PAGESIZE);
            }
        }
        // Growing allocates nothing: missing pages read as zeros.
        size_ = new_size;
        return 0;
    }
};

// One allocation per entry (not a growing array), so that creating and
// removing files gives back exactly the memory it took.
struct dir_entry {
    list_links links_;
    vnode* node;                        // one reference
    char name[VFS_NAME_MAX + 1];
};

struct memfs_dir final : dirnode {
    spinlock lock_;
    list<dir_entry, &dir_entry::links_> entries_;   // [lock_] in creation order
    size_t count_ = 0;                              // [lock_]

    memfs_dir() : dirnode(vn_dir, 1) {}
    ~memfs_dir() override {
        while (dir_entry* e = entries_.front()) {
            entries_.erase(e);
            e->node->put();
            delete e;
        }
    }

    // The entry `name`, or nullptr (lock_ held).
    dir_entry* find(const char* name) {
        for (dir_entry* e = entries_.front(); e; e = entries_.next(e)) {
            if (strcmp(e->name, name) == 0) {
                return e;
            }
        }
        return nullptr;
    }

    // Append an entry (lock_ held): 0 or E_NOMEM. Takes over `node`'s
    // reference on success.
    int add(const char* name, vnode* node) {
        auto* e = new dir_entry;
        if (!e) {
            return E_NOMEM;
        }
        set_name(e, name);
        e->node = node;
        entries_.push_back(e);
        ++count_;
        return 0;
    }

    static void set_name(dir_entry* e, const char* name) {
        memset(e->name, 0, sizeof(e->name));
        memcpy(e->name, name, strlen(name));
    }

    // Remove and free entry `e` (lock_ held); returns its reference.
    vnode* remove(dir_entry* e) {
        vnode* v = e->node;
        entries_.erase(e);
        --count_;
        delete e;
        return v;
    }

    off_t size() override {
        spinlock_guard guard(lock_);
        return off_t(count_);
    }

    vnode* lookup(const char* name) override {
        spinlock_guard guard(lock_);
        dir_entry* e = find(name);
        if (!e) {
            return nullptr;
        }
        e->node->get();
        return e->node;
    }

    int open_entry(const char* name, bool create, vnode** out) override {
        spinlock_guard guard(lock_);
        if (dir_entry* e = find(name)) {
            e->node->get();
            *out = e->node;
            return 0;
        }
        if (!create) {
            return E_NOENT;
        }
        auto* f = new memfs_file;
        if (!f) {
            return E_NOMEM;
        }
        if (add(name, f) < 0) {
            delete f;
            return E_NOMEM;
        }
        f->get();                       // the caller's reference
        *out = f;
        return 0;
    }

    int unlink(const char* name) override {
        vnode* v;
        {
            spinlock_guard guard(lock_);
            dir_entry* e = find(name);
            if (!e) {
                return E_NOENT;
            }
            v = remove(e);
        }
        v->put();                       // outside the lock: may free pages
        return 0;
    }

    int rename(const char* from, const char* to) override {
        vnode* replaced = nullptr;
        {
            spinlock_guard guard(lock_);
            dir_entry* e = find(from);
            if (!e) {
                return E_NOENT;
            }
            dir_entry* target = find(to);
            if (target == e) {
                return 0;
            }
            if (target) {
                // `to` now names `from`'s inode, at `to`'s place.
                replaced = target->node;
                target->node = e->node;     // e's reference moves to target
                remove(e);
            } else {
                set_name(e, to);
            }
        }
        if (replaced) {
            replaced->put();
        }
        return 0;
    }

    ssize_t entry(size_t index, char* name, size_t size) override {
        spinlock_guard guard(lock_);
        dir_entry* e = entries_.front();
        for (size_t i = 0; e && i < index; ++i) {
            e = entries_.next(e);
        }
        if (!e) {
            return 0;
        }
        size_t n = strlen(e->name);
        if (n + 1 > size) {
            return E_RANGE;
        }
        memcpy(name, e->name, n + 1);
        return ssize_t(n);
    }
};

}  // namespace

void vfs_init() {
    auto* root = new memfs_dir;
    assert(root, "vfs: no memory for the root directory");
    unsigned count = 0;
    for (unsigned i = 0; const char* name = initfs_name(i); ++i) {
        const uint8_t* data;
        size_t size;
        if (!initfs_lookup(name, &data, &size) || vfs_check_name(name) < 0) {
            continue;
        }
        auto* f = new memfs_file;
        assert(f, "vfs: no memory for the initial files");
        f->backing_ = data;
        f->size_ = size;
        {
            spinlock_guard guard(root->lock_);
            assert(root->add(name, f) == 0, "vfs: no memory for the initial files");
        }
        ++count;
    }
    vfs_mount_root(root);
    log_printf(log_level::debug, "vfs: memfs root with %u initial files\n", count);
}
