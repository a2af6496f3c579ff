// mkchkfs.cc — host tool: build a chickadeefs disk image from files.
//
//   mkchkfs [-b BLOCKS] [-i INODES] [-j JOURNAL] [-w SWAP] [-f FIRSTDATA]
//           [-e MAXEXTENT] [-s BOOTSECTOR] [-J NAME] [-H NAME:FIRST+COUNT]...
//           -o IMAGE FILE[:NAME]...
//
// Each FILE goes into the root directory under NAME (default: its last
// path component), in the order given; the first lands at the first data
// block. The image is written to IMAGE.tmp and renamed, so a failure
// leaves IMAGE as it was. Zero blocks are not written (the file is sparse).
// -J NAME (for tests of journal replay) also journals a committed but not
// complete transaction rewriting NAME's first block (mkfs_journal_pending).
// -H NAME:FIRST+COUNT (for tests of holes, repeatable) leaves file blocks
// FIRST to FIRST+COUNT-1 of NAME unallocated: a hole extent, which must
// cover only zero bytes of the input.
// Easy to get wrong: numbers are parsed strictly (no trailing junk, no
// negative values), and reading an input file is checked for errors.
#include "chkfs-mkfs.hh"
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

const char* progname = "mkchkfs";

[[noreturn]] void usage(const char* why) {
    if (why) {
        fprintf(stderr, "%s: %s\n", progname, why);
    }
    fprintf(stderr, "usage: %s [-b BLOCKS] [-i INODES] [-j JOURNAL] [-w SWAP] [-f FIRSTDATA]\n"
            "       [-e MAXEXTENT] [-s BOOTSECTOR] [-J NAME] [-H NAME:FIRST+COUNT]...\n"
            "       -o IMAGE FILE[:NAME]...\n"
            "  -b  image size in 4096-byte blocks (default 32768)\n"
            "  -i  inode count (default: inode blocks up to block 16)\n"
            "  -j  journal blocks (default 64)\n"
            "  -w  swap blocks (default 0)\n"
            "  -f  fail unless the first file starts at this block\n"
            "  -e  split files into extents of at most this many blocks\n"
            "  -s  boot sector (at most 510 bytes) for block 0; also writes the 0x55AA signature\n"
            "  -J  (tests) leave a committed, not yet replayed transaction rewriting NAME's first block\n"
            "  -H  (tests) make file blocks FIRST..FIRST+COUNT-1 of NAME a hole (they must be zeros)\n",
            progname);
    exit(2);
}

uint32_t parse_number(const char* arg, char opt, uint64_t max) {
    char* end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 0);
    if (!*arg || *end || errno || arg[0] == '-' || v > max) {
        std::string why = std::string("bad -") + opt + " value '" + arg + "'";
        usage(why.c_str());
    }
    return uint32_t(v);
}

// -H NAME:FIRST+COUNT
struct hole_arg {
    const char* arg;
    std::string name;
    uint32_t first, count;
};

hole_arg parse_hole(const char* arg) {
    std::string s = arg;
    size_t colon = s.rfind(':'), plus = s.rfind('+');
    if (colon == s.npos || colon == 0 || plus == s.npos || plus < colon) {
        std::string why = std::string("bad -H value '") + arg + "' (want NAME:FIRST+COUNT)";
        usage(why.c_str());
    }
    std::string first = s.substr(colon + 1, plus - colon - 1), count = s.substr(plus + 1);
    return {arg, s.substr(0, colon), parse_number(first.c_str(), 'H', 0xFFFFFFFF),
            parse_number(count.c_str(), 'H', 0xFFFFFFFF)};
}

bool read_file(const std::string& path, std::vector<unsigned char>& out, std::string& why) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
        why = strerror(errno);
        return false;
    } else if (!S_ISREG(st.st_mode)) {
        why = "not a regular file";
        return false;
    }
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) {
        why = strerror(errno);
        return false;
    }
    out.clear();
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        out.insert(out.end(), buf, buf + n);
    }
    bool ok = !ferror(f);
    if (!ok) {
        why = "read error";
    }
    fclose(f);
    return ok;
}

