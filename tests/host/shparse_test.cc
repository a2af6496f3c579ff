// shparse_test.cc — host tests of the shell's parser (user/u-shparse.cc):
// operators and their grouping, redirections, quoting, comments, line
// continuation, incomplete input, syntax errors and what they skip, and
// the capacity limits.
#include <gtest/gtest.h>
#include <string>
#include <vector>
#include <string.h>
#include "../../user/shparse.hh"

namespace {

sh_line parsed;     // large: keep it off the stack

// A line rendered compactly: a command is {word,word<in>out}, commands of
// a pipeline are joined by |, pipelines by && or ||, and lists by "; ";
// a background list ends in " &".
std::string render(const sh_line& l) {
    std::string out;
    for (int li = 0; li < l.nlists; ++li) {
        const sh_list& list = l.lists[li];
        if (li) {
            out += "; ";
        }
        for (int pi = list.first; pi < list.first + list.npipelines; ++pi) {
            const sh_pipeline& p = l.pipelines[pi];
            for (int ci = p.first; ci < p.first + p.ncommands; ++ci) {
                const sh_command& c = l.commands[ci];
                if (ci != p.first) {
                    out += "|";
                }
                out += "{";
                for (int a = 0; a < c.argc; ++a) {
                    out += (a ? "," : "") + std::string(c.argv[a]);
                }
                EXPECT_EQ(c.argv[c.argc], nullptr);
                if (c.in) {
                    out += "<" + std::string(c.in);
                }
                if (c.out) {
                    out += (c.append ? ">>" : ">") + std::string(c.out);
                }
                out += "}";
            }
            if (pi + 1 < list.first + list.npipelines) {
                EXPECT_NE(p.next, SH_NEXT_NONE);
                out += p.next == SH_NEXT_AND ? " && " : " || ";
            } else {
                EXPECT_EQ(p.next, SH_NEXT_NONE);
            }
        }
        if (list.background) {
            out += " &";
        }
    }
    return out;
}

// Parses a whole string as the complete input; "error: MESSAGE" on error.
std::string parse(const std::string& s, size_t* consumed = nullptr) {
    sh_result r = sh_parse(s.data(), s.size(), true, &parsed);
    EXPECT_NE(r, SH_INCOMPLETE);
    if (consumed) {
        *consumed = parsed.consumed;
    }
    if (r == SH_ERROR) {
        EXPECT_EQ(parsed.nlists, 0);
        return std::string("error: ") + parsed.error;
    }
    return render(parsed);
}

// Parses every line of s in turn, as the shell does; one result per line.
std::vector<std::string> parse_all(const std::string& s) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at < s.size()) {
        sh_result r = sh_parse(s.data() + at, s.size() - at, true, &parsed);
        EXPECT_NE(r, SH_INCOMPLETE);
        EXPECT_GT(parsed.consumed, 0u);
        if (parsed.consumed == 0) {
            break;
        }
        out.push_back(r == SH_ERROR ? std::string("error: ") + parsed.error : render(parsed));
        at += parsed.consumed;
    }
    return out;
}

TEST(ShParse, SimpleCommands) {
    EXPECT_EQ(parse("echo hello"), "{echo,hello}");
    EXPECT_EQ(parse("  echo \t hello   world  \n"), "{echo,hello,world}");
    EXPECT_EQ(parse("ls"), "{ls}");
    EXPECT_EQ(parse(""), "");
    EXPECT_EQ(parse("\n"), "");
    EXPECT_EQ(parse("   \n"), "");
}

TEST(ShParse, Sequences) {
    EXPECT_EQ(parse("a; b"), "{a}; {b}");
    EXPECT_EQ(parse("a;b;c"), "{a}; {b}; {c}");
    EXPECT_EQ(parse("a;"), "{a}");
    EXPECT_EQ(parse("a ; \n"), "{a}");
    EXPECT_EQ(parse("sleep 1 & echo x"), "{sleep,1} &; {echo,x}");
    EXPECT_EQ(parse("sleep 1&"), "{sleep,1} &");
    EXPECT_EQ(parse("a & b &"), "{a} &; {b} &");
}

TEST(ShParse, Conditionals) {
    EXPECT_EQ(parse("true && echo yes"), "{true} && {echo,yes}");
    EXPECT_EQ(parse("false || echo no"), "{false} || {echo,no}");
    EXPECT_EQ(parse("a&&b||c"), "{a} && {b} || {c}");
    // && and || bind tighter than ; and &, which end a list.
    EXPECT_EQ(parse("a && b; c || d &"), "{a} && {b}; {c} || {d} &");
    EXPECT_EQ(parse("a && b &"), "{a} && {b} &");
    EXPECT_EQ(parse("a || b && c"), "{a} || {b} && {c}");
}

