// process.cc — the process table and the process life cycle (see
// process.hh).
#include "process.hh"
#include <new>
#include "abi/errno.hh"
#include "abi/user-memlayout.hh"
#include "abi/activation.h"
#include "activation.hh"
#include "arch/cpufeatures.hh"
#include "backtrace.hh"
#include "console-file.hh"
#include "cpustate.hh"
#include "elf.hh"
#include "kalloc.hh"
#include "log.hh"
#include "kaddr.hh"
#include "memviewer.hh"
#include "power.hh"
#include "proc.hh"
#include "string.hh"
#include "timer.hh"
#include "vfs.hh"
#include "vm.hh"

spinlock process_lock;

namespace {

list<proc, &proc::process_links_> process_table;   // [P]
pid_t next_pid = PID_INIT;                          // [P]
constexpr pid_t pid_limit = 1 << 22;
std::atomic<unsigned> next_home_cpu{0};

// The FPU state a new program starts with (captured once from a clean
// `fninit` + default MXCSR).
alignas(16) uint8_t initial_fpu[512];

pid_t allocate_pid_locked() {
    for (int tries = 0; tries < pid_limit; ++tries) {
        pid_t pid = next_pid;
        next_pid = next_pid + 1 < pid_limit ? next_pid + 1 : PID_INIT + 1;
        if (!process_lookup(pid)) {
            return pid;
        }
    }
    return E_AGAIN;
}

int choose_home_cpu() {
    return int(next_home_cpu++ % unsigned(ncpu));
}

// A page table with the kernel half shared and the console page mapped.
x86_64_pagetable* new_user_pagetable() {
    x86_64_pagetable* pt = pagetable_alloc();
    if (!pt) {
        return nullptr;
    }
    for (int i = 256; i < 512; ++i) {
        pt->entry[i] = kernel_pagetable->entry[i];
    }
    // Shared by every process: writable, so never executable (W^X).
    if (vmiter(pt, CONSOLE_PAGE).map(CONSOLE_PAGE, PTE_PWU | (cpu_has.nx ? PTE_NX : 0)) < 0) {
        pagetable_free_tree(pt);
        return nullptr;
    }
    return pt;
}

// Calls fn(va, pte) for every present user page of `pt`.
template <typename F>
void for_each_user_page(x86_64_pagetable* pt, F fn) {
    for (ptiter it(pt); !it.done(); it.next()) {
        if (it.level() != 0) {
            continue;
        }
        x86_64_pagetable* t = it.table();
        for (int i = pagetable_next_present(t, 0, 512); i < 512;
             i = pagetable_next_present(t, i + 1, 512)) {
            if (t->entry[i] & PTE_U) {
                fn(it.va() + uintptr_t(i) * PAGESIZE, t->entry[i]);
            }
        }
    }
}

void free_user_memory(x86_64_pagetable* pt) {
    pagetable_free_tree(pt, [](uint64_t pa) {
        if (pa != CONSOLE_PAGE) {
            memviewer_tag(pa, 0);
            kfree(pa2kptr<void>(pa));
        }
    });
}

// The memory viewer shows `pt`'s user pages as process `pid`'s.
void tag_user_pages(x86_64_pagetable* pt, pid_t pid) {
    for_each_user_page(pt, [&](uintptr_t, x86_64_pageentry_t e) {
        if ((e & PTE_PAMASK) != CONSOLE_PAGE) {
            memviewer_tag(e & PTE_PAMASK, pid);
        }
    });
}

uint64_t user_perm(bool writable, bool executable) {
    uint64_t perm = PTE_P | PTE_U;
    perm |= writable ? PTE_W : 0;
    perm |= (!executable && cpu_has.nx) ? PTE_NX : 0;
    return perm;
}

// Map a fresh page at `va` in `pt`, filled by `fill(kernel pointer)`. The
// page starts zeroed, unless the caller promises that `fill` writes all of
// it (`fill_covers_page`), as fork's copy does.
template <typename F>
int map_new_page(x86_64_pagetable* pt, uintptr_t va, uint64_t perm, F fill,
                 bool fill_covers_page = false) {
    void* page = fill_covers_page ? kalloc(PAGESIZE) : kalloc_page();
    if (!page) {
        return E_NOMEM;
    }
    fill(static_cast<char*>(page));
    if (vmiter(pt, va).map(kva2pa(page), perm) < 0) {
        kfree(page);
        return E_NOMEM;
    }
    return 0;
}

// The loader: maps the program in `file` into `pt`. It reads the file only
// through the vnode's positional reads (vfs.hh), a page at a time, so any
// file system's files load the same way: the memory file system's now, a
// disk file system's next (which fills its block cache to serve them).
int load_program(x86_64_pagetable* pt, vnode* file, uintptr_t* entry) {
    off_t size = file->size();
    if (size < 0) {
        return E_NOEXEC;
    }
    // The ELF and program headers must be in the first page.
    elf_program prog;
    {
        char* head = static_cast<char*>(kalloc(PAGESIZE));
        if (!head) {
            return E_NOMEM;
        }
        ssize_t n = file->read_at(iobuf::kernel(head, PAGESIZE), 0);
        int r = n < 0 ? int(n) : elf_parse_headers(head, size_t(n), size_t(size), &prog);
        kfree(head);
        if (r < 0) {
            return r == E_NOMEM ? r : E_NOEXEC;
        }
    }
    for (unsigned s = 0; s < prog.nsegments; ++s) {
        const elf_segment& seg = prog.segments[s];
        uint64_t perm = user_perm(seg.writable, seg.executable);
        for (uintptr_t va = round_down(seg.va, PAGESIZE); va < seg.va + seg.memsz; va += PAGESIZE) {
            int error = 0;
            int r = map_new_page(pt, va, perm, [&](char* page) {
                // The part of [seg.va, seg.va + filesz) inside this page.
                uintptr_t lo = va > seg.va ? va : seg.va;
                uintptr_t hi = va + PAGESIZE < seg.va + seg.filesz ? va + PAGESIZE
                                                                   : seg.va + seg.filesz;
                if (lo < hi) {
                    ssize_t n = file->read_at(iobuf::kernel(page + (lo - va), hi - lo),
                                              off_t(seg.offset + (lo - seg.va)));
                    // A file that shrank since its size was read.
                    error = n == ssize_t(hi - lo) ? 0 : n < 0 ? int(n) : E_NOEXEC;
                }
            });
            if (r == 0) {
                r = error;
            }
            if (r < 0) {
                return r;
            }
            // A segment may be huge (a large zero-filled .bss): let the
            // timer in between pages so this CPU's other tasks still run.
            preemption_point();
        }
    }
    *entry = prog.entry;
    return 0;
}

// The initial stack: argument strings at the top, then argv[] (with
// argv[argc] == nullptr), RSP 16-byte aligned below it.
int build_stack(x86_64_pagetable* pt, const exec_args& args, uintptr_t* rsp, uintptr_t* argv) {
    size_t pointers = sizeof(uintptr_t) * (args.argc + 1);
    uintptr_t strings_va = USER_STACK_TOP - round_up(args.used, 16);
    uintptr_t argv_va = round_down(strings_va - pointers, 16);
    if (argv_va < USER_STACK_PAGE + 256) {
        return E_2BIG;                  // leave the program some stack
    }
    int r = map_new_page(pt, USER_STACK_PAGE, user_perm(true, false), [&](char* page) {
        memcpy(page + (strings_va - USER_STACK_PAGE), args.strings, args.used);
        auto* vector = reinterpret_cast<uintptr_t*>(page + (argv_va - USER_STACK_PAGE));
        for (int i = 0; i < args.argc; ++i) {
            vector[i] = strings_va + args.offsets[i];
        }
        vector[args.argc] = 0;
    });
    *rsp = argv_va;
    *argv = argv_va;
    return r;
}

// A new program's address space and where it starts.
struct user_image {
    x86_64_pagetable* pt;
    act_header* activations;
    uintptr_t entry, rsp, argv;
};

// A complete address space for `program`, or an error.
int build_address_space(const char* program, const exec_args& args, user_image* out) {
    x86_64_pagetable* pt = new_user_pagetable();
    if (!pt) {
        return E_NOMEM;
    }
    vnode* file;
    int r = vfs_lookup(program, &file);
    if (r == 0) {
        r = file->as_dir() ? E_NOEXEC : load_program(pt, file, &out->entry);
        file->put();
    }
    if (r == 0) {
        r = build_stack(pt, args, &out->rsp, &out->argv);
    }
    if (r == 0) {
        r = activation_setup(pt, &out->activations);
    }
    if (r < 0) {
        free_user_memory(pt);
        return r;
    }
    out->pt = pt;
    return 0;
}


void set_entry_registers(regstate* regs, uintptr_t entry, uintptr_t rsp, int argc,
                         uintptr_t argv) {
    *regs = {};
    regs->reg_rip = entry;
    regs->reg_rsp = rsp;
    regs->reg_cs = SEGSEL_USER_CODE;
    regs->reg_ss = SEGSEL_USER_DATA;
    regs->reg_rflags = EFLAGS_IF;
    regs->reg_rdi = ENTRY_START;
    regs->reg_rsi = uint64_t(argc);
    regs->reg_rdx = argv;
    regs->reg_intno = uint64_t(-1);
}

// The regstate at the top of a process's kernel stack.
regstate* top_regstate(proc* p) {
    return reinterpret_cast<regstate*>(p->kernel_stack_top() - sizeof(regstate));
}

void set_program_name(proc* p, const char* program) {
    size_t n = strnlen(program, sizeof(p->program_) - 1);
    memcpy(p->program_, program, n);
    p->program_[n] = '\0';
    p->name_ = p->program_;
}

// Make `p` run `image` from its entry point (process start or exec).
void install_image(proc* p, regstate* regs, const user_image& image, const char* program,
                   int argc) {
    p->pagetable_ = image.pt;
    p->act_header_ = image.activations;
    p->act_entry_ = image.entry;
    p->act_tick_ = false;
    set_program_name(p, program);
    memcpy(p->fpu_, initial_fpu, sizeof(p->fpu_));
    set_entry_registers(regs, image.entry, image.rsp, argc, image.argv);
}

// Fill in a new process's proc and put it on the table (unless out of
// pids); the caller enqueues it.
int register_child(proc* parent, proc* child, x86_64_pagetable* pt) {
    child->is_user_ = true;
    child->pagetable_ = pt;
    child->cpu_index_ = choose_home_cpu();
    child->pstate_ = ps_runnable;
    spinlock_guard guard(process_lock);
    pid_t pid = allocate_pid_locked();
    if (pid < 0) {
        return pid;
    }
    child->id_ = pid;
    child->parent_ = parent;
    process_table.push_back(child);
    return pid;
}

}  // namespace

