// test_files.hh — reading build outputs (obj/user/*, obj/initfs.img) from
// host tests. Tests run from the repository root (the Makefile builds
// those files before the test binary).
#pragma once
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

inline std::vector<uint8_t> read_build_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}
