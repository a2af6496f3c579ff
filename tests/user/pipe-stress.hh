// pipe-stress.hh — the body of the pipe stress tests: `total` bytes of
// pseudo-random data through a chain of processes connected by pipes.
//
// A generator process writes the data in pieces of varying sizes into the
// first pipe; each of `stages` middle processes reads whatever arrives,
// adds 1 to every byte and writes it on; the parent reads the last pipe
// and computes a CRC-32C, which must equal the CRC of the data it expects
// (regenerated locally, with every stage's +1 applied). Every process
// closes the pipe ends it does not use, so end of file travels down the
// chain when the generator finishes. Free pages come back exactly.
#pragma once
#include "u-lib.hh"
#include "page-accounting.hh"

namespace pipe_stress {

inline uint32_t next_random(uint64_t& state) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return uint32_t(state >> 32);
}

// Fills buf with the next n bytes of the stream.
inline void generate(uint64_t& state, uint8_t* buf, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        buf[i] = uint8_t(next_random(state));
    }
}

inline void write_all(int fd, const uint8_t* buf, size_t n) {
    ssize_t w = sys_write(fd, reinterpret_cast<const char*>(buf), n);
    if (w != ssize_t(n)) {
        panic("pipe-stress: write of %zu returned %zd", n, w);
    }
}

alignas(4096) inline uint8_t buffer[16384];

inline void run(const char* name, size_t total, int stages) {
    size_t start = start_free_pages();
    constexpr int max_stages = 8;
    assert_le(stages, max_stages);
    int pipes[max_stages + 1][2];
    for (int i = 0; i <= stages; ++i) {
        assert_eq(sys_pipe(pipes[i]), 0);
    }
    pid_t pids[max_stages + 1];
    for (int s = 0; s <= stages; ++s) {
        pid_t p = sys_fork();
        assert_ge(p, 0);
        if (p == 0) {
            // Stage s reads pipes[s - 1] (the generator, s == 0, reads
            // nothing) and writes pipes[s].
            for (int i = 0; i <= stages; ++i) {
                if (i != s - 1) {
                    sys_close(pipes[i][0]);
                }
                if (i != s) {
                    sys_close(pipes[i][1]);
                }
            }
            if (s == 0) {
                uint64_t state = 0x9E3779B97F4A7C15ULL;
                size_t piece = 1;
                for (size_t done = 0; done < total;) {
                    size_t n = piece < total - done ? piece : total - done;
                    generate(state, buffer, n);
                    write_all(pipes[0][1], buffer, n);
                    done += n;
                    piece = piece * 5 + 3;
                    if (piece > sizeof(buffer)) {
                        piece = 1 + piece % 700;
                    }
                }
            } else {
                for (;;) {
                    ssize_t n = sys_read(pipes[s - 1][0], reinterpret_cast<char*>(buffer), sizeof(buffer));
                    assert_ge(n, 0);
                    if (n == 0) {
                        break;
                    }
                    for (ssize_t i = 0; i < n; ++i) {
                        ++buffer[i];
                    }
                    write_all(pipes[s][1], buffer, size_t(n));
                }
            }
            sys_exit(0);
        }
        pids[s] = p;
    }
    for (int i = 0; i <= stages; ++i) {
        sys_close(pipes[i][1]);
        if (i != stages) {
            sys_close(pipes[i][0]);
        }
    }
    uint32_t crc = 0;
    size_t received = 0;
    for (;;) {
        ssize_t n = sys_read(pipes[stages][0], reinterpret_cast<char*>(buffer), sizeof(buffer));
        assert_ge(n, 0);
        if (n == 0) {
            break;
        }
        crc = crc32c(crc, buffer, size_t(n));
        received += size_t(n);
    }
    sys_close(pipes[stages][0]);
    for (int s = 0; s <= stages; ++s) {
        int status = -1;
        assert_eq(sys_waitpid(pids[s], &status), pids[s]);
        assert_eq(status, 0);
    }
    assert_eq(received, total);

    uint64_t state = 0x9E3779B97F4A7C15ULL;
    uint32_t expected = 0;
    for (size_t done = 0; done < total;) {
        size_t n = sizeof(buffer) < total - done ? sizeof(buffer) : total - done;
        generate(state, buffer, n);
        for (size_t i = 0; i < n; ++i) {
            buffer[i] = uint8_t(buffer[i] + stages);
        }
        expected = crc32c(expected, buffer, n);
        done += n;
    }
    assert_eq(crc, expected);
    assert_eq(wait_free_pages(start), start);
    printf("%s: %zu bytes through %d stages, crc32c %08x\n", name, total, stages, crc);
    printf("%s succeeded!\n", name);
}

}  // namespace pipe_stress