int exec_args::add(const char* s, size_t len) {
    if (argc == max_args || used + len + 1 > sizeof(strings)) {
        return E_2BIG;
    }
    offsets[argc++] = used;
    memcpy(strings + used, s, len);
    strings[used + len] = '\0';
    used += len + 1;
    return 0;
}

proc* process_lookup(pid_t pid) {
    for (proc* p = process_table.front(); p; p = process_table.next(p)) {
        if (p->id_ == pid) {
            return p;
        }
    }
    return nullptr;
}

void process_init() {
    fpu_initial_state(initial_fpu);
}

proc* process_spawn(proc* parent, const char* program, const exec_args& args, int* error) {
    proc* p = proc::allocate();
    if (!p) {
        *error = E_NOMEM;
        return nullptr;
    }
    user_image image;
    int r = build_address_space(program, args, &image);
    if (r == 0) {
        r = register_child(parent, p, image.pt);
        if (r < 0) {
            free_user_memory(image.pt);
        }
    }
    if (r < 0) {
        proc::free(p);
        *error = r;
        return nullptr;
    }
    regstate* regs = top_regstate(p);
    install_image(p, regs, image, program, args.argc);
    if (file* console = console_open_file()) {
        // Descriptors 0, 1 and 2: one console file, readable and writable.
        for (int fd = 0; fd < 3; ++fd) {
            p->fds_.install_at(fd, console);
        }
        console->put();
    } else {
        log_printf(log_level::warn, "process %d (%s): no memory for the console file; "
                   "it starts without descriptors\n", p->id_, p->program_);
    }
    tag_user_pages(image.pt, p->id_);
    p->regs_ = regs;
    cpus[p->cpu_index_].enqueue(p);
    return p;
}

