// chkfs-mkfs.cc — building a chickadeefs image in memory (see chkfs-mkfs.hh).
//
// Easy to get wrong: block arithmetic is done in 64 bits so that huge
// option values fail a check instead of wrapping; a file of exactly N
// blocks uses N blocks, not N + 1; the root directory's size is a whole
// number of blocks (empty slots included), as Chickadee's tools make it.
#include "chkfs-mkfs.hh"
#include "chkfs-journal.hh"
#include <algorithm>
#include <cstring>
#include <set>

uint32_t crc32c(uint32_t crc, const void* buf, size_t sz);

using namespace chkfs;

namespace {

struct placed_file {
    uint32_t size;
    uint64_t nblocks;                   // data blocks on disk (holes excluded)
    uint64_t nindirect;                 // indirect-extent blocks
    uint64_t indirect_first;            // where they go: right after the data
    std::vector<extent> extents;        // extents in file order ({0, n}: a hole)
};

// Splits `nblocks` blocks starting at `first` into extents, appended to `out`.
void make_extents(std::vector<extent>& out, uint64_t first, uint64_t nblocks,
                  uint32_t max_extent) {
    uint64_t limit = max_extent ? max_extent : 0xFFFFFFFFULL;
    while (nblocks > 0) {
        uint64_t n = nblocks < limit ? nblocks : limit;
        out.push_back(extent{blocknum_t(first), uint32_t(n)});
        first += n;
        nblocks -= n;
    }
}

uint64_t indirect_blocks_for(uint64_t nextents) {
    return nextents > ndirect ? (nextents - ndirect + extentsperblock - 1) / extentsperblock : 0;
}

std::string fail(std::vector<unsigned char>& image, std::string why) {
    image.clear();
    image.shrink_to_fit();
    return why;
}

}  // namespace

std::string mkfs_check_name(const std::string& name) {
    if (name.empty()) {
        return "empty name";
    } else if (name.size() > maxnamelen) {
        return "name longer than " + std::to_string(maxnamelen) + " bytes";
    } else if (name == "." || name == "..") {
        return "name is reserved";
    } else if (name.find('/') != name.npos) {
        return "name contains '/'";
    } else if (name.find('\0') != name.npos) {
        return "name contains a NUL byte";
    }
    return "";
}

