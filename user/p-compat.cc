// p-compat.cc — compile-only proof that Chickadee-style coursework builds
// unchanged against Nuthatch's u-lib.hh: it touches a wide slice of the
// API (processes, files, console, asserts, library). Compile-only (it is
// in user/, not tests/user/, so `make check` never boots it): its pipe and
// file calls return E_NOSYS until the kernel has file descriptors.
#include "u-lib.hh"
#include <atomic>

// The end of this program's data and bss (the linker symbol; see u-lib.hh).
extern uint8_t end[];

static std::atomic_flag flag = ATOMIC_FLAG_INIT;
static std::atomic<int> counter{0};
static int constructed = 0;

struct global_object {
    global_object() { constructed = 161; }
};
static global_object global;

static int thread_function(void* arg) {
    ++*static_cast<int*>(arg);
    sys_texit(0);
}

void process_main() {
    assert_eq(constructed, 161);
    pid_t self = sys_getpid();
    assert_gt(self, 0);
    pid_t parent = sys_getppid();
    assert_ge(parent, 0);

    // Memory from `end` upward.
    uintptr_t heap = round_up(reinterpret_cast<uintptr_t>(end), PAGESIZE);
    int r = sys_page_alloc(reinterpret_cast<void*>(heap));
    assert(r == 0 || r == E_NOMEM, "page_alloc");
    assert_lt(heap, VA_LOWEND - PAGESIZE);
    assert(rdrsp() > heap);
    (void) rdrbp();

    // fork / wait / sleep.
    pid_t child = sys_fork();
    if (child == 0) {
        sys_msleep(10);
        sys_exit(7);
    }
    assert_ge(child, 0);
    int status = 0;
    pid_t waited = sys_waitpid(child, &status);
    assert_eq(waited, child);
    assert_eq(status, 7);
    assert_eq(sys_waitpid(0, nullptr, W_NOHANG), E_CHILD);
    assert_eq(sys_waitpid(child), E_CHILD);
    sys_yield();
    sys_pause();

    // Files and pipes.
    int pfd[2];
    assert_eq(sys_pipe(pfd), 0);
    assert_eq(sys_write(pfd[1], "x", 1), 1);
    char buf[16];
    ssize_t n = sys_read(pfd[0], buf, sizeof(buf));
    assert_eq(n, 1);
    assert_memeq(buf, "x", 1);
    assert_eq(sys_dup2(pfd[0], pfd[0]), 0);
    sys_close(pfd[0]);
    sys_close(pfd[1]);
    int fd = sys_open("emerson.txt", OF_READ | OF_WRITE | OF_CREATE | OF_TRUNC);
    if (fd >= 0) {
        sys_lseek(fd, 0, LSEEK_SET);
        assert_ge(sys_lseek(fd, 0, LSEEK_SIZE), 0);
        sys_ftruncate(fd, 0);
        sys_close(fd);
        sys_rename("emerson.txt", "thoreau.txt");
        sys_unlink("thoreau.txt");
    }
    sys_sync();
    sys_sync(1);
    sys_readdiskfile("emerson.txt", buf, sizeof(buf), 0);
    assert_eq(sys_read(-1, buf, 1), E_BADF);

    // Threads.
    static char stack[4096] __attribute__((aligned(16)));
    int value = 0;
    pid_t tid = sys_clone(thread_function, &value, stack + sizeof(stack));
    assert_ne(tid, sys_gettid());

    // Usage and console type.
    usage u;
    if (sys_getusage(&u) == 0) {
        assert_le(u.allocated_pages, u.allocated_pages + u.free_pages);
    }
    (void) sys_consoletype(0);

    // Library.
    char text[64];
    int len = snprintf(text, sizeof(text), "%d %s %zu", 42, "ok", arraysize(text));
    assert_eq(size_t(len), strlen(text));
    assert_eq(strcmp(text, "42 ok 64"), 0);
    assert(strchr(text, 'o') == text + 3);
    assert_eq(strtol("  -0x1f", nullptr, 0), -31);
    char* endp;
    assert_eq(strtol("123abc", &endp, 10), 123);
    assert_eq(*endp, 'a');
    assert(isspace(' ') && isdigit('7'));
    srand(161);
    int x = rand();
    assert(x >= 0 && x <= RAND_MAX);
    int y = rand(1, 6);
    assert(y >= 1 && y <= 6);
    assert_eq(crc32c("123456789", 9), 0xE3069283U);
    assert_eq(round_down(4097UL, PAGESIZE), 4096UL);
    assert_eq(round_up(4097UL, PAGESIZE), 8192UL);
    memset(text, 0, sizeof(text));
    memcpy(text, "abc", 3);
    memmove(text + 1, text, 3);
    assert_memeq(text, "aabc", 4);
    assert(memchr(text, 'c', 4) != nullptr);
    assert_eq(min(3, 4), 3);
    assert_eq(max(3UL, 4UL), 4UL);

    // Atomics.
    assert(!flag.test_and_set());
    flag.clear();
    counter.fetch_add(1);
    assert_eq(counter.load(), 1);

    // Raw system calls.
    assert_eq(pid_t(make_syscall(SYSCALL_GETPID)), self);
    assert_eq(intptr_t(make_syscall(9999)), intptr_t(E_NOSYS));
    access_memory(text);
    clobber_memory(text);

    // Console.
    console_clear();
    console_printf(CPOS(0, 0), 0x0F00, "at the top %d", 1);
    console_printf(0x0200, "green %s\n", "text");
    console_printf(CS_SUCCESS "compat" CS_NORMAL " %s" CS_ERROR "!" CS_ECHO "\n", "ok");
    console_printf(CS_WHITE "white" CS_GREEN " green\n");
    assert_eq(console[CPOS(0, 0)] & 0xFF, 'a');
    assert_lt(cursorpos, CONSOLE_ROWS * CONSOLE_COLUMNS + 1);
    (void) consoletype;
    printf("printf %d\n", 1);
    dprintf(2, "dprintf %s\n", "2");

    const char* args[] = {"hello", "world", nullptr};
    if (sys_fork() == 0) {
        sys_execv("hello", args);
        sys_execv("hello", args, 2);
        panic("execv failed: %d", -1);
    }
    while (sys_waitpid(0) > 0) {
    }
    console_printf("compat succeeded!\n");
    sys_exit(0);
}
