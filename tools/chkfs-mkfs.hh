// chkfs-mkfs.hh — building a chickadeefs image in memory (host only; used
// by tools/mkchkfs.cc and the host tests).
//
// Layout (docs/chickadeefs.md): block 0, swap, bitmap, inodes, then the
// files in the order given, each contiguous (the first one starts at
// data_bn: Chickadee's boot loader expects its kernel there), each file's
// indirect-extent block(s) right after its data, the root directory last,
// free space, the journal (zeroed). A file may ask for holes
// (mkfs_file::holes): its data extents then skip those blocks.
// Easy to get wrong: every limit is checked before anything is built, and
// a failed build leaves `image` empty, so the caller writes nothing.
#pragma once
#include "abi/chickadeefs.hh"
#include <utility>
#include <string>
#include <vector>

struct mkfs_file {
    std::string name;                   // name in the root directory
    std::vector<unsigned char> data;
    // Holes: runs of file blocks {first file block, count} that get no
    // disk block (an extent {0, count}, read as zeros). Each lies inside
    // the file's blocks, none overlap, and the file's bytes there are zero
    // (otherwise the image would not hold the file).
    std::vector<std::pair<uint32_t, uint32_t>> holes;

    mkfs_file() = default;
    mkfs_file(std::string n, std::vector<unsigned char> d,
              std::vector<std::pair<uint32_t, uint32_t>> h = {})
        : name(std::move(n)), data(std::move(d)), holes(std::move(h)) {}
};

struct mkfs_options {
    uint32_t nblocks = 32768;           // whole image, in blocks
    int32_t ninodes = 0;                // 0: fill the blocks up to block 16 (Chickadee's default)
    uint32_t njournal = 64;
    uint32_t nswap = 0;
    uint32_t first_data = 0;            // nonzero: require data_bn to be this block
    uint32_t max_extent = 0;            // nonzero: split files into extents of at most this many blocks
    bool has_bootsector = false;
    std::vector<unsigned char> bootsector;  // at most 510 bytes
};

// Builds the image. Returns "" on success, else the reason (and `image`
// is left empty).
std::string mkfs_build(const mkfs_options& opt, const std::vector<mkfs_file>& files,
                       std::vector<unsigned char>& image);

// Is `name` a valid directory-entry name? Returns "" or the reason.
std::string mkfs_check_name(const std::string& name);

// For tests of journal replay: journals, at the start of the journal, a
// committed but not complete transaction (a start metablock, one copy, a
// commit metablock) that replaces the first block of file `name` with the
// text "replayed by the journal: NAME\n" repeated over the whole block. The
// home block is left as it was, so mounting (or chkfsck) must replay it.
// Returns "" or the reason (no such file, empty file, no journal).
std::string mkfs_journal_pending(std::vector<unsigned char>& image, const std::string& name);
// The block that transaction writes home.
std::vector<unsigned char> mkfs_pending_block(const std::string& name);
