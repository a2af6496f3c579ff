// memviewer.cc — the physical memory viewer (see memviewer.hh).
//
// viewer_lock serializes switching and drawing (and guards `active` and
// the saved screen); inside it the drawing takes kalloc's lock, a leaf.
#include "memviewer.hh"
#include <atomic>
#include "abi/errno.hh"
#include "abi/user-memlayout.hh"
#include "cga.hh"
#include "kalloc.hh"
#include "kaddr.hh"
#include "printf.hh"
#include "spinlock.hh"
#include "string.hh"
#include "timer.hh"

namespace {

constexpr int rows = cga_rows - 1;
constexpr unsigned max_cells = rows * memviewer_columns;

spinlock viewer_lock;
std::atomic<bool> active = false;   // written under viewer_lock
uint16_t saved[cga_end];            // [viewer_lock] the text under the map
int saved_cursor;                   // [viewer_lock]

uint32_t* tags = nullptr;           // pid per page; set once at init
uint64_t tag_pages = 0;
unsigned cell_pages = 1;

struct cell {
    uint32_t owner;                 // a pid with a page here, or 0
    uint16_t kernel, free;          // page counts
};
cell cells[max_cells];              // [viewer_lock]

uint16_t* cga() { return pa2kptr<uint16_t>(CONSOLE_PAGE); }
volatile int& console_type() { return *pa2kptr<volatile int>(CONSOLE_TYPE_ADDR); }
volatile int& cga_cursor() { return *pa2kptr<volatile int>(CONSOLE_CURSORPOS_ADDR); }

void count_page(uint64_t pa, bool free, void*) {
    unsigned i = unsigned(pa / PAGESIZE / cell_pages);
    if (i >= max_cells) {
        return;
    }
    uint32_t owner = tags && pa / PAGESIZE < tag_pages
        ? __atomic_load_n(&tags[pa / PAGESIZE], __ATOMIC_RELAXED) : 0;
    if (free) {
        ++cells[i].free;
    } else if (owner) {
        if (!cells[i].owner) {
            cells[i].owner = owner;
        }
    } else {
        ++cells[i].kernel;
    }
}

uint16_t pid_attr(uint32_t pid) {
    static const uint8_t colours[] = {0x0C, 0x0A, 0x0E, 0x0B, 0x0D, 0x09, 0x0F, 0x02,
                                      0x06, 0x03, 0x05, 0x04};
    return uint16_t(colours[pid % sizeof(colours)]) << 8;
}

void put_text(int pos, const char* s, uint16_t attr) {
    for (; *s && pos < cga_end; ++s) {
        cga()[pos++] = attr | uint8_t(*s);
    }
}

void draw_locked() {
    memset(cells, 0, sizeof(cells));
    kalloc_for_each_page(count_page, nullptr);
    for (int i = 0; i < cga_end; ++i) {
        cga()[i] = 0x0700 | ' ';
    }
    char legend[cga_columns + 1];
    snprintf(legend, sizeof(legend), "PHYSICAL MEMORY  cell = %u page%s  . free  K kernel  "
             "1-9a-zA-Z pid", cell_pages, cell_pages == 1 ? "" : "s");
    put_text(0, legend, 0x0F00);
    uint64_t end = kalloc_managed_end();
    for (unsigned i = 0; i < max_cells && uint64_t(i) * cell_pages * PAGESIZE < end; ++i) {
        int row = 1 + int(i / memviewer_columns), column = int(i % memviewer_columns);
        if (column == 0) {
            char label[16];
            snprintf(label, sizeof(label), "0x%07lx",
                     (unsigned long) (uint64_t(i) * cell_pages * PAGESIZE));
            put_text(row * cga_columns, label, 0x0700);
        }
        uint16_t value;
        const cell& c = cells[i];
        if (c.owner) {
            value = pid_attr(c.owner) | uint8_t(memviewer_pid_char(pid_t(c.owner)));
        } else if (c.kernel && c.kernel >= c.free) {
            value = 0x7000 | 'K';
        } else if (c.free) {
            value = 0x0800 | '.';
        } else {
            value = 0x0700 | ' ';   // not managed: firmware, holes, kernel image
        }
        cga()[row * cga_columns + memviewer_first_column + column] = value;
    }
}

}  // namespace

char memviewer_pid_char(pid_t pid) {
    static const char chars[] = "123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    return pid <= 0 ? '?' : chars[(pid - 1) % (sizeof(chars) - 1)];
}

unsigned memviewer_cell_pages() {
    return cell_pages;
}

void memviewer_init() {
    uint64_t pages = kalloc_managed_end() / PAGESIZE;
    while ((pages + cell_pages - 1) / cell_pages > max_cells) {
        cell_pages *= 2;
    }
    tags = static_cast<uint32_t*>(kalloc_zeroed(pages * sizeof(uint32_t)));
    tag_pages = tags ? pages : 0;
}

void memviewer_tag(uint64_t pa, pid_t pid) {
    if (pa / PAGESIZE < tag_pages) {
        __atomic_store_n(&tags[pa / PAGESIZE], uint32_t(pid), __ATOMIC_RELAXED);
    }
}

int memviewer_set(int type) {
    if (type != CONSOLE_NORMAL && type != CONSOLE_MEMVIEWER) {
        return E_INVAL;
    }
    spinlock_guard guard(viewer_lock);
    console_type() = type;
    bool on = type == CONSOLE_MEMVIEWER;
    if (on && !active) {
        memcpy(saved, cga(), sizeof(saved));
        saved_cursor = cga_cursor();
        active = true;
    } else if (!on && active) {
        memcpy(cga(), saved, sizeof(saved));
        cga_cursor() = saved_cursor;
        active = false;
    }
    if (active) {
        draw_locked();
    }
    return 0;
}

void memviewer_toggle() {
    memviewer_set(active ? CONSOLE_NORMAL : CONSOLE_MEMVIEWER);
}

void memviewer_tick(uint64_t now) {
    if (!active || now % (hz / 10 ? hz / 10 : 1) != 0) {
        return;
    }
    spinlock_guard guard(viewer_lock);
    if (active) {
        draw_locked();
    }
}