int process_exec(proc* p, regstate* regs, const char* program, const exec_args& args) {
    user_image image;
    int r = build_address_space(program, args, &image);
    if (r < 0) {
        return r;
    }
    x86_64_pagetable* old = p->pagetable_;
    {
        irqstate s = irqstate::save_and_disable();
        install_image(p, regs, image, program, args.argc);
        set_pagetable(image.pt);
        fxrstor(p->fpu_);
        s.restore();
    }
    tag_user_pages(image.pt, p->id_);
    free_user_memory(old);
    return 0;
}

pid_t process_fork(proc* parent, const regstate* regs) {
    // LAB proc BEGIN: exercise 1, fork: a new proc with a copy of every user page (the console page shared), its own pid, the parent's registers with RAX 0, queued to run
    proc* child = proc::allocate();
    if (!child) {
        return E_NOMEM;
    }
    x86_64_pagetable* pt = new_user_pagetable();
    int r = pt ? 0 : E_NOMEM;
    // Copy every user page except the console page, which stays shared.
    // The activation segment is copied too: a child forked inside a handler
    // goes on running on its copy of the slot, and one forked with
    // `disabled` set is still disabled (tests/user/p-act-fork).
    if (r == 0) {
        for_each_user_page(parent->pagetable_, [&](uintptr_t va, x86_64_pageentry_t e) {
            uint64_t pa = e & PTE_PAMASK;
            if (r < 0 || pa == CONSOLE_PAGE) {
                return;
            }
            uint64_t perm = e & (PTE_PWU | PTE_NX);
            r = map_new_page(pt, va, perm, [&](char* page) {
                memcpy(page, pa2kptr<char>(pa), PAGESIZE);
            }, true);
        });
    }
    act_header* activations = nullptr;
    if (r == 0) {
        activations = activation_header_in(pt);
        assert(activations, "a process without an activation header");
        r = register_child(parent, child, pt);
    }
    if (r < 0) {
        if (pt) {
            free_user_memory(pt);
        }
        proc::free(child);
        return r;
    }
    pid_t pid = child->id_;
    tag_user_pages(pt, pid);
    set_program_name(child, parent->program_);
    child->act_header_ = activations;
    child->act_entry_ = parent->act_entry_;
    fxsave(child->fpu_);                // the parent's live FPU state
    child->fds_.copy_from(parent->fds_);    // sharing every open file
    regstate* child_regs = top_regstate(child);
    *child_regs = *regs;
    child_regs->reg_rax = 0;            // fork returns 0 in the child
    child->regs_ = child_regs;
    cpus[child->cpu_index_].enqueue(child);
    return pid;
    // LAB proc STUB: (void) parent;
    // LAB proc STUB: (void) regs;
    // LAB proc STUB: return E_NOSYS;
    // LAB proc END
}

