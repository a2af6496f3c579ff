// string_test.cc — lib/string.cc's block functions against a byte-by-byte
// model, for every length up to 80 bytes at every alignment of source and
// destination, plus whole pages; memmove in both overlapping directions.
// Each buffer has guard bytes on both sides that must survive.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "host_names.hh"

namespace {

constexpr size_t guard = 16;

std::vector<unsigned char> pattern(size_t n, unsigned seed) {
    std::vector<unsigned char> v(n);
    for (size_t i = 0; i < n; ++i) {
        v[i] = (unsigned char) (i * 131 + seed * 7 + 1);
    }
    return v;
}

TEST(String, MemcpyEveryLengthAndAlignment) {
    std::vector<size_t> lengths{4096, 4099};
    for (size_t n = 0; n <= 80; ++n) {
        lengths.push_back(n);
    }
    for (size_t n : lengths) {
        for (size_t da = 0; da < 16; ++da) {
            for (size_t sa = 0; sa < 16; ++sa) {
                auto src = pattern(n + 2 * guard + 16, 1);
                auto dst = pattern(n + 2 * guard + 16, 2);
                auto want = dst;
                std::copy(src.begin() + guard + sa, src.begin() + guard + sa + n,
                          want.begin() + guard + da);
                void* r = nh_memcpy(dst.data() + guard + da, src.data() + guard + sa, n);
                ASSERT_EQ(r, dst.data() + guard + da);
                ASSERT_EQ(dst, want) << "n " << n << " dst+" << da << " src+" << sa;
            }
        }
    }
}

TEST(String, MemsetEveryLengthAndAlignment) {
    for (size_t n = 0; n <= 80; ++n) {
        for (size_t a = 0; a < 16; ++a) {
            for (int c : {0, 0xA5, -1, 0x1234}) {
                std::vector<unsigned char> buf(n + 2 * guard + 16, 0x5A);
                auto want = buf;
                for (size_t i = 0; i < n; ++i) {
                    want[guard + a + i] = (unsigned char) c;
                }
                void* r = nh_memset(buf.data() + guard + a, c, n);
                ASSERT_EQ(r, buf.data() + guard + a);
                ASSERT_EQ(buf, want) << "n " << n << " at +" << a << " c " << c;
            }
        }
    }
}

TEST(String, MemsetPage) {
    std::vector<unsigned char> page(4096 + 2 * guard, 0x77);
    nh_memset(page.data() + guard, 0, 4096);
    for (size_t i = 0; i < page.size(); ++i) {
        ASSERT_EQ(page[i], i < guard || i >= guard + 4096 ? 0x77 : 0) << i;
    }
}

// Overlapping moves in both directions, every shift from -20 to 20.
TEST(String, MemmoveOverlap) {
    for (size_t n : {0, 1, 7, 8, 9, 33, 100, 4096}) {
        for (int shift = -20; shift <= 20; ++shift) {
            size_t size = n + 64;
            auto buf = pattern(size, 3);
            auto want = buf;
            size_t from = 24, to = size_t(int(from) + shift);
            std::vector<unsigned char> tmp(buf.begin() + from, buf.begin() + from + n);
            std::copy(tmp.begin(), tmp.end(), want.begin() + to);
            void* r = nh_memmove(buf.data() + to, buf.data() + from, n);
            ASSERT_EQ(r, buf.data() + to);
            ASSERT_EQ(buf, want) << "n " << n << " shift " << shift;
        }
    }
}

}  // namespace
