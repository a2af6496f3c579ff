// u-shparse.cc — the shell's parser (see shparse.hh for the language).
//
// A tokenizer reads one token at a time from the input; three small
// recursive-descent functions (list, pipeline, command) build the arrays
// of sh_line. Every failure inside travels up as a T_MORE (need more
// input) or T_ERROR token, and sh_parse turns it into its result.
// Easy to get wrong: a word's bytes are copied (quotes and backslashes
// removed) into line->words, whose capacity is checked byte by byte; and
// after an error `consumed` must reach the end of the offending line,
// which may need more input first.
#include "shparse.hh"

namespace {

enum token_type {
    T_WORD, T_NEWLINE, T_END, T_SEMI, T_AMP, T_AND, T_OR, T_PIPE,
    T_IN, T_OUT, T_APPEND,
    T_MORE,         // the input ended inside the line and more may come
    T_ERROR,        // parser::error says why
};

struct parser {
    const char* s;
    size_t len;
    bool eof;
    sh_line* line;
    size_t pos = 0;
    size_t token_start = 0;         // where the last token began
    const char* error = nullptr;
    char* word = nullptr;           // the last T_WORD's text
    bool skip_all = false;          // the error leaves nothing to parse after it

    token_type fail(const char* why) {
        if (!error) {
            error = why;
        }
        return T_ERROR;
    }
    // End of input inside a line: more may come, or it is the end.
    token_type ran_out(const char* why_at_eof) {
        skip_all = eof;
        return eof ? fail(why_at_eof) : T_MORE;
    }
    bool put(char ch) {
        if (line->words_used == SH_WORDS_SIZE) {
            return false;
        }
        line->words[line->words_used++] = ch;
        return true;
    }

