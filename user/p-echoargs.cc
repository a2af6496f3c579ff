// p-echoargs.cc — helper for tests/user/p-execv.cc (protocol in
// echoargs.hh): checks the arguments and the fresh image it was exec'd
// with, and reports through its exit status.
#include "u-lib.hh"
#include "echoargs.hh"

namespace {

// volatile: the compiler must not assume their initial values.
volatile int data_word = 0x5EED1234;
volatile char bss_block[8192];

[[noreturn]] void fail(int code, const char* why) {
    console_printf(CS_ERROR "echoargs: %s\n" CS_NORMAL, why);
    sys_exit(code);
}

bool on_stack_page(const void* p, size_t size) {
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    return a >= USER_STACK_PAGE && a < USER_STACK_TOP && size <= USER_STACK_TOP - a;
}

}  // namespace

void process_main(int argc, char** argv) {
    if (argc < 5) {
        fail(ECHOARGS_BAD_ARGC, "fewer than 5 arguments");
    }
    if (!on_stack_page(argv, sizeof(char*) * (argc + 1))) {
        fail(ECHOARGS_BAD_LOCATION, "argv is not on the stack page");
    }
    if (argv[argc] != nullptr) {
        fail(ECHOARGS_BAD_TERMINATOR, "argv[argc] is not null");
    }
    for (int i = 0; i < argc; ++i) {
        if (!argv[i] || !on_stack_page(argv[i], 1)
            || !on_stack_page(argv[i], strlen(argv[i]) + 1)) {
            fail(ECHOARGS_BAD_LOCATION, "an argument string is not on the stack page");
        }
    }
    if (strcmp(argv[0], "echoargs") != 0) {
        fail(ECHOARGS_BAD_NAME, "argv[0] is not echoargs");
    }
    if (strtol(argv[1], nullptr, 10) != argc) {
        fail(ECHOARGS_BAD_ARGC, "argc differs from the expected count");
    }
    if (strtol(argv[2], nullptr, 10) != sys_getppid()) {
        fail(ECHOARGS_BAD_PPID, "getppid differs from the exec'ing process's parent");
    }
    if (strtol(argv[3], nullptr, 10) != sys_getpid()) {
        fail(ECHOARGS_BAD_PID, "getpid changed across exec");
    }
    uint32_t crc = 0;
    for (int i = 5; i < argc; ++i) {
        crc = crc32c(crc, argv[i], strlen(argv[i]) + 1);
    }
    if (strtoul(argv[4], nullptr, 16) != crc) {
        fail(ECHOARGS_BAD_CRC, "payload checksum differs");
    }
    if (data_word != 0x5EED1234) {
        fail(ECHOARGS_BAD_IMAGE, "initialized data is not fresh");
    }
    for (char c : bss_block) {
        if (c != 0) {
            fail(ECHOARGS_BAD_IMAGE, "bss is not zero");
        }
    }
    if (sys_getusage(reinterpret_cast<usage*>(ECHOARGS_STALE_PAGE)) != E_FAULT) {
        fail(ECHOARGS_STALE_MAPPING, "a page of the old image is still mapped");
    }
    sys_exit(ECHOARGS_OK);
}
