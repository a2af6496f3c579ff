// chkfs-journal.cc — analysing a chickadeefs journal (see chkfs-journal.hh
// and docs/chickadeefs.md for the rules checked).
//
// Order of work: find the usable metablocks (magic, checksum, flags, nref,
// data blocks that are neither metablocks nor corrupt); sort them by seq
// and start after the widest gap of the 16-bit circle; check the rules
// between neighbours; check that every transaction in the last metablock's
// [complete, commit) window is whole; check that those transactions only
// write below the journal. journal_plan then picks, per home block, the
// latest journaled copy.
// Easy to get wrong: nref and every home block number are untrusted; a
// record's data blocks wrap around the end of the ring; the "latest copy"
// rule is about reference order across all window transactions, and a
// later non-journaled reference cancels an earlier copy.
#include "chkfs-journal.hh"
#include "printf.hh"

uint32_t crc32c(uint32_t crc, const void* buf, size_t sz);

namespace chkfs {

bool looks_like_metablock(const unsigned char* p) {
    uint64_t m;
    uint32_t c;
    __builtin_memcpy(&m, p, sizeof(m));
    __builtin_memcpy(&c, p + offsetof(jmetablock, checksum), sizeof(c));
    return m == journalmagic
        && (c == nochecksum
            || c == crc32c(0, p + metablock_checksum_offset, blocksize - metablock_checksum_offset));
}

void seal_metablock(jmetablock* mb) {
    auto* p = reinterpret_cast<const unsigned char*>(mb);
    mb->checksum = crc32c(0, p + metablock_checksum_offset, blocksize - metablock_checksum_offset);
}

bool block_needs_escape(const unsigned char* block) {
    uint64_t m;
    __builtin_memcpy(&m, block, sizeof(m));
    return m == journalmagic;
}
void escape_block(unsigned char* block) {
    __builtin_memset(block, 0, sizeof(uint64_t));
}
void unescape_block(unsigned char* block) {
    uint64_t m = journalmagic;
    __builtin_memcpy(block, &m, sizeof(m));
}

namespace {

struct reporter {
    journal_scan& js;
    journal_sink& sink;
    char buf[256];

