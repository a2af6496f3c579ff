// ktest.cc — finding registered in-kernel tests (see ktest.hh).
#include "ktest.hh"
#include "string.hh"

extern "C" const ktest ktests_start[], ktests_end[];

const ktest* ktest_find(const char* name) {
    for (const ktest* t = ktests_start; t < ktests_end; ++t) {
        if (strcmp(t->name, name) == 0) {
            return t;
        }
    }
    return nullptr;
}