void process_exit(proc* p, int status) {
    assert(p == current() && p->is_user_);
    // Leave the user address space for the kernel's, then free it.
    x86_64_pagetable* pt = p->pagetable_;
    {
        irqstate s = irqstate::save_and_disable();
        p->pagetable_ = kernel_pagetable;
        set_pagetable(kernel_pagetable);
        s.restore();
    }
    p->act_header_ = nullptr;
    free_user_memory(pt);
    // Close every descriptor before the parent can see us exit: a pipe's
    // write end closed here lets the parent's read return 0.
    p->fds_.close_all();

    proc* init = nullptr;
    proc* parent;
    bool orphaned_zombie = false;
    {
        spinlock_guard guard(process_lock);
        init = process_lookup(PID_INIT);
        // LAB proc BEGIN: exercise 3, reparenting: the children of p go to init, and init must hear of any that already exited
        // Children go to init; init reaps any that already exited.
        for (proc* c = process_table.front(); c; c = process_table.next(c)) {
            if (c->parent_ == p) {
                c->parent_ = init;
                orphaned_zombie |= c->pstate_ == ps_exited;
            }
        }
        // LAB proc END
        p->exit_status_ = status;
        parent = p->parent_;
        // From here on waitpid may find us; it frees us only once the CPU
        // has left this stack (descheduled_).
        p->pstate_ = ps_exited;
        parent->child_exited_ = true;
        parent->child_wait_.wake_all();
        parent->wake();                 // interrupts an msleep
    }
    if (orphaned_zombie && init != parent) {
        init->child_wait_.wake_all();
    }
    p->yield_noreturn();
}