    __attribute__((format(printf, 2, 3))) void bad(const char* fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        js.bad = true;
        sink.bad(buf);
    }
    __attribute__((format(printf, 2, 3))) void ignored(const char* fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        sink.ignored(buf);
    }
};

// Why metablock `bi` cannot be used, in `why` (empty: usable). A record
// longer than the journal is a broken rule, not a skipped metablock.
void judge(journal_scan& js, reporter& r, unsigned bi, const jmetablock* mb, char* why, size_t whysz) {
    why[0] = 0;
    if (mb->flags & (jf_error | jf_corrupt)) {
        snprintf(why, whysz, "it is flagged as an error");
    } else if (!(mb->flags & jf_meta)) {
        snprintf(why, whysz, "it lacks the meta flag");
    } else if (mb->nref > ref_size) {
        snprintf(why, whysz, "it has %u references (at most %zu)", unsigned(mb->nref), ref_size);
    } else {
        unsigned k = 0;
        for (unsigned i = 0; i != mb->nref && !why[0]; ++i) {
            const jblockref& ref = mb->ref[i];
            if (ref.bflags & jbf_nonjournaled) {
                continue;
            }
            if (k + 1 >= js.njournal) {
                r.bad("journal: block %u: metablock references more data blocks than the journal holds", bi);
                return;
            }
            const unsigned char* d = js.data_block(bi, k);
            unsigned di = (bi + 1 + k) % js.njournal;
            if (looks_like_metablock(d)) {
                snprintf(why, whysz, "its data block %u looks like a metablock", di);
            } else if (ref.bchecksum != nochecksum && ref.bchecksum != crc32c(0, d, blocksize)) {
                snprintf(why, whysz, "its data block %u (for block %u) fails its checksum", di, ref.bn);
            }
            ++k;
        }
    }
}

}  // namespace

bool journal_analyze(journal_scan& js, journal_sink& sink) {
    reporter r{js, sink, {}};
    js.nmeta = 0;
    js.bad = false;
    js.complete = js.commit = 0;
    if (js.njournal == 0) {
        return true;
    }

    // Usable metablocks, by journal position.
    char why[128];
    for (unsigned bi = 0; bi != js.njournal; ++bi) {
        if (!looks_like_metablock(js.blocks[bi])) {
            continue;
        }
        auto* mb = reinterpret_cast<const jmetablock*>(js.blocks[bi]);
        judge(js, r, bi, mb, why, sizeof(why));
        if (why[0]) {
            r.ignored("journal block %u: metablock seq %u (transaction %u) ignored: %s",
                      bi, unsigned(mb->seq), unsigned(mb->tid), why);
            continue;
        }
        js.metas[js.nmeta++] = {bi, mb};
    }
    if (js.bad || js.nmeta == 0) {
        return !js.bad;
    }

    // Order by seq modulo 2^16: sort numerically (insertion sort: there are
    // at most njournal), then start after the widest gap of the circle.
    journal_meta* m = js.metas;
    unsigned n = js.nmeta;
    for (unsigned i = 1; i < n; ++i) {
        journal_meta x = m[i];
        unsigned j = i;
        for (; j > 0 && m[j - 1].mb->seq > x.mb->seq; --j) {
            m[j] = m[j - 1];
        }
        m[j] = x;
    }
    unsigned start = 0, widest = 0;
    for (unsigned i = 0; i != n; ++i) {
        unsigned next = m[(i + 1) % n].mb->seq;
        unsigned gap = (next - m[i].mb->seq) & 0xFFFF;
        if (gap == 0 && n > 1 && i + 1 == n) {
            gap = 0x10000;
        }
        if (gap > widest) {
            widest = gap;
            start = (i + 1) % n;
        }
    }
    // Rotate left by `start` (three reversals).
    auto reverse = [&](unsigned a, unsigned b) {
        while (a + 1 < b) {
            journal_meta t = m[a];
            m[a] = m[b - 1];
            m[b - 1] = t;
            ++a;
            --b;
        }
    };
    reverse(0, start);
    reverse(start, n);
    reverse(0, n);

    // Rules between metablocks.
    for (unsigned i = 0; i != n; ++i) {
        const jmetablock* cur = m[i].mb;
        unsigned bi = m[i].bi;
        if (i != 0) {
            const jmetablock* last = m[i - 1].mb;
            if (cur->seq == last->seq) {
                r.bad("journal: block %u: sequence number %u appears twice", bi, unsigned(cur->seq));
            }
            if (tid_lt(cur->commit_boundary, last->commit_boundary)) {
                r.bad("journal: block %u: commit boundary moves back from %u to %u", bi,
                      unsigned(last->commit_boundary), unsigned(cur->commit_boundary));
            }
            if (tid_lt(cur->complete_boundary, last->complete_boundary)) {
                r.bad("journal: block %u: complete boundary moves back from %u to %u", bi,
                      unsigned(last->complete_boundary), unsigned(cur->complete_boundary));
            }
        }
        if (tid_gt(cur->complete_boundary, cur->commit_boundary)) {
            r.bad("journal: block %u: complete boundary %u is past commit boundary %u", bi,
                  unsigned(cur->complete_boundary), unsigned(cur->commit_boundary));
        }
        if (cur->nref && i != 0 && tid_lt(cur->tid, m[i - 1].mb->commit_boundary)) {
            r.bad("journal: block %u: adds references to transaction %u, which an earlier metablock committed",
                  bi, unsigned(cur->tid));
        }
        if (cur->nref && tid_lt(cur->tid, cur->complete_boundary)) {
            r.bad("journal: block %u: adds references to transaction %u, which is already complete",
                  bi, unsigned(cur->tid));
        }
        if ((cur->flags & jf_complete) && tid_ge(cur->tid, cur->complete_boundary)) {
            r.bad("journal: block %u: transaction %u marked complete but not below complete boundary %u",
                  bi, unsigned(cur->tid), unsigned(cur->complete_boundary));
        }
        if ((cur->flags & jf_commit) && tid_ge(cur->tid, cur->commit_boundary)) {
            r.bad("journal: block %u: transaction %u marked committed but not below commit boundary %u",
                  bi, unsigned(cur->tid), unsigned(cur->commit_boundary));
        }
    }
    if (js.bad) {
        return false;
    }

    // Every transaction in [complete, commit) must be whole in the journal.
    tid_t complete = m[n - 1].mb->complete_boundary;
    tid_t commit = m[n - 1].mb->commit_boundary;
    for (tid_t t = complete; t != commit; ++t) {
        unsigned seen = 0;
        for (unsigned i = 0; i != n; ++i) {
            const jmetablock* mb = m[i].mb;
            if (seen && !(seen & jf_commit) && mb->seq != tid_t(m[i - 1].mb->seq + 1)) {
                r.bad("journal: transaction %u: metablock missing between sequence numbers %u and %u",
                      unsigned(t), unsigned(m[i - 1].mb->seq), unsigned(mb->seq));
            }
            if (mb->tid != t) {
                continue;
            }
            if (bool(mb->flags & jf_start) != (seen == 0)) {
                r.bad("journal: block %u: transaction %u: start flag %s", m[i].bi, unsigned(t),
                      seen ? "on a later metablock" : "missing on its first metablock");
            }
            if ((seen & jf_commit) && mb->nref != 0) {
                r.bad("journal: block %u: transaction %u adds references after its commit",
                      m[i].bi, unsigned(t));
            }
            if (mb->flags & jf_complete) {
                r.bad("journal: block %u: transaction %u marked complete below the complete boundary",
                      m[i].bi, unsigned(t));
            }
            seen |= mb->flags;
        }
        if (!(seen & jf_commit)) {
            r.bad("journal: transaction %u lies below commit boundary %u but its commit is not in the journal",
                  unsigned(t), unsigned(commit));
        }
    }
    if (js.bad) {
        return false;
    }

    // Transactions to replay write only below the journal.
    js.complete = complete;
    js.commit = commit;
    for (unsigned i = 0; i != n; ++i) {
        const jmetablock* mb = m[i].mb;
        if (!js.replays(mb->tid)) {
            continue;
        }
        for (unsigned k = 0; k != mb->nref; ++k) {
            if (mb->ref[k].bn >= js.journal_bn) {
                r.bad("journal: block %u: transaction %u writes block %u, which is not below the journal (%u)",
                      m[i].bi, unsigned(mb->tid), mb->ref[k].bn, js.journal_bn);
            }
        }
    }
    return !js.bad;
}

unsigned journal_plan(const journal_scan& js,
                      void (*home)(void* ctx, blocknum_t bn, const unsigned char* data, bool escaped),
                      void* ctx) {
    if (js.bad) {
        return 0;
    }
    unsigned count = 0;
    for (unsigned i = 0; i != js.nmeta; ++i) {
        const jmetablock* mb = js.metas[i].mb;
        if (!js.replays(mb->tid)) {
            continue;
        }
        unsigned k = 0;
        for (unsigned r = 0; r != mb->nref; ++r) {
            const jblockref& ref = mb->ref[r];
            if (ref.bflags & jbf_nonjournaled) {
                continue;
            }
            const unsigned char* data = js.data_block(js.metas[i].bi, k++);
            // Superseded by a later reference to the same block (in this
            // metablock or a later window metablock)?
            bool later = false;
            for (unsigned j = i; j != js.nmeta && !later; ++j) {
                const jmetablock* lb = js.metas[j].mb;
                if (!js.replays(lb->tid)) {
                    continue;
                }
                for (unsigned s = (j == i ? r + 1 : 0); s < lb->nref && !later; ++s) {
                    later = lb->ref[s].bn == ref.bn;
                }
            }
            if (!later) {
                home(ctx, ref.bn, data, ref.bflags & jbf_escaped);
                ++count;
            }
        }
    }
    return count;
}

}  // namespace chkfs
