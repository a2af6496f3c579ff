// chkfs-dirindex.cc — the in-memory directory index (chkfs-dirindex.hh):
// an open-addressing hash table (linear probing, deletion by shifting the
// following entries back, so no tombstones) of (hash, slot) pairs, and a
// bitmap of used slots. Compiled into the kernel and the host tests, so
// only compiler builtins.
//
// Easy to get wrong: after a removal the entries of the same probe run
// must stay reachable from their home position (the backward shift moves
// an entry only if its home is not between the hole and it, cyclically);
// the table is kept at most half full, so every probe ends at an empty
// entry.
#include "chkfs-dirindex.hh"

namespace chkfs {

uint32_t name_hash(const char* name) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i <= maxnamelen && name[i]; ++i) {
        h = (h ^ uint32_t(uint8_t(name[i]))) * 16777619u;
    }
    return h;
}

namespace {
// Mixes the hash before it picks a home position: FNV's low bits are
// weak for names that differ only in their last characters.
inline uint32_t home(uint32_t h, uint32_t cap) {
    h ^= h >> 16;
    h *= 0x7feb352dU;
    h ^= h >> 15;
    return h & (cap - 1);
}
}  // namespace

bool dir_index::claim(uint32_t nslots) {
    if (nslots > max_slots) {
        return false;
    }
    int expected = st_empty;
    if (!__atomic_compare_exchange_n(&state_, &expected, st_building, false,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        return false;
    }
    uint32_t cap = 32;
    while (cap < 2 * nslots) {
        cap *= 2;
    }
    nslots_ = 0;
    count_ = 0;
    if (!rehash(cap) || !grow_bitmap(nslots)) {
        drop();
        return false;
    }
    nslots_ = nslots;
    return true;
}

void dir_index::drop() {
    if (table_) {
        mem_.release(table_);
    }
    if (used_) {
        mem_.release(used_);
    }
    table_ = nullptr;
    used_ = nullptr;
    cap_ = count_ = words_ = nslots_ = 0;
    __atomic_store_n(&state_, st_empty, __ATOMIC_RELEASE);
}

// Moves the entries into a new table of `cap` entries.
bool dir_index::rehash(uint32_t cap) {
    auto* t = static_cast<entry*>(mem_.allocate(sizeof(entry) * cap));
    if (!t) {
        return false;
    }
    __builtin_memset(t, 0, sizeof(entry) * cap);
    for (uint32_t i = 0; i != cap_; ++i) {
        if (table_[i].slot1) {
            uint32_t p = home(table_[i].hash, cap);
            while (t[p].slot1) {
                p = (p + 1) & (cap - 1);
            }
            t[p] = table_[i];
        }
    }
    if (table_) {
        mem_.release(table_);
    }
    table_ = t;
    cap_ = cap;
    return true;
}

// Makes the bitmap cover `nslots` slots (new slots unused).
bool dir_index::grow_bitmap(uint32_t nslots) {
    uint32_t need = (nslots + 63) / 64;
    if (need <= words_ && used_) {
        return true;
    }
    uint32_t words = words_ ? words_ : 4;
    while (words < need) {
        words *= 2;
    }
    auto* u = static_cast<uint64_t*>(mem_.allocate(sizeof(uint64_t) * words));
    if (!u) {
        return false;
    }
    __builtin_memset(u, 0, sizeof(uint64_t) * words);
    if (used_) {
        __builtin_memcpy(u, used_, sizeof(uint64_t) * words_);
        mem_.release(used_);
    }
    used_ = u;
    words_ = words;
    return true;
}

bool dir_index::insert(uint32_t slot, const char* name) {
    if (slot >= max_slots) {
        return false;
    }
    if (slot >= nslots_) {
        if (!grow_bitmap(slot + 1)) {
            return false;
        }
        nslots_ = slot + 1;
    }
    if (2 * (count_ + 1) > cap_ && !rehash(cap_ * 2)) {
        return false;
    }
    uint32_t h = name_hash(name);
    uint32_t p = home(h, cap_);
    while (table_[p].slot1) {
        p = (p + 1) & (cap_ - 1);
    }
    table_[p].hash = h;
    table_[p].slot1 = slot + 1;
    ++count_;
    used_[slot / 64] |= uint64_t(1) << (slot % 64);
    return true;
}

bool dir_index::remove(uint32_t slot, const char* name) {
    if (!table_ || !slot_used(slot)) {
        return false;
    }
    uint32_t h = name_hash(name);
    uint32_t p = home(h, cap_);
    while (table_[p].slot1 && table_[p].slot1 != slot + 1) {
        p = (p + 1) & (cap_ - 1);
    }
    if (!table_[p].slot1) {
        return false;
    }
    // Backward shift: pull later entries of the run into the hole when
    // their home position allows it.
    uint32_t hole = p;
    uint32_t q = (p + 1) & (cap_ - 1);
    while (table_[q].slot1) {
        uint32_t hq = home(table_[q].hash, cap_);
        // Can the entry at q move to `hole`? Only if its home is not in
        // the cyclic range (hole, q].
        bool home_after_hole = hole <= q ? (hq > hole && hq <= q) : (hq > hole || hq <= q);
        if (!home_after_hole) {
            table_[hole] = table_[q];
            hole = q;
        }
        q = (q + 1) & (cap_ - 1);
    }
    table_[hole].slot1 = 0;
    table_[hole].hash = 0;
    --count_;
    used_[slot / 64] &= ~(uint64_t(1) << (slot % 64));
    return true;
}

bool dir_index::find(uint32_t h, uint32_t& cursor, uint32_t* slot) const {
    if (!table_) {
        return false;
    }
    // cursor: probes done so far from the home position.
    uint32_t p = (home(h, cap_) + cursor) & (cap_ - 1);
    while (cursor < cap_ && table_[p].slot1) {
        ++cursor;
        if (table_[p].hash == h) {
            *slot = table_[p].slot1 - 1;
            return true;
        }
        p = (p + 1) & (cap_ - 1);
    }
    return false;
}

uint32_t dir_index::first_free() const {
    for (uint32_t w = 0; w * 64 < nslots_; ++w) {
        if (~used_[w]) {
            uint32_t s = w * 64 + uint32_t(__builtin_ctzll(~used_[w]));
            return s < nslots_ ? s : nslots_;
        }
    }
    return nslots_;
}

}  // namespace chkfs
