// shparse.hh — the shell's parser (user/u-shparse.cc), as pure logic: no
// system calls and no library calls, so the same file is built into the
// user library for `sh` and into the host tests (tests/host/shparse_test.cc).
//
// The language is Chickadee's shell's:
//
//     line      := list ((';' | '&') list)* [';' | '&'] NEWLINE
//     list      := pipeline (('&&' | '||') pipeline)*       (left to right)
//     pipeline  := command ('|' command)*
//     command   := (WORD | '<' WORD | '>' WORD | '>>' WORD)+
//
// A list ended by '&' runs in the background. Words may be quoted: '...'
// is literal; inside "..." a backslash escapes only \ " $ ` and newline;
// outside quotes a backslash escapes any character, and backslash-newline
// joins lines. An unquoted '#' starting a word begins a comment. A newline
// right after '&&', '||' or '|' continues the line. Blank lines and
// comment-only lines parse to zero lists.
//
// sh_parse parses exactly one line (up to and including its newline)
// from the front of a buffer, so the shell runs each line before reading
// the next. Easy to get wrong: the line may continue past the first
// newline (after '|', '&&', '||', inside quotes, after backslash-newline),
// so "no newline yet" is not the only reason to ask for more input; and
// after a syntax error the rest of the offending line must be skipped,
// not parsed as a new line.
#pragma once
#include <stddef.h>

constexpr int SH_MAX_ARGS = 63;         // words in one command
constexpr int SH_MAX_COMMANDS = 32;     // commands in one line
constexpr int SH_MAX_PIPELINES = 32;    // pipelines in one line
constexpr int SH_MAX_LISTS = 16;        // lists in one line
constexpr size_t SH_WORDS_SIZE = 2048;  // word bytes in one line, NULs included

struct sh_command {
    int argc;
    char* argv[SH_MAX_ARGS + 1];        // argv[argc] == nullptr
    const char* in;                     // `< file`, or nullptr
    const char* out;                    // `> file` / `>> file`, or nullptr
    bool append;                        // out came from `>>`
};

// How a pipeline connects to the next one in its list.
enum sh_connector { SH_NEXT_NONE, SH_NEXT_AND, SH_NEXT_OR };

struct sh_pipeline {
    int first;                          // index into sh_line::commands
    int ncommands;
    sh_connector next;                  // SH_NEXT_NONE for the last one
};

struct sh_list {
    int first;                          // index into sh_line::pipelines
    int npipelines;
    bool background;                    // ended by '&'
};

struct sh_line {
    sh_command commands[SH_MAX_COMMANDS];
    int ncommands;
    sh_pipeline pipelines[SH_MAX_PIPELINES];
    int npipelines;
    sh_list lists[SH_MAX_LISTS];
    int nlists;
    char words[SH_WORDS_SIZE];          // every word's bytes, NUL-terminated
    size_t words_used;
    size_t consumed;                    // bytes of the input this line used
    const char* error;                  // for SH_ERROR: a static message
};

enum sh_result {
    SH_OK,              // one line parsed (maybe zero lists); run it, drop `consumed`
    SH_INCOMPLETE,      // the line goes on past `len`: read more and call again
    SH_ERROR,           // syntax error (`error`); skip `consumed` bytes
};

// Parses the line at the front of text[0, len). `eof`: nothing more will
// follow, so an unfinished line ends at `len` (or is an error, e.g. an
// unterminated quote). Never reads past text[len - 1]; `text` need not be
// NUL-terminated. SH_INCOMPLETE is never returned when `eof` is true.
sh_result sh_parse(const char* text, size_t len, bool eof, sh_line* line);
