// procctl.cc — Ctrl-P process list and Ctrl-K kill prompt (see procctl.hh).
//
// The prompt's state is guarded by prompt_lock, held only to classify a
// byte; the listing and the kill run after it is released (the list takes
// process_lock and prints under it; lock order process_lock → console).
#include "procctl.hh"
#include "abi/errno.hh"
#include "cpustate.hh"
#include "log.hh"
#include "memviewer.hh"
#include "printf.hh"
#include "proc.hh"
#include "process.hh"
#include "spinlock.hh"

namespace {

spinlock prompt_lock;
bool prompting = false;         // [prompt_lock] inside "kill pid: "
bool swallow_lf = false;        // [prompt_lock] the prompt ended with CR
char digits[8];                 // [prompt_lock]
unsigned ndigits = 0;           // [prompt_lock]

const char* state_name(proc* t) {
    switch (t->pstate_.load()) {
    case ps_runnable:
        return cpus[t->cpu_index_].current_ == t ? "running" : "runnable";
    case ps_blocked:
        return "blocked";
    case ps_exited:
        return "zombie";
    default:
        return "new";
    }
}

// One line per process: its first live thread's state and CPU (a zombie's:
// its last thread's, not yet freed), and how many threads it has when
// more than one.
void list_one(process* p, void*) {
    proc* t = p->threads_.front();
    if (!t) {
        for (proc* d = p->dead_.front(); d; d = p->dead_.next(d)) {
            t = d;
        }
    }
    char threads[24] = "";
    if (p->nthreads_ > 1) {
        snprintf(threads, sizeof(threads), " (%d threads)", p->nthreads_);
    }
    kprintf_screen("%5d %5d  %-9s %3d  %s%s%s\n", p->id_, p->parent_ ? p->parent_->id_ : 0,
                   p->zombie_ || !t ? "zombie" : state_name(t), t ? t->cpu_index_ : 0, p->program_, threads,
                   p->exiting_ && !p->zombie_ ? " (killing)" : "");
}

void kill_typed(const char* text, unsigned n) {
    if (n == 0) {
        kprintf_screen("kill: cancelled\n");
        return;
    }
    pid_t pid = 0;
    for (unsigned i = 0; i < n; ++i) {
        pid = pid * 10 + (text[i] - '0');
    }
    int r = process_request_kill(pid);
    if (r == 0) {
        kprintf_screen("kill: process %d will be killed\n", pid);
    } else if (r == E_PERM) {
        kprintf_screen("kill: %d is not a user process\n", pid);
    } else {
        kprintf_screen("kill: no running process %d\n", pid);
    }
}

}  // namespace

void procctl_list() {
    kprintf_screen("\n  PID  PPID  STATE     CPU  PROGRAM\n");
    process_for_each(list_one, nullptr);
    kprintf_screen("(Ctrl-K kills a process)\n");
}

bool procctl_input(char ch) {
    enum { pass, list, viewer, start_prompt, echo, erase, finish, cancel } action = pass;
    char typed[sizeof(digits)];
    unsigned ntyped = 0;
    {
        spinlock_guard guard(prompt_lock);
        bool lf_after_cr = swallow_lf && ch == '\n';
        swallow_lf = false;
        if (lf_after_cr) {
            return true;
        }
        if (!prompting) {
            if (ch == procctl_list_key) {
                action = list;
            } else if (ch == procctl_viewer_key) {
                action = viewer;
            } else if (ch == procctl_kill_key) {
                prompting = true;
                ndigits = 0;
                action = start_prompt;
            }
        } else if (ch >= '0' && ch <= '9') {
            if (ndigits < sizeof(digits) - 1) {
                digits[ndigits++] = ch;
                action = echo;
            } else {
                return true;            // too many digits: ignored
            }
        } else if (ch == '\b' || ch == 0x7F) {
            if (ndigits > 0) {
                --ndigits;
                action = erase;
            } else {
                return true;
            }
        } else {
            prompting = false;
            action = ch == '\r' || ch == '\n' ? finish : cancel;
            swallow_lf = ch == '\r';
            ntyped = action == finish ? ndigits : 0;
            for (unsigned i = 0; i < ntyped; ++i) {
                typed[i] = digits[i];
            }
        }
    }
    switch (action) {
    case pass:
        return false;
    case list:
        procctl_list();
        break;
    case viewer:
        memviewer_toggle();
        break;
    case start_prompt:
        kprintf_screen("\nkill pid: ");
        break;
    case echo:
        kprintf_screen("%c", ch);
        break;
    case erase:
        kprintf_screen("\b \b");
        break;
    case finish:
        kprintf_screen("\n");
        kill_typed(typed, ntyped);
        break;
    case cancel:
        kprintf_screen("\nkill: cancelled\n");
        break;
    }
    return true;
}