std::string mkfs_build(const mkfs_options& opt, const std::vector<mkfs_file>& files,
                       std::vector<unsigned char>& image) {
    image.clear();

    // Geometry, as Chickadee's mkchickadeefs computes it.
    if (opt.nblocks < 8 || opt.nblocks >= 0x10000000) {
        return fail(image, "image size " + std::to_string(opt.nblocks)
                    + " blocks out of range (8 to 268435455)");
    }
    superblock sb = {};
    sb.magic = chkfs::magic;
    sb.nblocks = opt.nblocks;
    sb.nswap = opt.nswap;
    sb.njournal = opt.njournal;
    sb.swap_bn = 1;
    uint64_t fbb_bn = uint64_t(sb.swap_bn) + opt.nswap;
    uint64_t nfbb = (uint64_t(opt.nblocks) + bitsperblock - 1) / bitsperblock;
    uint64_t inode_bn = fbb_bn + nfbb;
    int64_t ninodes = opt.ninodes;
    if (ninodes == 0) {
        ninodes = inode_bn <= 3 ? int64_t(16 - inode_bn) * inodesperblock : 16 * inodesperblock;
    }
    if (ninodes < 10) {
        return fail(image, "at least 10 inodes are needed (Chickadee's checker rejects fewer)");
    }
    uint64_t ninodeb = (uint64_t(ninodes) * inodesize + blocksize - 1) / blocksize;
    uint64_t data_bn = inode_bn + ninodeb;
    if (data_bn + opt.njournal > opt.nblocks) {
        return fail(image, "too few blocks: the layout needs at least "
                    + std::to_string(data_bn + opt.njournal) + " before any file");
    }
    if (opt.first_data && opt.first_data != data_bn) {
        return fail(image, "first data block would be " + std::to_string(data_bn)
                    + ", not " + std::to_string(opt.first_data) + " as requested");
    }
    sb.fbb_bn = blocknum_t(fbb_bn);
    sb.inode_bn = blocknum_t(inode_bn);
    sb.ninodes = inum_t(ninodes);
    sb.data_bn = blocknum_t(data_bn);
    sb.journal_bn = opt.nblocks - opt.njournal;

    if (opt.has_bootsector && opt.bootsector.size() > bootsector_size) {
        return fail(image, "boot sector is " + std::to_string(opt.bootsector.size())
                    + " bytes (at most " + std::to_string(bootsector_size) + ")");
    }

    // Names and sizes.
    if (uint64_t(files.size()) + 2 > uint64_t(ninodes)) {
        return fail(image, std::to_string(files.size()) + " files need "
                    + std::to_string(files.size() + 2) + " inodes; the image has "
                    + std::to_string(ninodes));
    }
    std::set<std::string> names;
    for (auto& f : files) {
        std::string why = mkfs_check_name(f.name);
        if (!why.empty()) {
            return fail(image, "\"" + f.name + "\": " + why);
        }
        if (!names.insert(f.name).second) {
            return fail(image, "\"" + f.name + "\": two files with this name");
        }
        if (f.data.size() > maxsize) {
            return fail(image, "\"" + f.name + "\": " + std::to_string(f.data.size())
                        + " bytes is larger than the format allows (" + std::to_string(maxsize) + ")");
        }
        // Holes: in order, inside the file, not overlapping, over zeros.
        uint64_t fblocks = (f.data.size() + blocksize - 1) / blocksize, past = 0;
        for (auto& h : f.holes) {
            std::string where = "\"" + f.name + "\": hole at block " + std::to_string(h.first)
                + " (+" + std::to_string(h.second) + ")";
            if (h.second == 0 || uint64_t(h.first) + h.second > fblocks) {
                return fail(image, where + " is empty or runs past the file's "
                            + std::to_string(fblocks) + " blocks");
            }
            if (h.first < past) {
                return fail(image, where + " overlaps or precedes the one before");
            }
            uint64_t from = uint64_t(h.first) * blocksize;
            uint64_t to = std::min<uint64_t>((uint64_t(h.first) + h.second) * blocksize, f.data.size());
            for (uint64_t i = from; i < to; ++i) {
                if (f.data[i] != 0) {
                    return fail(image, where + ": byte " + std::to_string(i)
                                + " is not zero (a hole reads as zeros)");
                }
            }
            past = uint64_t(h.first) + h.second;
        }
    }

    // Place every file, then the root directory.
    uint64_t next = data_bn;
    std::vector<placed_file> placed;
    auto place = [&](uint64_t size, const std::vector<std::pair<uint32_t, uint32_t>>& holes) {
        placed_file p;
        p.size = uint32_t(size);
        uint64_t fblocks = (size + blocksize - 1) / blocksize, fb = 0;
        p.nblocks = 0;
        for (size_t h = 0; h <= holes.size(); ++h) {
            uint64_t data_end = h < holes.size() ? holes[h].first : fblocks;
            make_extents(p.extents, next + p.nblocks, data_end - fb, opt.max_extent);
            p.nblocks += data_end - fb;
            if (h < holes.size()) {
                p.extents.push_back(extent{0, holes[h].second});
                fb = uint64_t(holes[h].first) + holes[h].second;
            }
        }
        p.nindirect = indirect_blocks_for(p.extents.size());
        p.indirect_first = next + p.nblocks;
        next += p.nblocks + p.nindirect;
        placed.push_back(std::move(p));
    };
    for (auto& f : files) {
        place(f.data.size(), f.holes);
    }
    uint64_t dir_blocks = (files.size() + direntsperblock - 1) / direntsperblock;
    if (dir_blocks == 0) {
        dir_blocks = 1;
    }
    place(dir_blocks * blocksize, {});
    if (next > sb.journal_bn) {
        return fail(image, "out of space: the files need " + std::to_string(next - data_bn)
                    + " data blocks; the image has " + std::to_string(sb.journal_bn - data_bn));
    }

    // Build.
    image.assign(size_t(opt.nblocks) * blocksize, 0);
    auto block = [&](uint64_t bn) { return image.data() + bn * blocksize; };
    if (opt.has_bootsector) {
        memcpy(image.data(), opt.bootsector.data(), opt.bootsector.size());
        image[510] = 0x55;
        image[511] = 0xAA;
    }
    memcpy(image.data() + superblock_offset, &sb, sizeof(sb));

    auto write_inode = [&](inum_t inum, uint32_t type, const placed_file& p) {
        inode in = {};
        in.type = type;
        in.size = p.size;
        in.nlink = 1;
        for (size_t i = 0; i != p.extents.size(); ++i) {
            if (i < ndirect) {
                in.direct[i] = p.extents[i];
            } else {
                auto* ind = reinterpret_cast<extent*>(block(p.indirect_first));
                ind[i - ndirect] = p.extents[i];
            }
        }
        if (p.nindirect) {
            in.indirect = extent{blocknum_t(p.indirect_first), uint32_t(p.nindirect)};
        }
        memcpy(block(sb.inode_bn) + size_t(inum) * inodesize, &in, sizeof(in));
    };
    auto write_data = [&](const placed_file& p, const unsigned char* data) {
        uint64_t pos = 0;
        for (auto& e : p.extents) {
            uint64_t n = std::min<uint64_t>(uint64_t(e.count) * blocksize, p.size - pos);
            if (e.first != 0 && n) {
                memcpy(block(e.first), data + pos, n);
            }
            pos += n;
        }
    };

    std::vector<dirent> root(dir_blocks * direntsperblock);
    for (size_t i = 0; i != files.size(); ++i) {
        inum_t inum = inum_t(i + 2);
        write_inode(inum, type_regular, placed[i]);
        write_data(placed[i], files[i].data.data());
        root[i].inum = inum;
        memcpy(root[i].name, files[i].name.data(), files[i].name.size());
    }
    write_inode(root_inum, type_directory, placed.back());
    write_data(placed.back(), reinterpret_cast<const unsigned char*>(root.data()));

    // Free blocks: everything from the first unused data block to the journal.
    unsigned char* fbb = block(sb.fbb_bn);
    for (uint64_t b = next; b < sb.journal_bn; ++b) {
        bitmap_set_free(fbb, blocknum_t(b), true);
    }
    return "";
}

