// chkfs-logic.cc — chickadeefs's rules over a block-access interface (see
// chkfs-logic.hh). Compiled into the kernel and into the host tests, so it
// uses only the compiler's builtins (no C library, no allocation).
//
// Easy to get wrong: a `held_block` is re-pointed by `hold`, so a pointer
// into its data is stale after the next `hold` on the same holder; extent
// sums are done in 64 bits (a corrupt image may overflow 32); growth that
// fails half way is undone by shrinking back to the old block count, which
// frees exactly the blocks the growth took.
#include "chkfs-logic.hh"

namespace chkfs {

namespace {

inline uint64_t blocks_for(uint64_t size) {
    return (size + blocksize - 1) / blocksize;
}
inline uint64_t min64(uint64_t a, uint64_t b) {
    return a < b ? a : b;
}
// Indirect-extent blocks needed for `n` extents.
inline uint32_t indirect_blocks_for(uint32_t n) {
    return n <= ndirect ? 0 : uint32_t((n - ndirect + extentsperblock - 1) / extentsperblock);
}

// Compares a directory entry's name (at most maxnamelen + 1 bytes, maybe
// unterminated on a corrupt disk) with `name`.
bool name_equal(const char* ename, const char* name) {
    for (size_t i = 0; i <= maxnamelen; ++i) {
        if (ename[i] != name[i]) {
            return false;
        }
        if (name[i] == '\0') {
            return true;
        }
    }
    return false;
}

void set_name(dirent* de, const char* name) {
    __builtin_memset(de->name, 0, sizeof(de->name));
    __builtin_memcpy(de->name, name, __builtin_strlen(name));
}

bool valid_name(const char* name) {
    size_t n = __builtin_strlen(name);
    if (n == 0 || n > maxnamelen) {
        return false;
    }
    if (__builtin_strcmp(name, ".") == 0 || __builtin_strcmp(name, "..") == 0) {
        return false;
    }
    return !__builtin_strchr(name, '/');
}

// Brackets a transaction for a scope.
struct tx_scope {
    blockio& io_;
    explicit tx_scope(blockio& io) : io_(io) { io_.tx_begin(); }
    ~tx_scope() { io_.tx_end(); }
};

}  // namespace

int held_block::hold(blocknum_t bn, bool load) {
    if (holds(bn)) {
        return 0;
    }
    release();
    int r = io_.get(bn, ref_, load);
    if (r < 0) {
        ref_ = blockref();
    }
    return r;
}

void held_block::release() {
    if (ref_.data) {
        io_.put(ref_);
        ref_ = blockref();
    }
}

const char* check_superblock(const superblock& sb, uint64_t dev_blocks) {
    if (sb.magic != magic) {
        return "bad magic number";
    }
    if (sb.nblocks < 3 || sb.nblocks > dev_blocks) {
        return "block count is larger than the disk (or under 3)";
    }
    uint64_t nfbb = (uint64_t(sb.nblocks) + bitsperblock - 1) / bitsperblock;
    if (sb.swap_bn != 1 || uint64_t(sb.swap_bn) + sb.nswap != sb.fbb_bn
        || uint64_t(sb.fbb_bn) + nfbb != sb.inode_bn) {
        return "swap, bitmap and inode regions out of place";
    }
    if (sb.ninodes < 2
        || uint64_t(sb.inode_bn) + (uint64_t(sb.ninodes) + inodesperblock - 1) / inodesperblock
               > sb.data_bn) {
        return "inodes do not fit before the data area";
    }
    if (sb.data_bn > sb.journal_bn || sb.journal_bn > sb.nblocks
        || sb.njournal != sb.nblocks - sb.journal_bn) {
        return "data and journal regions out of place";
    }
    return nullptr;
}

// --- inodes ----------------------------------------------------------------

int fs::get_inode(inum_t inum, inode_ref& ir) {
    if (inum <= 0 || inum >= sb_.ninodes) {
        return E_INVAL;
    }
    int r = ir.hb_.hold(sb_.inode_bn + blocknum_t(size_t(inum) / inodesperblock));
    if (r < 0) {
        ir.in_ = nullptr;
        return r;
    }
    ir.in_ = reinterpret_cast<inode*>(ir.hb_.data()) + size_t(inum) % inodesperblock;
    return 0;
}

int fs::alloc_inode(uint32_t type, inum_t* out) {
    inode_ref ir(io_);
    inum_t start = inode_hint_ >= 2 && inode_hint_ < sb_.ninodes ? inode_hint_ : 2;
    inum_t i = start;
    do {
        if (int r = get_inode(i, ir); r < 0) {
            return r;
        }
        if (ir->type == type_free) {
            ir.hb_.write_begin();
            __builtin_memset(ir.in_, 0, sizeof(inode));
            ir->type = type;
            ir.hb_.write_end();
            inode_hint_ = i + 1;
            *out = i;
            return 0;
        }
        i = i + 1 < sb_.ninodes ? i + 1 : 2;
    } while (i != start);
    return E_NOSPC;
}

int fs::free_inode(inum_t inum) {
    tx_scope tx(io_);
    inode_ref ir(io_);
    if (int r = get_inode(inum, ir); r < 0) {
        return r;
    }
    index_changed(inum, false);         // a directory's index goes with it
    if (int r = shrink(ir, 0); r < 0) {
        return r;
    }
    ir.hb_.write_begin();
    __builtin_memset(ir.in_, 0, sizeof(inode));
    ir.hb_.write_end();
    return 0;
}

// --- extents ---------------------------------------------------------------

// Points *e at extent number `idx` of `in` (direct, then indirect),
// holding its indirect block in `ind`. The indirect extent must give that
// slot (E_IO otherwise: a corrupt disk).
int fs::extent_slot(const inode& in, uint32_t idx, held_block& ind, extent** e) {
    if (idx < ndirect) {
        *e = const_cast<extent*>(&in.direct[idx]);
        return 0;
    }
    uint32_t k = idx - ndirect;
    uint32_t b = uint32_t(k / extentsperblock);
    if (b >= in.indirect.count || !in_data(in.indirect.first, in.indirect.count)) {
        return E_IO;
    }
    if (int r = ind.hold(in.indirect.first + b); r < 0) {
        return r;
    }
    *e = reinterpret_cast<extent*>(ind.data()) + k % extentsperblock;
    return 0;
}

// Sets extent number `idx` (bracketing the change on its block).
int fs::set_extent(inode_ref& ir, uint32_t idx, extent value) {
    held_block ind(io_);
    extent* e;
    if (int r = extent_slot(*ir, idx, ind, &e); r < 0) {
        return r;
    }
    held_block& hb = idx < ndirect ? ir.hb_ : ind;
    hb.write_begin();
    *e = value;
    hb.write_end();
    return 0;
}

int fs::count_blocks(const inode& in, uint32_t* blocks, uint32_t* extents) {
    held_block ind(io_);
    uint64_t total = 0;
    uint64_t limit = ndirect + uint64_t(in.indirect.count) * extentsperblock;
    uint32_t idx = 0;
    for (; idx < limit; ++idx) {
        extent* e;
        if (int r = extent_slot(in, idx, ind, &e); r < 0) {
            return r;
        }
        if (e->count == 0) {
            break;
        }
        if (e->first != 0 && !in_data(e->first, e->count)) {
            return E_IO;
        }
        total += e->count;
    }
    if (total > 0xFFFFFFFFU) {
        return E_IO;
    }
    *blocks = uint32_t(total);
    *extents = idx;
    return 0;
}

int fs::map(const inode& in, uint32_t fbi, blocknum_t* bn, uint32_t* run) {
    held_block ind(io_);
    uint64_t limit = ndirect + uint64_t(in.indirect.count) * extentsperblock;
    uint64_t pos = 0;
    for (uint32_t idx = 0; idx < limit; ++idx) {
        extent* e;
        if (int r = extent_slot(in, idx, ind, &e); r < 0) {
            return r;
        }
        if (e->count == 0) {
            break;
        }
        if (fbi < pos + e->count) {
            if (e->first != 0 && !in_data(e->first, e->count)) {
                return E_IO;
            }
            uint32_t into = uint32_t(fbi - pos);
            *bn = e->first ? e->first + into : 0;
            *run = e->count - into;
            return 0;
        }
        pos += e->count;
    }
    *bn = 0;
    *run = 1;
    return 0;
}

// Zeroes blocks [first, first + count) without reading them.
int fs::zero_blocks(blocknum_t first, uint32_t count, dirty_kind kind) {
    held_block hb(io_);
    for (uint32_t i = 0; i != count; ++i) {
        if (int r = hb.hold(first + i, false); r < 0) {
            return r;
        }
        hb.write_begin();
        __builtin_memset(hb.data(), 0, blocksize);
        hb.write_end(kind);
    }
    return 0;
}

// Makes room for `nblocks` indirect-extent blocks (one more than now):
// extends the indirect extent in place if the next block is free, else
// moves it to a new run, copying. Nothing changes on failure.
int fs::grow_indirect(inode_ref& ir, uint32_t nblocks) {
    extent old = ir->indirect;
    if (old.count >= nblocks) {
        return 0;
    }
    extent now;
    if (old.count == 0) {
        blocknum_t b;
        uint32_t n;
        if (int r = alloc_run(alloc_hint_, 1, true, &b, &n); r < 0) {
            return r;
        }
        if (int r = zero_blocks(b, 1, dirty_kind::meta); r < 0) {
            free_run(b, 1);
            return r;
        }
        now = {b, 1};
    } else if (!in_data(old.first, old.count)) {
        return E_IO;
    } else if (alloc_at(old.first + old.count) == 0) {
        if (int r = zero_blocks(old.first + old.count, 1, dirty_kind::meta); r < 0) {
            free_run(old.first + old.count, 1);
            return r;
        }
        now = {old.first, old.count + 1};
    } else {
        blocknum_t nb;
        uint32_t n;
        if (int r = alloc_run(alloc_hint_, old.count + 1, true, &nb, &n); r < 0) {
            return r;
        }
        held_block dst(io_), src(io_);
        for (uint32_t i = 0; i != old.count + 1; ++i) {
            int r = i < old.count ? src.hold(old.first + i) : 0;
            if (r == 0) {
                r = dst.hold(nb + i, false);
            }
            if (r < 0) {
                free_run(nb, old.count + 1);
                return r;
            }
            dst.write_begin();
            if (i < old.count) {
                __builtin_memcpy(dst.data(), src.data(), blocksize);
            } else {
                __builtin_memset(dst.data(), 0, blocksize);
            }
            dst.write_end();
        }
        now = {nb, old.count + 1};
    }
    ir.hb_.write_begin();
    ir->indirect = now;
    ir.hb_.write_end();
    if (now.first != old.first && old.count) {
        free_run(old.first, old.count);
    }
    return 0;
}

// Adds the run [first, first + count) at the end of the file's extents
// (`*nextents` of them now): extends the last extent when contiguous, else
// takes the next direct slot, else the next indirect slot (growing the
// indirect extent first). Nothing changes on failure.
int fs::append_run(inode_ref& ir, uint32_t* nextents, blocknum_t first, uint32_t count) {
    uint32_t n = *nextents;
    if (n > 0) {
        held_block ind(io_);
        extent* lastp;
        if (int r = extent_slot(*ir, n - 1, ind, &lastp); r < 0) {
            return r;
        }
        extent last = *lastp;
        ind.release();
        if (last.first != 0 && last.first + last.count == first
            && uint64_t(last.count) + count <= 0xFFFFFFFFU) {
            return set_extent(ir, n - 1, {last.first, last.count + count});
        }
    }
    if (n >= ndirect) {
        uint64_t need = indirect_blocks_for(n + 1);
        if (need > 0xFFFFFFFFU / extentsperblock) {
            return E_FBIG;
        }
        if (int r = grow_indirect(ir, uint32_t(need)); r < 0) {
            return r;
        }
    }
    if (int r = set_extent(ir, n, {first, count}); r < 0) {
        return r;
    }
    *nextents = n + 1;
    return 0;
}

// File block `fbi` lies in a hole: gives it (and up to `want` - 1 blocks
// after it, inside the same hole) a zeroed run of disk blocks, placed
// after the disk block of file block `fbi` - 1 when it can be. The hole's
// extent is replaced by up to three (hole before, the run, hole after),
// merged with a neighbouring extent the run continues on disk; the
// extents after it move by the difference (growing the indirect extent
// first when there are more). Nothing changes on E_NOSPC (the run is
// allocated, then the indirect room, before any extent is touched).
int fs::fill_hole(inode_ref& ir, uint32_t fbi, uint32_t want) {
    uint32_t have, n;
    if (int r = count_blocks(*ir, &have, &n); r < 0) {
        return r;
    }
    // Find the hole's extent: index `idx`, first file block `start`.
    held_block rd(io_);
    uint32_t idx = 0;
    uint64_t start = 0;
    extent hole = {0, 0};
    for (; idx < n; ++idx) {
        extent* e;
        if (int r = extent_slot(*ir, idx, rd, &e); r < 0) {
            return r;
        }
        if (fbi < start + e->count) {
            hole = *e;
            break;
        }
        start += e->count;
    }
    if (idx == n || hole.first != 0 || want == 0) {
        return E_INVAL;                 // not a hole: the caller's mistake
    }
    uint32_t into = uint32_t(fbi - start);
    want = uint32_t(min64(want, hole.count - into));
    // The window of extents that may change: the hole and its neighbours.
    uint32_t lo = idx > 0 ? idx - 1 : idx;
    uint32_t hi = idx + 1 < n ? idx + 2 : idx + 1;
    extent old[3];
    for (uint32_t j = lo; j != hi; ++j) {
        extent* e;
        if (int r = extent_slot(*ir, j, rd, &e); r < 0) {
            return r;
        }
        old[j - lo] = *e;
    }
    rd.release();

    blocknum_t hint = alloc_hint_;
    if (fbi > 0) {
        blocknum_t prev;
        uint32_t run;
        if (int r = map(*ir, fbi - 1, &prev, &run); r < 0) {
            return r;
        }
        if (prev != 0) {
            hint = prev + 1;
        }
    }
    blocknum_t f;
    uint32_t c;
    if (int r = alloc_run(hint, want, false, &f, &c); r < 0) {
        return r;
    }
    if (int r = zero_blocks(f, c, dirty_kind::data); r < 0) {
        free_run(f, c);
        return r;
    }

    // The window's new extents, merging contiguous data runs.
    extent pieces[5];
    uint32_t k = 0;
    auto add = [&](extent x) {
        if (k > 0 && x.first != 0 && pieces[k - 1].first != 0
            && pieces[k - 1].first + pieces[k - 1].count == x.first
            && uint64_t(pieces[k - 1].count) + x.count <= 0xFFFFFFFFU) {
            pieces[k - 1].count += x.count;
        } else {
            pieces[k++] = x;
        }
    };
    for (uint32_t j = lo; j != hi; ++j) {
        if (j != idx) {
            add(old[j - lo]);
            continue;
        }
        if (into) {
            add({0, into});
        }
        add({f, c});
        if (into + c < hole.count) {
            add({0, hole.count - into - c});
        }
    }
    uint32_t oldk = hi - lo;
    uint32_t newn = n - oldk + k;
    if (newn > n) {
        uint64_t need = indirect_blocks_for(newn);
        int r = need > 0xFFFFFFFFU / extentsperblock ? E_FBIG : 0;
        if (r == 0) {
            r = grow_indirect(ir, uint32_t(need));
        }
        if (r < 0) {
            free_run(f, c);
            return r;
        }
    }

    // From here on only an I/O error can stop it. Move the extents after
    // the window (from the far end when they move up), write the window,
    // clear slots left over, and free indirect blocks no longer needed.
    auto move = [&](uint32_t j) -> int {
        extent* e;
        if (int r = extent_slot(*ir, j, rd, &e); r < 0) {
            return r;
        }
        extent x = *e;
        rd.release();
        return set_extent(ir, j - oldk + k, x);
    };
    if (newn > n) {
        for (uint32_t j = n; j-- > hi; ) {
            if (int r = move(j); r < 0) {
                return r;
            }
        }
    } else if (newn < n) {
        for (uint32_t j = hi; j < n; ++j) {
            if (int r = move(j); r < 0) {
                return r;
            }
        }
    }
    for (uint32_t j = 0; j != k; ++j) {
        if (int r = set_extent(ir, lo + j, pieces[j]); r < 0) {
            return r;
        }
    }
    for (uint32_t j = newn; j < n; ++j) {
        if (int r = set_extent(ir, j, {0, 0}); r < 0) {
            return r;
        }
    }
    return newn < n ? shrink(ir, have) : 0;
}

// Grows the file's extents to give `blocks` blocks, zeroed. On failure
// the file is shrunk back to its old block count: nothing allocated stays.
int fs::grow(inode_ref& ir, uint32_t blocks) {
    // LAB disk BEGIN: exercise 3, file growth: allocate zeroed runs (near the file's last block) and append them as extents until the file has `blocks` blocks; on failure shrink back
    uint32_t have, n;
    if (int r = count_blocks(*ir, &have, &n); r < 0) {
        return r;
    }
    if (have >= blocks) {
        return 0;
    }
    // A growth larger than a write's chunk (a truncate, or a write far past
    // the end) first checks that the disk has the blocks at all: else the
    // loop below would zero every free block of the disk only to free
    // them again (seconds of I/O on a large disk, for E_NOSPC). Quarantined
    // blocks count as free here, so this refuses only what cannot fit.
    if (blocks - have > write_chunk_blocks) {
        int64_t nfree = count_free();
        if (nfree >= 0 && uint64_t(nfree) < uint64_t(blocks - have)) {
            return E_NOSPC;
        }
    }
    uint32_t old = have;
    blocknum_t hint = alloc_hint_;
    if (n > 0) {
        held_block ind(io_);
        extent* last;
        if (int r = extent_slot(*ir, n - 1, ind, &last); r < 0) {
            return r;
        }
        if (last->first) {
            hint = last->first + last->count;
        }
    }
    int r = 0;
    while (have < blocks) {
        blocknum_t f;
        uint32_t c;
        if ((r = alloc_run(hint, blocks - have, false, &f, &c)) < 0) {
            break;
        }
        if ((r = zero_blocks(f, c, dirty_kind::data)) < 0
            || (r = append_run(ir, &n, f, c)) < 0) {
            free_run(f, c);
            break;
        }
        have += c;
        hint = f + c;
    }
    if (r < 0) {
        shrink(ir, old);
    }
    return r;
    // LAB disk STUB: uint32_t have, n;
    // LAB disk STUB: if (int r = count_blocks(*ir, &have, &n); r < 0) {
    // LAB disk STUB:     return r;
    // LAB disk STUB: }
    // LAB disk STUB: return have >= blocks ? 0 : E_NOSPC;     // files never get a new block
    // LAB disk END
}

// Frees every block past the first `blocks` of the file (and indirect
// blocks no longer needed), clearing the extents that held them.
int fs::shrink(inode_ref& ir, uint32_t blocks) {
    held_block ind(io_);
    uint64_t limit = ndirect + uint64_t(ir->indirect.count) * extentsperblock;
    uint64_t pos = 0;
    uint32_t keep_ext = 0;
    int err = 0;
    for (uint32_t idx = 0; idx < limit; ++idx) {
        extent* e;
        if (int r = extent_slot(*ir, idx, ind, &e); r < 0) {
            return r;
        }
        extent x = *e;
        if (x.count == 0) {
            break;
        }
        if (pos + x.count <= blocks) {
            keep_ext = idx + 1;
        } else {
            uint32_t keep = blocks > pos ? uint32_t(blocks - pos) : 0;
            if (x.first != 0 && !in_data(x.first, x.count)) {
                return E_IO;
            }
            held_block& hb = idx < ndirect ? ir.hb_ : ind;
            hb.write_begin();
            *e = keep ? extent{x.first, keep} : extent{0, 0};
            hb.write_end();
            if (keep) {
                keep_ext = idx + 1;
            }
            if (x.first != 0) {
                if (int r = free_run(x.first + keep, x.count - keep); r < 0) {
                    err = r;
                }
            }
        }
        pos += x.count;
    }
    ind.release();
    uint32_t need = indirect_blocks_for(keep_ext);
    extent old = ir->indirect;
    if (old.count > need) {
        ir.hb_.write_begin();
        ir->indirect = need ? extent{old.first, need} : extent{0, 0};
        ir.hb_.write_end();
        if (old.first != 0 && in_data(old.first, old.count)) {
            if (int r = free_run(old.first + need, old.count - need); r < 0) {
                err = r;
            }
        }
    }
    return err;
}

// Before a file grows: frees whole blocks past its size (an image may
// carry some; growth then allocates zeroed ones) and zeroes the rest of
// its last block after the size, so the new bytes read as zeros.
int fs::zero_tail(inode_ref& ir) {
    if (int r = shrink(ir, uint32_t(blocks_for(ir->size))); r < 0) {
        return r;
    }
    if (ir->size % blocksize == 0) {
        return 0;
    }
    blocknum_t bn;
    uint32_t run;
    if (int r = map(*ir, ir->size / blocksize, &bn, &run); r < 0) {
        return r;
    }
    if (bn == 0) {
        return 0;
    }
    held_block hb(io_);
    if (int r = hb.hold(bn); r < 0) {
        return r;
    }
    size_t at = ir->size % blocksize;
    hb.write_begin();
    __builtin_memset(hb.data() + at, 0, blocksize - at);
    hb.write_end(dirty_kind::data);
    return 0;
}

// --- file contents ---------------------------------------------------------

int64_t fs::size(inum_t inum) {
    inode_ref ir(io_);
    if (int r = get_inode(inum, ir); r < 0) {
        return r;
    }
    return ir->size;
}

ssize_t fs::read(inum_t inum, uint64_t off, size_t n, transfer& xf) {
    inode_ref ir(io_);
    if (int r = get_inode(inum, ir); r < 0) {
        return r;
    }
    if (off >= ir->size || n == 0) {
        return 0;
    }
    n = size_t(min64(n, ir->size - off));
    held_block db(io_);
    size_t done = 0;
    while (done < n) {
        blocknum_t bn;
        uint32_t run;
        int r = map(*ir, uint32_t((off + done) / blocksize), &bn, &run);
        // Copy the whole contiguous run the map found, block by block.
        for (uint32_t k = 0; r == 0 && k != run && done < n; ++k) {
            size_t at = (off + done) % blocksize;
            size_t chunk = size_t(min64(blocksize - at, n - done));
            if (bn == 0) {
                static const unsigned char zeros[blocksize] = {};
                r = xf.to_buffer(done, zeros + at, chunk);
            } else if ((r = db.hold(bn + k)) == 0) {
                r = xf.to_buffer(done, db.data() + at, chunk);
            }
            if (r == 0) {
                done += chunk;
            }
        }
        if (r < 0) {
            return done ? ssize_t(done) : r;
        }
    }
    return ssize_t(n);
}

ssize_t fs::write(inum_t inum, uint64_t off, size_t n, transfer& xf) {
    if (n == 0) {
        return 0;
    }
    if (off >= maxsize) {
        return E_FBIG;
    }
    n = size_t(min64(n, maxsize - off));
    size_t done = 0;
    int err = 0;
    while (done < n && err == 0) {
        uint64_t pos = off + done;
        uint64_t end = min64(off + n, (pos / blocksize + write_chunk_blocks) * blocksize);
        tx_scope tx(io_);
        inode_ref ir(io_);
        if ((err = get_inode(inum, ir)) < 0) {
            break;
        }
        if (end > ir->size
            && ((err = zero_tail(ir)) < 0 || (err = grow(ir, uint32_t(blocks_for(end)))) < 0)) {
            break;
        }
        held_block db(io_);
        uint64_t p = pos;
        while (p < end) {
            size_t at = p % blocksize;
            size_t chunk = size_t(min64(blocksize - at, end - p));
            blocknum_t bn;
            uint32_t run;
            if ((err = map(*ir, uint32_t(p / blocksize), &bn, &run)) < 0) {
                break;
            }
            if (bn == 0) {
                // A hole: give it blocks up to the chunk's end, map again.
                db.release();
                uint64_t last = (end - 1) / blocksize;
                if ((err = fill_hole(ir, uint32_t(p / blocksize),
                                     uint32_t(min64(run, last - p / blocksize + 1)))) < 0) {
                    break;
                }
                continue;
            }
            if ((err = db.hold(bn)) < 0) {
                break;
            }
            db.write_begin();
            err = xf.from_buffer(p - off, db.data() + at, chunk);
            db.write_end(dirty_kind::data);
            if (err < 0) {
                break;
            }
            p += chunk;
        }
        db.release();
        if (p > pos && p > ir->size) {
            ir.hb_.write_begin();
            ir->size = uint32_t(p);
            ir.hb_.write_end();
        }
        if (err < 0) {
            // Blocks the failed part allocated past the new size go back.
            shrink(ir, uint32_t(blocks_for(ir->size)));
        }
        done = size_t(p - off);
    }
    return done ? ssize_t(done) : err;
}

int fs::truncate(inum_t inum, uint64_t size) {
    if (size > maxsize) {
        return E_FBIG;
    }
    tx_scope tx(io_);
    inode_ref ir(io_);
    if (int r = get_inode(inum, ir); r < 0) {
        return r;
    }
    if (ir->type == type_directory) {
        index_changed(inum, false);     // its slots change behind the index
    }
    uint32_t blocks = uint32_t(blocks_for(size));
    int r;
    if (size > ir->size) {
        r = zero_tail(ir);
        if (r == 0) {
            r = grow(ir, blocks);
        }
    } else {
        r = shrink(ir, blocks);
    }
    if (r < 0) {
        return r;
    }
    ir.hb_.write_begin();
    ir->size = uint32_t(size);
    ir.hb_.write_end();
    return 0;
}

// --- directories -----------------------------------------------------------

// Points *de at entry `slot` of directory `dir`, holding its block in hb.
// With `held_fbi`, a slot in the block hb already holds (file block
// *held_fbi) is found without mapping again (a scan would otherwise walk
// the extents, and get an indirect block, once per slot).
int fs::dir_slot(const inode& dir, uint32_t slot, held_block& hb, dirent** de,
                 uint32_t* held_fbi) {
    uint64_t byte = uint64_t(slot) * direntsize;
    uint32_t fbi = uint32_t(byte / blocksize);
    if (held_fbi && *held_fbi == fbi && hb.data()) {
        *de = reinterpret_cast<dirent*>(hb.data() + byte % blocksize);
        return 0;
    }
    if (held_fbi) {
        *held_fbi = UINT32_MAX;
    }
    blocknum_t bn;
    uint32_t run;
    if (int r = map(dir, uint32_t(byte / blocksize), &bn, &run); r < 0) {
        return r;
    }
    if (bn == 0) {
        return E_IO;
    }
    if (int r = hb.hold(bn); r < 0) {
        return r;
    }
    if (held_fbi) {
        *held_fbi = fbi;
    }
    *de = reinterpret_cast<dirent*>(hb.data() + byte % blocksize);
    return 0;
}

// The index of directory `dirnum` when it can be used: ready and in step
// with the directory's size, or built now from the directory's blocks
// (the first lookup after mount, or after a drop). nullptr: scan. An
// index out of step is dropped by an exclusive holder, ignored by a
// shared one.
dir_index* fs::index_for(inum_t dirnum, const inode& dir, bool excl) {
    dir_index* ix = io_.index_of(dirnum);
    if (!ix) {
        return nullptr;
    }
    uint32_t nslots = dir.size / direntsize;
    if (ix->ready()) {
        if (ix->nslots() == nslots) {
            return ix;
        }
        if (!excl) {
            return nullptr;
        }
        ix->drop();
    }
    if (!ix->claim(nslots)) {
        return nullptr;                 // too big, no memory, or another reader builds
    }
    held_block hb(io_);
    uint32_t held_fbi = UINT32_MAX;
    for (uint32_t s = 0; s != nslots; ++s) {
        dirent* de;
        if (dir_slot(dir, s, hb, &de, &held_fbi) < 0) {
            ix->drop();                 // the scan that follows reports the error
            return nullptr;
        }
        if (de->inum != 0 && !ix->insert(s, de->name)) {
            ix->drop();
            return nullptr;
        }
    }
    ix->publish();
    return ix;
}

// After a change of directory `dirnum`'s entries: `ok` false means the
// index (if any) could not follow it and must go.
void fs::index_changed(inum_t dirnum, bool ok) {
    if (!ok) {
        if (dir_index* ix = io_.index_of(dirnum)) {
            ix->drop();
        }
    }
}

int fs::dir_find(inum_t dirnum, const inode& dir, const char* name, inum_t* inum,
                 uint32_t* slot, bool excl) {
    if (dir.type != type_directory) {
        return E_IO;
    }
    held_block hb(io_);
    uint32_t held_fbi = UINT32_MAX;
    // Slot s holds `name`: 1 (and *inum, *slot set), 0 if not, or an error.
    auto matches = [&](uint32_t s) {
        dirent* de;
        if (int r = dir_slot(dir, s, hb, &de, &held_fbi); r < 0) {
            return r;
        }
        if (de->inum == 0 || !name_equal(de->name, name)) {
            return 0;
        }
        *inum = de->inum;
        if (slot) {
            *slot = s;
        }
        return 1;
    };
    int r = 0;
    if (dir_index* ix = index_for(dirnum, dir, excl)) {
        // Only the candidates with the name's hash, each checked on disk.
        uint32_t h = name_hash(name), cursor = 0, s;
        while (r == 0 && ix->find(h, cursor, &s)) {
            r = matches(s);
        }
    } else {
        uint32_t nslots = dir.size / direntsize;
        for (uint32_t s = 0; r == 0 && s != nslots; ++s) {
            r = matches(s);
        }
    }
    return r == 0 ? E_NOENT : (r < 0 ? r : 0);
}

// Writes an entry into the first empty slot, or appends one (growing the
// directory by a block when its last block is full): 0 and *slot.
int fs::dir_add(inode_ref& dir, inum_t dirnum, const char* name, inum_t inum, uint32_t* slot) {
    held_block hb(io_);
    uint32_t held_fbi = UINT32_MAX;
    uint32_t nslots = dir->size / direntsize;
    dirent* de = nullptr;
    dir_index* ix = index_for(dirnum, *dir, true);
    // Slots before the hint are known to be in use (the directory's lock
    // is held from the last change of the hint on); the index knows the
    // first empty slot exactly.
    uint32_t s = dirnum == dir_hint_inum_ && dir_hint_slot_ < nslots ? dir_hint_slot_ : 0;
    if (dirnum == dir_hint_inum_ && dir_hint_slot_ >= nslots) {
        s = nslots;
    }
    uint32_t expect = ix ? ix->first_free() : 0;
    if (ix) {
        s = expect;
    }
    for (; s != nslots; ++s) {
        if (int r = dir_slot(*dir, s, hb, &de, &held_fbi); r < 0) {
            index_changed(dirnum, false);
            return r;
        }
        if (de->inum == 0) {
            break;
        }
        de = nullptr;
    }
    uint32_t used = s;                  // the slot the new entry takes
    if (ix && used != expect) {
        ix->drop();                     // the disk disagrees: believe the disk
        ix = nullptr;
    }
    if (!de) {
        if (uint64_t(dir->size) + direntsize > maxsize) {
            return E_FBIG;
        }
        hb.release();
        // Growth that fails is undone (the size and the entries stay as
        // they were), so an index stays in step through E_NOSPC.
        if (int r = zero_tail(dir); r < 0) {
            index_changed(dirnum, false);
            return r;
        }
        if (int r = grow(dir, uint32_t(blocks_for(dir->size + direntsize))); r < 0) {
            index_changed(dirnum, r == E_NOSPC);
            return r;
        }
        if (int r = dir_slot(*dir, nslots, hb, &de); r < 0) {
            shrink(dir, uint32_t(blocks_for(dir->size)));
            index_changed(dirnum, false);
            return r;
        }
        dir.hb_.write_begin();
        dir->size += direntsize;
        dir.hb_.write_end();
    }
    hb.write_begin();
    set_name(de, name);
    de->inum = inum;
    hb.write_end();
    if (ix) {
        index_changed(dirnum, ix->insert(used, name));
    }
    dir_hint_inum_ = dirnum;
    dir_hint_slot_ = used + 1;
    *slot = used;
    return 0;
}

// Slot `slot` of directory `dirnum` was just emptied: a create may take it.
void fs::dir_slot_emptied(inum_t dirnum, uint32_t slot) {
    if (dirnum == dir_hint_inum_ && slot < dir_hint_slot_) {
        dir_hint_slot_ = slot;
    }
}

int fs::dir_lookup(inum_t dirnum, const char* name, inum_t* inum, uint32_t* slot) {
    inode_ref dir(io_);
    if (int r = get_inode(dirnum, dir); r < 0) {
        return r;
    }
    return dir_find(dirnum, *dir, name, inum, slot, false);
}

int fs::create(inum_t dirnum, const char* name, uint32_t type, inum_t* out) {
    if (!valid_name(name) || (type != type_regular && type != type_directory)) {
        return E_INVAL;
    }
    tx_scope tx(io_);
    inode_ref dir(io_);
    if (int r = get_inode(dirnum, dir); r < 0) {
        return r;
    }
    inum_t existing;
    int r = dir_find(dirnum, *dir, name, &existing, nullptr, true);
    if (r == 0) {
        return E_INVAL;                 // the caller checks first
    } else if (r != E_NOENT) {
        return r;
    }
    inum_t i;
    if ((r = alloc_inode(type, &i)) < 0) {
        return r;
    }
    inode_ref ir(io_);
    uint32_t slot;
    if ((r = dir_add(dir, dirnum, name, i, &slot)) == 0 && (r = get_inode(i, ir)) < 0) {
        // The entry was written but its inode cannot be reached: give the
        // slot back too.
        held_block eb(io_);
        dirent* de;
        bool cleared = false;
        if (dir_slot(*dir, slot, eb, &de) == 0) {
            eb.write_begin();
            __builtin_memset(de, 0, sizeof(*de));
            eb.write_end();
            dir_slot_emptied(dirnum, slot);
            cleared = true;
        }
        dir_index* ix = io_.index_of(dirnum);
        index_changed(dirnum, cleared && ix && ix->ready() ? ix->remove(slot, name) : !cleared);
    }
    if (r < 0) {
        // Give the inode back (it was only marked used).
        if (get_inode(i, ir) == 0) {
            ir.hb_.write_begin();
            __builtin_memset(ir.in_, 0, sizeof(inode));
            ir.hb_.write_end();
        }
        return r;
    }
    ir.hb_.write_begin();
    ir->nlink = 1;
    ir.hb_.write_end();
    *out = i;
    return 0;
}

// Drops one link of inode `inum`.
static int drop_link(fs& f, inum_t inum) {
    inode_ref ir(f.io_);
    if (int r = f.get_inode(inum, ir); r < 0) {
        return r;
    }
    if (ir->nlink > 0) {
        ir.hb_.write_begin();
        --ir->nlink;
        ir.hb_.write_end();
    }
    return 0;
}

int fs::unlink(inum_t dirnum, const char* name, inum_t* inum) {
    tx_scope tx(io_);
    inode_ref dir(io_);
    if (int r = get_inode(dirnum, dir); r < 0) {
        return r;
    }
    uint32_t slot;
    if (int r = dir_find(dirnum, *dir, name, inum, &slot, true); r < 0) {
        return r;
    }
    held_block eb(io_);
    dirent* de;
    if (int r = dir_slot(*dir, slot, eb, &de); r < 0) {
        return r;
    }
    eb.write_begin();
    __builtin_memset(de, 0, sizeof(*de));
    eb.write_end();
    eb.release();
    dir_slot_emptied(dirnum, slot);
    if (dir_index* ix = io_.index_of(dirnum); ix && ix->ready()) {
        index_changed(dirnum, ix->remove(slot, name));
    }
    return drop_link(*this, *inum);
}

int fs::rename(inum_t dirnum, const char* from, const char* to, inum_t* replaced) {
    *replaced = 0;
    if (!valid_name(to)) {
        return E_INVAL;
    }
    tx_scope tx(io_);
    inode_ref dir(io_);
    if (int r = get_inode(dirnum, dir); r < 0) {
        return r;
    }
    inum_t fi, ti;
    uint32_t fslot, tslot;
    if (int r = dir_find(dirnum, *dir, from, &fi, &fslot, true); r < 0) {
        return r;
    }
    held_block eb(io_);
    dirent* de;
    int r = dir_find(dirnum, *dir, to, &ti, &tslot, true);
    dir_index* ix = io_.index_of(dirnum);
    if (ix && !ix->ready()) {
        ix = nullptr;
    }
    if (r == E_NOENT) {
        // Renamed in place: one entry changes.
        if ((r = dir_slot(*dir, fslot, eb, &de)) < 0) {
            return r;
        }
        eb.write_begin();
        set_name(de, to);
        eb.write_end();
        if (ix) {
            index_changed(dirnum, ix->remove(fslot, from) && ix->insert(fslot, to));
        }
        return 0;
    } else if (r < 0) {
        return r;
    }
    if (tslot == fslot) {
        return 0;
    }
    // `to`'s entry now names `from`'s inode; `from`'s entry goes; the
    // inode `to` named loses a link. The index keeps `to` at tslot.
    if ((r = dir_slot(*dir, tslot, eb, &de)) < 0) {
        return r;
    }
    eb.write_begin();
    de->inum = fi;
    eb.write_end();
    if ((r = dir_slot(*dir, fslot, eb, &de)) < 0) {
        index_changed(dirnum, false);
        return r;
    }
    eb.write_begin();
    __builtin_memset(de, 0, sizeof(*de));
    eb.write_end();
    eb.release();
    dir_slot_emptied(dirnum, fslot);
    if (ix) {
        index_changed(dirnum, ix->remove(fslot, from));
    }
    if ((r = drop_link(*this, ti)) < 0) {
        return r;
    }
    if (ti != fi) {
        *replaced = ti;
    }
    return 0;
}

int fs::dir_entry(inum_t dirnum, size_t index, char* name, inum_t* inum) {
    inode_ref dir(io_);
    if (int r = get_inode(dirnum, dir); r < 0) {
        return r;
    }
    if (dir->type != type_directory) {
        return E_IO;
    }
    held_block hb(io_);
    uint32_t held_fbi = UINT32_MAX;
    uint32_t nslots = dir->size / direntsize;
    for (uint32_t s = 0; s != nslots; ++s) {
        dirent* de;
        if (int r = dir_slot(*dir, s, hb, &de, &held_fbi); r < 0) {
            return r;
        }
        if (de->inum == 0) {
            continue;
        }
        if (index-- == 0) {
            __builtin_memcpy(name, de->name, maxnamelen);
            name[maxnamelen] = '\0';
            *inum = de->inum;
            return 1;
        }
    }
    return 0;
}

// --- the bitmap ------------------------------------------------------------

namespace {

// Reads and writes bits of the bitmap, one bitmap block held at a time.
struct bitmap_cursor {
    const superblock& sb_;
    held_block hb_;
    bitmap_cursor(blockio& io, const superblock& sb) : sb_(sb), hb_(io) {}
    int hold(blocknum_t b) {
        return hb_.hold(sb_.fbb_bn + blocknum_t(b / bitsperblock));
    }
    int is_free(blocknum_t b, bool* f) {
        if (int r = hold(b); r < 0) {
            return r;
        }
        *f = bitmap_is_free(hb_.data(), b % bitsperblock);
        return 0;
    }
    // Free and reusable now (not quarantined by a journal).
    int is_allocatable(blocknum_t b, bool* f) {
        int r = is_free(b, f);
        *f = r == 0 && *f && hb_.io_.reusable(b);
        return r;
    }
    int set(blocknum_t b, bool f) {
        if (int r = hold(b); r < 0) {
            return r;
        }
        hb_.write_begin();
        bitmap_set_free(hb_.data(), b % bitsperblock, f);
        hb_.write_end();
        return 0;
    }
};

struct bitmap_lock {
    blockio& io_;
    explicit bitmap_lock(blockio& io) : io_(io) { io_.lock_bitmap(); }
    ~bitmap_lock() { io_.unlock_bitmap(); }
};

}  // namespace

int fs::bitmap_set(blocknum_t first, uint32_t count, bool free) {
    bitmap_cursor bc(io_, sb_);
    for (uint32_t i = 0; i != count; ++i) {
        if (int r = bc.set(first + i, free); r < 0) {
            return r;
        }
    }
    return 0;
}

int fs::alloc_run(blocknum_t hint, uint32_t want, bool exact, blocknum_t* first,
                  uint32_t* count) {
    if (want == 0) {
        return E_INVAL;
    }
    bitmap_lock lock(io_);
    bitmap_cursor bc(io_, sb_);
    blocknum_t lo = sb_.data_bn, hi = sb_.journal_bn;
    if (hint < lo || hint >= hi) {
        hint = lo;
    }
    // Two passes: [hint, hi), then [lo, hint) (a run may not cross hint
    // in the second pass, which only matters for the exact search).
    for (int pass = 0; pass != 2; ++pass) {
        blocknum_t b = pass == 0 ? hint : lo;
        blocknum_t end = pass == 0 ? hi : hint;
        while (b < end) {
            bool f;
            if (int r = bc.is_allocatable(b, &f); r < 0) {
                return r;
            }
            if (!f) {
                ++b;
                continue;
            }
            uint32_t len = 1;
            while (len < want && b + len < hi) {
                if (int r = bc.is_allocatable(b + len, &f); r < 0) {
                    return r;
                }
                if (!f) {
                    break;
                }
                ++len;
            }
            if (exact && len < want) {
                b += len + 1;
                continue;
            }
            if (int r = bitmap_set(b, len, false); r < 0) {
                return r;
            }
            *first = b;
            *count = len;
            alloc_hint_ = b + len < hi ? b + len : lo;
            return 0;
        }
    }
    return E_NOSPC;
}

int fs::alloc_at(blocknum_t bn) {
    if (!in_data(bn, 1)) {
        return E_NOSPC;
    }
    bitmap_lock lock(io_);
    bitmap_cursor bc(io_, sb_);
    bool f;
    if (int r = bc.is_allocatable(bn, &f); r < 0) {
        return r;
    }
    if (!f) {
        return E_NOSPC;
    }
    return bc.set(bn, false);
}

int fs::free_run(blocknum_t first, uint32_t count) {
    if (count == 0) {
        return 0;
    }
    if (!in_data(first, count)) {
        return E_IO;
    }
    bitmap_lock lock(io_);
    int r = bitmap_set(first, count, true);
    if (r == 0) {
        io_.freed(first, count);
    }
    return r;
}

int64_t fs::count_free() {
    bitmap_lock lock(io_);
    held_block hb(io_);
    int64_t n = 0;
    for (blocknum_t b = 0; b < sb_.nblocks; b += bitsperblock) {
        if (int r = hb.hold(sb_.fbb_bn + b / bitsperblock); r < 0) {
            return r;
        }
        uint64_t bits = min64(bitsperblock, sb_.nblocks - b);
        for (uint64_t i = 0; i < bits; ++i) {
            n += bitmap_is_free(hb.data(), blocknum_t(i));
        }
    }
    return n;
}

}  // namespace chkfs
