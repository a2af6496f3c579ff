// p-execv.cc — sys_execv with arguments, and failed execs.
//
// Successful execs: a forked child maps an extra page, then execv's the
// helper `echoargs` (user/p-echoargs.cc, protocol in user/echoargs.hh),
// which checks argc, argv[argc] == nullptr, every string (by checksum),
// that argv and the strings are on the stack page, that pid and ppid are
// unchanged, that its data and bss are fresh, and that the extra page of
// the old image is gone; it exits with ECHOARGS_OK. Cases: the two-argument
// form; the three-argument form with an argv array longer than argc (only
// argc strings reach the program); an empty string; 40 arguments; one
// argument of 1000 bytes.
//
// Failed execs return an error and the process carries on with its memory
// intact: a nonexistent program → E_NOENT; an empty name → an error; a
// null or kernel program-name pointer, a kernel argv pointer, or a kernel
// pointer inside argv → E_FAULT.
#include "u-lib.hh"
#include "echoargs.hh"

namespace {

constexpr int max_args = 64;
const char* args[max_args + 2];
char header[4][24];
char long_arg[1001];
char many[40][8];

// Fills `args` with the echoargs header followed by `payload`, then
// `extra` more strings that are not counted in argc; returns argc.
int build_args(const char* const* payload, int npayload, int extra = 0) {
    int argc = 5 + npayload;
    assert_le(argc + extra, max_args);
    uint32_t crc = 0;
    for (int i = 0; i < npayload; ++i) {
        crc = crc32c(crc, payload[i], strlen(payload[i]) + 1);
    }
    snprintf(header[0], sizeof(header[0]), "%d", argc);
    snprintf(header[1], sizeof(header[1]), "%d", sys_getppid());
    snprintf(header[2], sizeof(header[2]), "%d", sys_getpid());
    snprintf(header[3], sizeof(header[3]), "%x", crc);
    args[0] = "echoargs";
    for (int i = 0; i < 4; ++i) {
        args[1 + i] = header[i];
    }
    for (int i = 0; i < npayload; ++i) {
        args[5 + i] = payload[i];
    }
    for (int i = 0; i < extra; ++i) {
        args[argc + i] = "NOT-AN-ARGUMENT";
    }
    args[argc + extra] = nullptr;
    return argc;
}

// Forks a child that execs echoargs with `payload`; checks it reports
// success. `three_arg` uses sys_execv(prog, argv, argc) with extra strings
// after argc.
void run_echoargs(const char* const* payload, int npayload, bool three_arg) {
    pid_t p = sys_fork();
    assert_ge(p, 0);
    if (p == 0) {
        void* stale = reinterpret_cast<void*>(ECHOARGS_STALE_PAGE);
        assert_eq(sys_page_alloc(stale), 0);
        *static_cast<volatile int*>(stale) = 1;
        int r;
        if (three_arg) {
            int argc = build_args(payload, npayload, 2);
            r = sys_execv("echoargs", args, size_t(argc));
        } else {
            build_args(payload, npayload);
            r = sys_execv("echoargs", args);
        }
        panic("execv(\"echoargs\") failed: %d", r);
    }
    int status = -1;
    assert_eq(sys_waitpid(p, &status), p);
    assert_eq(status, ECHOARGS_OK);
}

volatile int canary = 0x600D;

void failed_execs() {
    volatile int local = 0x1234;
    const char* argv[] = {"echoargs", "x", nullptr};
    assert_eq(sys_execv("no-such-program", argv), E_NOENT);
    assert_eq(sys_execv("no-such-program", argv, 2), E_NOENT);
    assert_lt(sys_execv("", argv), 0);
    assert_eq(sys_execv(nullptr, argv), E_FAULT);
    assert_eq(sys_execv(reinterpret_cast<const char*>(0xFFFFFFFF80000000), argv), E_FAULT);
    assert_eq(sys_execv("echoargs", reinterpret_cast<const char* const*>(0xFFFF800000000000),
                        2),
              E_FAULT);
    const char* bad_argv[] = {"echoargs", reinterpret_cast<const char*>(0xFFFF800000001000),
                              nullptr};
    assert_eq(sys_execv("echoargs", bad_argv), E_FAULT);
    // Still this program, with its memory.
    assert_eq(local, 0x1234);
    assert_eq(canary, 0x600D);
}

}  // namespace

void process_main() {
    static const char* const basic[] = {"alpha", "beta gamma", "", "delta"};
    run_echoargs(basic, 4, false);
    run_echoargs(basic, 4, true);

    static const char* const empty[] = {""};
    run_echoargs(empty, 1, false);
    run_echoargs(empty, 0, false);

    const char* many_ptrs[40];
    for (int i = 0; i < 40; ++i) {
        snprintf(many[i], sizeof(many[i]), "a%d", i);
        many_ptrs[i] = many[i];
    }
    run_echoargs(many_ptrs, 40, false);

    for (int i = 0; i < 1000; ++i) {
        long_arg[i] = char('A' + i % 26);
    }
    const char* long_ptrs[] = {"before", long_arg, "after"};
    run_echoargs(long_ptrs, 3, true);

    // Failed execs, in a child in case one wrongly succeeds.
    pid_t p = sys_fork();
    assert_ge(p, 0);
    if (p == 0) {
        failed_execs();
        sys_exit(0);
    }
    int status = -1;
    assert_eq(sys_waitpid(p, &status), p);
    assert_eq(status, 0);
    // And once in this process too.
    failed_execs();

    console_printf("execv succeeded!\n");
    sys_exit(0);
}