    token_type next();
    token_type next_skipping_newlines();
    token_type read_word();
    token_type command(token_type t);
    token_type pipeline(token_type t);
    token_type list(token_type t);
};

bool is_blank(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r';
}
bool is_operator(char ch) {
    return ch == ';' || ch == '&' || ch == '|' || ch == '<' || ch == '>' || ch == '\n';
}

const char* near_message(token_type t) {
    switch (t) {
    case T_NEWLINE: return "syntax error near newline";
    case T_SEMI: return "syntax error near ';'";
    case T_AMP: return "syntax error near '&'";
    case T_AND: return "syntax error near '&&'";
    case T_OR: return "syntax error near '||'";
    case T_PIPE: return "syntax error near '|'";
    case T_IN: return "syntax error near '<'";
    case T_OUT: return "syntax error near '>'";
    case T_APPEND: return "syntax error near '>>'";
    default: return "syntax error: unexpected end of input";
    }
}

token_type parser::next() {
    for (;;) {
        while (pos < len && is_blank(s[pos])) {
            ++pos;
        }
        if (pos + 1 < len && s[pos] == '\\' && s[pos + 1] == '\n') {
            pos += 2;                           // line continuation
            continue;
        }
        if (pos < len && s[pos] == '#') {
            while (pos < len && s[pos] != '\n') {
                ++pos;
            }
        }
        break;
    }
    token_start = pos;
    if (pos == len) {
        return eof ? T_END : T_MORE;
    }
    char ch = s[pos];
    char ch2 = pos + 1 < len ? s[pos + 1] : '\0';
    // A one-character operator that could start a two-character one
    // needs to see the next byte (or the end of input).
    bool undecided = pos + 1 == len && !eof;
    switch (ch) {
    case '\n':
        ++pos;
        return T_NEWLINE;
    case ';':
        ++pos;
        return T_SEMI;
    case '<':
        ++pos;
        return T_IN;
    case '&':
    case '|':
    case '>':
        if (undecided) {
            return T_MORE;
        }
        if (ch2 == ch) {
            pos += 2;
            return ch == '&' ? T_AND : ch == '|' ? T_OR : T_APPEND;
        }
        ++pos;
        return ch == '&' ? T_AMP : ch == '|' ? T_PIPE : T_OUT;
    default:
        return read_word();
    }
}

token_type parser::next_skipping_newlines() {
    token_type t;
    while ((t = next()) == T_NEWLINE) {
    }
    return t;
}

token_type parser::read_word() {
    word = line->words + line->words_used;
    while (pos < len && !is_blank(s[pos]) && !is_operator(s[pos])) {
        char ch = s[pos];
        if (ch == '\'') {
            size_t close = pos + 1;
            while (close < len && s[close] != '\'') {
                ++close;
            }
            if (close == len) {
                return ran_out("unterminated quote '");
            }
            for (size_t i = pos + 1; i < close; ++i) {
                if (!put(s[i])) {
                    return fail("line too long");
                }
            }
            pos = close + 1;
        } else if (ch == '"') {
            size_t i = pos + 1;
            for (;; ++i) {
                if (i == len) {
                    return ran_out("unterminated quote \"");
                }
                if (s[i] == '"') {
                    break;
                }
                if (s[i] == '\\') {
                    if (i + 1 == len) {
                        return ran_out("unterminated quote \"");
                    }
                    char e = s[i + 1];
                    if (e == '\n') {
                        ++i;                    // joined line: nothing kept
                        continue;
                    }
                    if (e == '\\' || e == '"' || e == '$' || e == '`') {
                        ++i;
                    }
                }
                if (!put(s[i])) {
                    return fail("line too long");
                }
            }
            pos = i + 1;
        } else if (ch == '\\') {
            if (pos + 1 == len) {
                if (!eof) {
                    return T_MORE;
                }
                if (!put('\\')) {               // a lone backslash at the very end
                    return fail("line too long");
                }
                pos += 1;
            } else if (s[pos + 1] == '\n') {
                pos += 2;                       // line continuation
            } else {
                if (!put(s[pos + 1])) {
                    return fail("line too long");
                }
                pos += 2;
            }
        } else {
            if (!put(ch)) {
                return fail("line too long");
            }
            ++pos;
        }
    }
    if (!put('\0')) {
        return fail("line too long");
    }
    return T_WORD;
}

// command: words and redirections, starting with token t; returns the
// token that ended it (or T_MORE/T_ERROR).
token_type parser::command(token_type t) {
    if (line->ncommands == SH_MAX_COMMANDS) {
        return fail("too many commands on one line");
    }
    sh_command& c = line->commands[line->ncommands];
    c.argc = 0;
    c.argv[0] = nullptr;
    c.in = c.out = nullptr;
    c.append = false;
    bool empty = true;
    for (;; t = next()) {
        if (t == T_WORD) {
            if (c.argc == SH_MAX_ARGS) {
                return fail("too many arguments");
            }
            c.argv[c.argc++] = word;
            c.argv[c.argc] = nullptr;
        } else if (t == T_IN || t == T_OUT || t == T_APPEND) {
            token_type f = next();
            if (f == T_MORE || f == T_ERROR) {
                return f;
            }
            if (f != T_WORD) {
                return fail(t == T_IN ? "missing file name after '<'"
                                      : "missing file name after '>'");
            }
            if (t == T_IN) {
                c.in = word;
            } else {
                c.out = word;
                c.append = t == T_APPEND;
            }
        } else if (t == T_MORE || t == T_ERROR) {
            return t;
        } else if (empty) {
            return fail(near_message(t));
        } else {
            ++line->ncommands;
            return t;
        }
        empty = false;
    }
}

token_type parser::pipeline(token_type t) {
    if (line->npipelines == SH_MAX_PIPELINES) {
        return fail("too many pipelines on one line");
    }
    sh_pipeline& p = line->pipelines[line->npipelines];
    p.first = line->ncommands;
    p.ncommands = 0;
    p.next = SH_NEXT_NONE;
    for (;;) {
        t = command(t);
        if (t == T_MORE || t == T_ERROR) {
            return t;
        }
        ++p.ncommands;
        if (t != T_PIPE) {
            ++line->npipelines;
            return t;
        }
        t = next_skipping_newlines();
    }
}

token_type parser::list(token_type t) {
    if (line->nlists == SH_MAX_LISTS) {
        return fail("too many commands on one line");
    }
    sh_list& l = line->lists[line->nlists];
    l.first = line->npipelines;
    l.npipelines = 0;
    l.background = false;
    for (;;) {
        t = pipeline(t);
        if (t == T_MORE || t == T_ERROR) {
            return t;
        }
        ++l.npipelines;
        if (t != T_AND && t != T_OR) {
            l.background = t == T_AMP;
            ++line->nlists;
            return t;
        }
        line->pipelines[line->npipelines - 1].next = t == T_AND ? SH_NEXT_AND : SH_NEXT_OR;
        t = next_skipping_newlines();
    }
}

// The end of the line containing offset `from` (just past its newline),
// or `len` if the input ends first.
size_t end_of_line(const char* s, size_t len, size_t from) {
    while (from < len && s[from] != '\n') {
        ++from;
    }
    return from < len ? from + 1 : len;
}

}  // namespace

sh_result sh_parse(const char* text, size_t len, bool eof, sh_line* line) {
    line->ncommands = line->npipelines = line->nlists = 0;
    line->words_used = 0;
    line->consumed = 0;
    line->error = nullptr;
    parser p{text, len, eof, line};
    token_type t;
    for (;;) {
        t = p.next();
        if (t == T_NEWLINE || t == T_END) {
            break;                              // end of the line
        }
        if (t == T_MORE || t == T_ERROR) {
            break;
        }
        t = p.list(t);
        if (t == T_NEWLINE || t == T_END || t == T_MORE || t == T_ERROR) {
            break;
        }
        // t is ';' or '&': another list may follow on this line.
    }
    if (t == T_MORE) {
        return SH_INCOMPLETE;
    }
    if (t == T_ERROR) {
        // Skip the rest of the line the error is on.
        size_t end = p.skip_all ? len : end_of_line(text, len, p.token_start);
        if (end == len && !eof && (len == 0 || text[len - 1] != '\n')) {
            return SH_INCOMPLETE;
        }
        line->error = p.error;
        line->ncommands = line->npipelines = line->nlists = 0;
        line->consumed = end;
        return SH_ERROR;
    }
    line->consumed = p.pos;
    return SH_OK;
}