void process_kill(proc* p, const char* why, int status) {
    log_printf(log_level::warn, "process %d (%s) killed: %s\n", p->id_, p->program_, why);
    process_exit(p, status);
}

int process_request_kill(pid_t pid) {
    spinlock_guard guard(process_lock);
    proc* p = process_lookup(pid);
    if (!p || p->pstate_ == ps_exited) {
        return E_SRCH;
    }
    if (!p->is_user_) {
        return E_PERM;
    }
    p->kill_requested_ = true;
    // A blocked process re-checks its wait, which gives up (see the
    // predicates that test kill_requested_); a running one dies at its
    // next interrupt or system-call return.
    p->wake();
    return 0;
}

void process_check_kill(proc* p) {
    if (p->kill_requested_) {
        process_kill(p, "killed from the console", KILLED_STATUS_CONSOLE);
    }
}

void process_for_each(void (*fn)(proc* p, void* arg), void* arg) {
    spinlock_guard guard(process_lock);
    for (proc* c = process_table.front(); c; c = process_table.next(c)) {
        fn(c, arg);
    }
}

pid_t process_waitpid(proc* p, pid_t pid, int* status, int options) {
    proc* zombie = nullptr;
    int result = 0;
    waiter w;
    w.block_until(p->child_wait_, [&] {
        if (p->kill_requested_) {
            result = E_INTR;            // dies on its way out (process_check_kill)
            return true;
        }
        spinlock_guard guard(process_lock);
        bool any = false;
        for (proc* c = process_table.front(); c; c = process_table.next(c)) {
            if (c->parent_ != p || (pid != 0 && c->id_ != pid)) {
                continue;
            }
            any = true;
            if (c->pstate_ == ps_exited) {
                zombie = c;
                process_table.erase(c);
                return true;
            }
        }
        if (!any) {
            result = E_CHILD;
            return true;
        }
        if (options & W_NOHANG) {
            result = E_AGAIN;
            return true;
        }
        return false;
    });
    if (!zombie) {
        return result;
    }
    // The zombie is off the table; wait for its CPU to leave its stack.
    while (!zombie->descheduled_) {
        pause();
    }
    pid_t reaped = zombie->id_;
    if (status) {
        *status = zombie->exit_status_;
    }
    proc::free(zombie);
    return reaped;
}

bool user_address_allocatable(uintptr_t va) {
    return va >= USER_TEXT_BASE && va < VA_LOWEND && va % PAGESIZE == 0
        && !user_range_overlaps_reserved(va, va + PAGESIZE);
}

int process_page_alloc(proc* p, uintptr_t va) {
    if (!user_address_allocatable(va)) {
        return E_INVAL;
    }
    void* page = kalloc_page();
    if (!page) {
        return E_NOMEM;
    }
    vmiter it(p->pagetable_, va);
    uint64_t old = it.present() ? it.pa() : UINT64_MAX;
    if (it.map(kva2pa(page), user_perm(true, false)) < 0) {
        kfree(page);
        return E_NOMEM;
    }
    memviewer_tag(kva2pa(page), p->id_);
    if (old != UINT64_MAX) {
        memviewer_tag(old, 0);
        kfree(pa2kptr<void>(old));      // replaced: the old page is gone
    }
    return 0;
}

void process_become_init(proc* p) {
    spinlock_guard guard(process_lock);
    assert(!process_lookup(PID_INIT));
    p->id_ = PID_INIT;
    p->parent_ = nullptr;
    p->name_ = "init";
    process_table.push_back(p);
    next_pid = PID_INIT + 1;
}