TEST(ShParse, Pipelines) {
    EXPECT_EQ(parse("echo hello | wc"), "{echo,hello}|{wc}");
    EXPECT_EQ(parse("a|b|c"), "{a}|{b}|{c}");
    EXPECT_EQ(parse("a | b && c | d || e"), "{a}|{b} && {c}|{d} || {e}");
    // | binds tighter than &&: two pipelines, not one.
    parse("a | b && c");
    ASSERT_EQ(parsed.nlists, 1);
    ASSERT_EQ(parsed.npipelines, 2);
    EXPECT_EQ(parsed.pipelines[0].ncommands, 2);
    EXPECT_EQ(parsed.pipelines[1].ncommands, 1);
    EXPECT_EQ(parsed.lists[0].npipelines, 2);
}

TEST(ShParse, Redirections) {
    EXPECT_EQ(parse("cat < in > out"), "{cat<in>out}");
    EXPECT_EQ(parse("cat<in>out"), "{cat<in>out}");
    EXPECT_EQ(parse("> out cat"), "{cat>out}");
    EXPECT_EQ(parse("echo a >> log"), "{echo,a>>log}");
    EXPECT_EQ(parse("echo a > x > y"), "{echo,a>y}");      // the last one wins
    EXPECT_EQ(parse("> f"), "{>f}");                         // no words: only creates f
    EXPECT_EQ(parse("a < i | b > o"), "{a<i}|{b>o}");
}

TEST(ShParse, Quoting) {
    EXPECT_EQ(parse("echo 'a b'  \"c d\""), "{echo,a b,c d}");
    EXPECT_EQ(parse("echo 'a|b;c&&d>e'"), "{echo,a|b;c&&d>e}");
    EXPECT_EQ(parse("echo x'y'\"z\"w"), "{echo,xyzw}");
    EXPECT_EQ(parse("echo '' \"\""), "{echo,,}");
    EXPECT_EQ(parse("echo a\\ b \\|"), "{echo,a b,|}");
    EXPECT_EQ(parse("echo \"a\\\"b\\\\c\\d\""), "{echo,a\"b\\c\\d}");
    EXPECT_EQ(parse("echo 'it''s'"), "{echo,its}");
    EXPECT_EQ(parse("echo \"'\" '\"'"), "{echo,',\"}");
    EXPECT_EQ(parse("echo 'two\nlines'"), "{echo,two\nlines}");
}

TEST(ShParse, Comments) {
    EXPECT_EQ(parse("# only a comment"), "");
    EXPECT_EQ(parse("echo a # b c"), "{echo,a}");
    EXPECT_EQ(parse("echo a#b"), "{echo,a#b}");
    EXPECT_EQ(parse("echo '#x'"), "{echo,#x}");
    EXPECT_EQ(parse_all("# c; echo no\necho yes\n"),
              (std::vector<std::string>{"", "{echo,yes}"}));
}

TEST(ShParse, OneLineAtATime) {
    size_t consumed = 0;
    EXPECT_EQ(parse("echo a\necho b\n", &consumed), "{echo,a}");
    EXPECT_EQ(consumed, 7u);
    EXPECT_EQ(parse_all("a\n\nb; c\nd &\n"),
              (std::vector<std::string>{"{a}", "", "{b}; {c}", "{d} &"}));
}

TEST(ShParse, ContinuedLines) {
    size_t consumed = 0;
    EXPECT_EQ(parse("a &&\n\n b\nc\n", &consumed), "{a} && {b}");
    EXPECT_EQ(consumed, 9u);
    EXPECT_EQ(parse("a |\n b"), "{a}|{b}");
    EXPECT_EQ(parse("a ||\nb"), "{a} || {b}");
    EXPECT_EQ(parse("echo a \\\nb"), "{echo,a,b}");
    EXPECT_EQ(parse("echo a\\\nb"), "{echo,ab}");
    EXPECT_EQ(parse("echo \"a\\\nb\""), "{echo,ab}");
}

