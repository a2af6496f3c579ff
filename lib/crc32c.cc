// crc32c.cc — CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
//
// The table is computed at compile time. Easy to get wrong: the running
// value is inverted on entry and exit, which is what makes piecewise
// computation (passing a previous result back in) compose.
#include "lib.hh"

namespace {

struct crc_table {
    uint32_t entry[256];
    constexpr crc_table() : entry() {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int bit = 0; bit < 8; ++bit) {
                c = (c & 1) ? (c >> 1) ^ 0x82F63B78U : c >> 1;
            }
            entry[i] = c;
        }
    }
};
constexpr crc_table table;

}  // namespace

uint32_t crc32c(uint32_t crc, const void* buf, size_t sz) {
    auto* p = static_cast<const unsigned char*>(buf);
    crc = ~crc;
    while (sz-- > 0) {
        crc = table.entry[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    }
    return ~crc;
}