std::vector<unsigned char> mkfs_pending_block(const std::string& name) {
    std::string line = "replayed by the journal: " + name + "\n";
    std::vector<unsigned char> b(blocksize);
    for (size_t i = 0; i != blocksize; ++i) {
        b[i] = (unsigned char) line[i % line.size()];
    }
    return b;
}

std::string mkfs_journal_pending(std::vector<unsigned char>& image, const std::string& name) {
    superblock sb;
    memcpy(&sb, image.data() + superblock_offset, sizeof(sb));
    if (sb.njournal < 3) {
        return "the journal is too small for a pending transaction";
    }
    auto block = [&](uint64_t bn) { return image.data() + bn * blocksize; };
    const inode* root = reinterpret_cast<const inode*>(block(sb.inode_bn)) + root_inum;
    const dirent* de = reinterpret_cast<const dirent*>(block(root->direct[0].first));
    blocknum_t target = 0;
    for (size_t i = 0; i != root->size / direntsize; ++i) {
        if (de[i].inum != 0 && name == de[i].name) {
            const inode* in = reinterpret_cast<const inode*>(block(sb.inode_bn)) + de[i].inum;
            target = in->size ? in->direct[0].first : 0;
        }
    }
    if (target == 0) {
        return "no non-empty file named '" + name + "' for the pending transaction";
    }
    auto data = mkfs_pending_block(name);
    jmetablock mb = {};
    mb.magic = journalmagic;
    mb.seq = 1;
    mb.tid = 1;
    mb.commit_boundary = 1;
    mb.complete_boundary = 1;
    mb.flags = jf_meta | jf_start;
    mb.nref = 1;
    mb.ref[0].bn = target;
    mb.ref[0].bchecksum = crc32c(0, data.data(), blocksize);
    seal_metablock(&mb);
    memcpy(block(sb.journal_bn), &mb, blocksize);
    memcpy(block(sb.journal_bn + 1), data.data(), blocksize);
    mb = {};
    mb.magic = journalmagic;
    mb.seq = 2;
    mb.tid = 1;
    mb.commit_boundary = 2;
    mb.complete_boundary = 1;
    mb.flags = jf_meta | jf_commit;
    seal_metablock(&mb);
    memcpy(block(sb.journal_bn + 2), &mb, blocksize);
    return "";
}