TEST(ShParse, Incomplete) {
    // Without eof, anything not ended by a newline may go on.
    const char* more[] = {"", "echo", "echo hi", "a &&\n", "a |", "a |\n", "a ||\n",
                          "echo 'x", "echo 'x\n", "echo \"x\n", "echo \\", "echo a\\\n",
                          "a &", "a >", "a >>"};
    for (const char* s : more) {
        EXPECT_EQ(sh_parse(s, strlen(s), false, &parsed), SH_INCOMPLETE) << s;
    }
    // Fed in pieces, the result is the same as all at once.
    std::string whole = "echo 'a b' | wc && true\nnext\n";
    for (size_t cut = 0; cut < whole.size(); ++cut) {
        sh_result r = sh_parse(whole.data(), cut, false, &parsed);
        if (cut < whole.find('\n') + 1) {
            EXPECT_EQ(r, SH_INCOMPLETE) << cut;
        } else {
            EXPECT_EQ(r, SH_OK) << cut;
            EXPECT_EQ(render(parsed), "{echo,a b}|{wc} && {true}");
        }
    }
    // `len` bounds the read: bytes past it are never looked at.
    const char text[] = "echo aXXXX";
    ASSERT_EQ(sh_parse(text, 6, true, &parsed), SH_OK);
    EXPECT_EQ(render(parsed), "{echo,a}");
}

TEST(ShParse, SyntaxErrors) {
    EXPECT_EQ(parse("| wc"), "error: syntax error near '|'");
    EXPECT_EQ(parse("echo |"), "error: syntax error: unexpected end of input");
    EXPECT_EQ(parse("echo | | wc"), "error: syntax error near '|'");
    EXPECT_EQ(parse("&& b"), "error: syntax error near '&&'");
    EXPECT_EQ(parse("a && || b"), "error: syntax error near '||'");
    EXPECT_EQ(parse("a ||"), "error: syntax error: unexpected end of input");
    EXPECT_EQ(parse("; a"), "error: syntax error near ';'");
    EXPECT_EQ(parse("a ;; b"), "error: syntax error near ';'");
    EXPECT_EQ(parse("& a"), "error: syntax error near '&'");
    EXPECT_EQ(parse("a & & b"), "error: syntax error near '&'");
    EXPECT_EQ(parse("a | \n"), "error: syntax error: unexpected end of input");
    EXPECT_EQ(parse("a > \n"), "error: missing file name after '>'");
    EXPECT_EQ(parse("a <"), "error: missing file name after '<'");
    EXPECT_EQ(parse("a > | b"), "error: missing file name after '>'");
    EXPECT_EQ(parse("a >> ;"), "error: missing file name after '>'");
    EXPECT_EQ(parse("echo 'abc"), "error: unterminated quote '");
    EXPECT_EQ(parse("echo \"abc"), "error: unterminated quote \"");
}

TEST(ShParse, ErrorsSkipTheirLineOnly) {
    // Nothing of a bad line runs, and the next line is parsed afresh.
    EXPECT_EQ(parse_all("echo ok; | bad\necho next\n"),
              (std::vector<std::string>{"error: syntax error near '|'", "{echo,next}"}));
    EXPECT_EQ(parse_all("a >\nb\n"),
              (std::vector<std::string>{"error: missing file name after '>'", "{b}"}));
    EXPECT_EQ(parse_all("a |\n| b\nc\n"),
              (std::vector<std::string>{"error: syntax error near '|'", "{c}"}));
    // An unterminated quote at the end swallows everything after it.
    EXPECT_EQ(parse_all("echo 'x\ny\n"),
              (std::vector<std::string>{"error: unterminated quote '"}));
}

TEST(ShParse, Limits) {
    std::string args = "cmd";
    for (int i = 1; i < SH_MAX_ARGS; ++i) {
        args += " a";
    }
    parse(args);
    ASSERT_EQ(parsed.ncommands, 1);
    EXPECT_EQ(parsed.commands[0].argc, SH_MAX_ARGS);
    EXPECT_EQ(parse(args + " one-too-many"), "error: too many arguments");

    std::string pipe = "c";
    for (int i = 1; i < SH_MAX_COMMANDS; ++i) {
        pipe += "|c";
    }
    parse(pipe);
    EXPECT_EQ(parsed.ncommands, SH_MAX_COMMANDS);
    EXPECT_EQ(parse(pipe + "|c"), "error: too many commands on one line");

    std::string lists = "c";
    for (int i = 1; i < SH_MAX_LISTS; ++i) {
        lists += ";c";
    }
    parse(lists);
    EXPECT_EQ(parsed.nlists, SH_MAX_LISTS);
    EXPECT_EQ(parse(lists + ";c"), "error: too many commands on one line");

    // Word bytes: exactly full is fine, one more byte is too long.
    std::string word(SH_WORDS_SIZE - 1, 'w');
    parse(word);
    EXPECT_EQ(parsed.words_used, SH_WORDS_SIZE);
    EXPECT_EQ(parse(word + "w"), "error: line too long");
    EXPECT_EQ(parse("'" + word + "w'"), "error: line too long");
}

}  // namespace
