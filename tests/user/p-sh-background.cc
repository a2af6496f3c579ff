// p-sh-background.cc — background jobs in the shell: `&` does not wait
// (sh -c 'sleep 0.5 &' returns at once), `wait` does; a background list
// runs as a whole (`sleep && echo late &` prints after the foreground
// `echo early`); its exit status is not the shell's; and the shell reaps
// finished jobs before each line, so zombies do not pile up: after 12 more
// finished background jobs the free-page count is where it was after 2 (a
// zombie holds about 4 pages, so 12 unreaped ones are ~48). Times and page
// counts come from this program run again as `sh-background probe`,
// inside the shell's script.
#include "u-lib.hh"
#include "page-accounting.hh"
#include "sh-run.hh"
#include "test-util.hh"

namespace {

unsigned long ms_since(unsigned long t0) {
    return (ticks() - t0) * 10;     // 100 Hz ticks
}

// "probe": prints the free-page count and the time as "pages N ms T\n".
void probe() {
    printf("pages %zu ms %lu\n", free_pages(), ticks() * 10);
    sys_exit(0);
}

// The `which`th probe's value of `key` ("pages" or "ms").
size_t probe_value(const char* text, int which, const char* key) {
    const char* p = text;
    for (int seen = 0;; ++p) {
        assert(*p, "probe line missing");
        if (strncmp(p, "pages ", 6) == 0 && seen++ == which) {
            if (strcmp(key, "ms") == 0) {
                while (strncmp(p, " ms ", 4) != 0) {
                    ++p;
                }
                return size_t(strtol(p + 4, nullptr, 10));
            }
            return size_t(strtol(p + 6, nullptr, 10));
        }
    }
}

}  // namespace

void process_main(int argc, char** argv) {
    if (argc == 2 && strcmp(argv[1], "probe") == 0) {
        probe();
    }
    size_t start = start_free_pages();

    static sh_output out;
    // & goes on at once; wait waits. (Timed inside the script: the output
    // pipe ends only when the background job, which shares it, exits.)
    sh_run_into(out, "sh-background probe; sleep 0.5 & sh-background probe", nullptr);
    assert_eq(out.status, 0);
    assert_lt(probe_value(out.text, 1, "ms") - probe_value(out.text, 0, "ms"), 400ul);
    unsigned long t0 = ticks();
    sh_expect("sleep 0.3 & wait", "");
    assert_ge(ms_since(t0), 290ul);

    // A background list runs whole, after the foreground goes on.
    sh_expect("sleep 0.2 && echo late & echo early; wait", "early\nlate\n");
    sh_expect("false & echo status-zero", "status-zero\n");
    sh_expect("false &", "", 0);
    sh_expect("echo bg | wc -c & wait", "3\n");

    // Finished jobs are reaped between lines: a script that starts 2, then
    // 12 more, probing the free pages after each batch has finished.
    static char script[2048];
    size_t n = 0;
    auto add = [&](const char* s) {
        size_t len = strlen(s);
        assert_lt(n + len, sizeof(script));
        memcpy(script + n, s, len);
        n += len;
    };
    for (int i = 0; i < 2; ++i) {
        add("true &\n");
    }
    add("sleep 0.15\nsleep 0.01\nsh-background probe\n");
    for (int i = 0; i < 12; ++i) {
        add("true &\n");
    }
    add("sleep 0.25\nsleep 0.01\nsh-background probe\n");
    script[n] = '\0';
    sh_run_into(out, script, nullptr);
    assert_eq(out.status, 0);
    size_t after2 = probe_value(out.text, 0, "pages");
    size_t after14 = probe_value(out.text, 1, "pages");
    printf("free pages after 2 jobs %zu, after 14 jobs %zu\n", after2, after14);
    assert_ge(after14 + 8, after2);

    assert_ge(wait_free_pages(start), start);
    printf("sh-background succeeded!\n");
}