bool write_image(const std::string& path, const std::vector<unsigned char>& image, std::string& why) {
    std::string tmp = path + ".tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        why = tmp + ": " + strerror(errno);
        return false;
    }
    bool ok = ftruncate(fd, off_t(image.size())) == 0;
    static const unsigned char zero[chkfs::blocksize] = {};
    for (size_t off = 0; ok && off < image.size(); off += chkfs::blocksize) {
        if (memcmp(image.data() + off, zero, chkfs::blocksize) != 0) {
            ok = pwrite(fd, image.data() + off, chkfs::blocksize, off_t(off)) == ssize_t(chkfs::blocksize);
        }
    }
    if (!ok) {
        why = tmp + ": " + strerror(errno);
    }
    if (close(fd) != 0 && ok) {
        why = tmp + ": " + strerror(errno);
        ok = false;
    }
    if (ok && rename(tmp.c_str(), path.c_str()) != 0) {
        why = path + ": " + strerror(errno);
        ok = false;
    }
    if (!ok) {
        unlink(tmp.c_str());
    }
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    mkfs_options opt;
    const char* output = nullptr;
    const char* bootsector = nullptr;
    const char* pending = nullptr;
    std::vector<hole_arg> holes;
    int c;
    while ((c = getopt(argc, argv, "b:i:j:w:f:e:s:o:J:H:h")) != -1) {
        switch (c) {
        case 'b': opt.nblocks = parse_number(optarg, 'b', 0xFFFFFFFF); break;
        case 'i': opt.ninodes = int32_t(parse_number(optarg, 'i', 0x7FFFFFFF)); break;
        case 'j': opt.njournal = parse_number(optarg, 'j', 0xFFFFFFFF); break;
        case 'w': opt.nswap = parse_number(optarg, 'w', 0xFFFFFFFF); break;
        case 'f': opt.first_data = parse_number(optarg, 'f', 0xFFFFFFFF); break;
        case 'e': opt.max_extent = parse_number(optarg, 'e', 0xFFFFFFFF); break;
        case 's': bootsector = optarg; break;
        case 'o': output = optarg; break;
        case 'J': pending = optarg; break;
        case 'H': holes.push_back(parse_hole(optarg)); break;
        default: usage(nullptr);
        }
    }
    if (!output) {
        usage("no output image (-o IMAGE)");
    }
    std::string why;
    if (bootsector) {
        opt.has_bootsector = true;
        if (!read_file(bootsector, opt.bootsector, why)) {
            fprintf(stderr, "%s: %s: %s\n", progname, bootsector, why.c_str());
            return 1;
        }
    }
    std::vector<mkfs_file> files;
    for (int i = optind; i < argc; ++i) {
        std::string arg = argv[i];
        std::string path = arg, name;
        size_t colon = arg.rfind(':');
        if (colon != arg.npos) {
            path = arg.substr(0, colon);
            name = arg.substr(colon + 1);
        } else {
            size_t slash = arg.rfind('/');
            name = slash == arg.npos ? arg : arg.substr(slash + 1);
        }
        mkfs_file f;
        f.name = name;
        if (!read_file(path, f.data, why)) {
            fprintf(stderr, "%s: %s: %s\n", progname, path.c_str(), why.c_str());
            return 1;
        }
        files.push_back(std::move(f));
    }
    for (auto& h : holes) {
        mkfs_file* f = nullptr;
        for (auto& x : files) {
            f = x.name == h.name ? &x : f;
        }
        if (!f) {
            fprintf(stderr, "%s: -H %s: no file named '%s'\n", progname, h.arg, h.name.c_str());
            return 1;
        }
        f->holes.push_back({h.first, h.count});
    }
    std::vector<unsigned char> image;
    try {
        why = mkfs_build(opt, files, image);
        if (why.empty() && pending) {
            why = mkfs_journal_pending(image, pending);
        }
    } catch (const std::bad_alloc&) {
        why = "not enough memory to build a " + std::to_string(opt.nblocks) + "-block image";
    }
    if (!why.empty()) {
        fprintf(stderr, "%s: %s\n", progname, why.c_str());
        return 1;
    }
    if (!write_image(output, image, why)) {
        fprintf(stderr, "%s: %s\n", progname, why.c_str());
        return 1;
    }
    return 0;
}
