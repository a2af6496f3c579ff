// process.cc — the process table and the process life cycle (see
// process.hh).
#include "process.hh"
#include <new>
#include "abi/errno.hh"
#include "abi/user-memlayout.hh"
#include "abi/activation.h"
#include "activation.hh"
#include "arch/cpufeatures.hh"
#include "apic.hh"
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

list<process, &process::process_links_> process_table;     // [P]
pid_t next_pid = PID_INIT;                          // [P] next id to try
constexpr pid_t pid_limit = 1 << 22;
std::atomic<unsigned> next_home_cpu{0};

// The FPU state a new program starts with (captured once from a clean
// `fninit` + default MXCSR).
alignas(16) uint8_t initial_fpu[512];

// Process ids and thread ids are one number space: an id is taken while
// a process (zombies included) has it as its pid or a live thread has it
// as its thread id.
bool id_in_use_locked(pid_t id) {
    for (process* p = process_table.front(); p; p = process_table.next(p)) {
        if (p->id_ == id) {
            return true;
        }
        for (proc* t = p->threads_.front(); t; t = p->threads_.next(t)) {
            if (t->id_ == id) {
                return true;
            }
        }
    }
    return false;
}

pid_t allocate_pid_locked() {
    for (int tries = 0; tries < pid_limit; ++tries) {
        pid_t pid = next_pid;
        next_pid = next_pid + 1 < pid_limit ? next_pid + 1 : PID_INIT + 1;
        if (!id_in_use_locked(pid)) {
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
// it (`fill_covers_page`), as fork's copy and the loader do.
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
                // The part of [seg.va, seg.va + filesz) inside this page
                // comes from the file; the rest is zeroed.
                uintptr_t lo = va > seg.va ? va : seg.va;
                uintptr_t hi = va + PAGESIZE < seg.va + seg.filesz ? va + PAGESIZE
                                                                   : seg.va + seg.filesz;
                if (lo < hi) {
                    memset(page, 0, lo - va);
                    memset(page + (hi - va), 0, va + PAGESIZE - hi);
                    ssize_t n = file->read_at(iobuf::kernel(page + (lo - va), hi - lo),
                                              off_t(seg.offset + (lo - seg.va)));
                    // A file that shrank since its size was read.
                    error = n == ssize_t(hi - lo) ? 0 : n < 0 ? int(n) : E_NOEXEC;
                    if (error == 0) {
                        return;
                    }
                }
                memset(page, 0, PAGESIZE);      // .bss, or a failed read
            }, true);
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

// The regstate at the top of a thread's kernel stack. proc_resume_regs
// (switch.S) calls a function with RSP there: it must stay 16-byte aligned.
static_assert(sizeof(regstate) % 16 == 0);
regstate* top_regstate(proc* t) {
    return reinterpret_cast<regstate*>(t->kernel_stack_top() - sizeof(regstate));
}

void set_program_name(process* p, const char* program) {
    size_t n = strnlen(program, sizeof(p->program_) - 1);
    memcpy(p->program_, program, n);
    p->program_[n] = '\0';
}

// Make thread `t` of process `p` run `image` from its entry point
// (process start or exec).
void install_image(process* p, proc* t, regstate* regs, const user_image& image,
                   const char* program, int argc) {
    p->pagetable_ = image.pt;
    p->act_header_ = image.activations;
    p->act_entry_ = image.entry;
    t->pagetable_ = image.pt;
    t->act_tick_ = false;
    {
        // A fresh segment: the (only) thread takes control block 0.
        spinlock_guard guard(process_lock);
        p->act_blocks_ = 0;
        activation_attach_locked(p, t, 0, true);
    }
    set_program_name(p, program);
    memcpy(t->fpu_, initial_fpu, sizeof(t->fpu_));
    set_entry_registers(regs, image.entry, image.rsp, argc, image.argv);
}

// Make `t` a user thread of `p` (not yet on any list) on a home CPU.
void init_thread(process* p, proc* t) {
    t->process_ = p;
    t->is_user_ = true;
    t->pagetable_ = p->pagetable_;
    t->name_ = p->program_;
    t->cpu_index_ = choose_home_cpu();
    t->pstate_ = ps_runnable;
}

// Put a new process `child` (first thread `t`) on the table as a child of
// `parent`, unless out of ids; the caller enqueues `t`.
int register_child(process* parent, process* child, proc* t, x86_64_pagetable* pt) {
    child->pagetable_ = pt;
    init_thread(child, t);
    spinlock_guard guard(process_lock);
    pid_t pid = allocate_pid_locked();
    if (pid < 0) {
        return pid;
    }
    child->id_ = pid;
    t->id_ = pid;
    child->parent_ = parent;
    child->threads_.push_back(t);
    child->nthreads_ = 1;
    process_table.push_back(child);
    return pid;
}

// Free a process that never ran (out of memory or ids on the way).
void discard_new_process(process* p, proc* t) {
    delete p;
    proc::free(t);
}

// Ask thread `t` to end (process_lock held): set its flag, wake it if it
// is blocked (every interruptible wait re-checks the flag), and interrupt
// its CPU if it is running there now, so it reaches return_to_user
// within an IPI rather than a tick.
void request_end_locked(proc* t) {
    t->kill_requested_ = true;
    t->wake();
    cpustate* c = &cpus[t->cpu_index_];
    if (c->current_ == t && c != this_cpu()) {
        lapic_send_ipi(c->lapic_id_, INT_IPI_RESCHEDULE);
    }
}

// Every thread of `p` but `except` must end (process_lock held).
void end_other_threads_locked(process* p, proc* except) {
    // LAB threads BEGIN: exercise 2, exit ends every thread: ask each thread of p but `except` to end (request_end_locked)
    for (proc* t = p->threads_.front(); t; t = p->threads_.next(t)) {
        if (t != except) {
            request_end_locked(t);
        }
    }
    // LAB threads STUB: // Only the first thread is told: enough while no process has more than one.
    // LAB threads STUB: if (proc* t = p->threads_.front(); t && t != except) {
    // LAB threads STUB:     request_end_locked(t);
    // LAB threads STUB: }
    // LAB threads END
}

// The process is ending with `status` (the first caller's status wins);
// every thread of it but `except` is asked to end (process_lock held).
void begin_exit_locked(process* p, int status, proc* except) {
    if (!p->exiting_) {
        p->exiting_ = true;
        p->exit_status_ = status;
    }
    end_other_threads_locked(p, except);
}

// Move the dead threads of `p` whose CPUs have left them to `out`
// (process_lock held); the caller frees them after dropping the lock.
void collect_dead_locked(process* p, list<proc, &proc::thread_links_>& out) {
    proc* t = p->dead_.front();
    while (t) {
        proc* next = p->dead_.next(t);
        if (t->descheduled_) {
            p->dead_.erase(t);
            out.push_back(t);
        }
        t = next;
    }
}

void free_threads(list<proc, &proc::thread_links_>& l) {
    while (proc* t = l.pop_front()) {
        proc::free(t);
    }
}

[[noreturn]] void finish_process(process* p, proc* t);

// Thread `t` (the current one) ends. If it is the last of its process,
// the process exits (with `status` unless it was already exiting).
[[noreturn]] void end_thread(proc* t, int status) {
    assert(t == current() && t->is_user_);
    process* p = t->process_;
    // Leave the user address space first: from here on this thread never
    // touches it, so the last thread may free it while this CPU is still
    // on its way out of this stack.
    {
        irqstate s = irqstate::save_and_disable();
        t->pagetable_ = kernel_pagetable;
        set_pagetable(kernel_pagetable);
        s.restore();
    }
    list<proc, &proc::thread_links_> reclaim;
    bool last;
    {
        spinlock_guard guard(process_lock);
        p->threads_.erase(t);
        --p->nthreads_;
        activation_detach_locked(p, t);
        last = p->nthreads_ == 0;
        if (last && !p->exiting_) {
            p->exiting_ = true;
            p->exit_status_ = status;
        }
        if (!last) {
            collect_dead_locked(p, reclaim);
        }
        // Freed once descheduled_: by a later clone or texit of a thread
        // of p, or by the waitpid that reaps p.
        p->dead_.push_back(t);
    }
    free_threads(reclaim);
    if (last) {
        finish_process(p, t);
    }
    p->thread_wait_.wake_all();         // exec may be waiting for this
    // No preemption from here (interrupts are off in system calls and on
    // the way to user mode), so nothing runs this task after this store
    // but the yield; the scheduler then sets descheduled_.
    t->pstate_ = ps_exited;
    t->yield_noreturn();
}

// The last thread `t` of `p` ends: free the address space, close the
// descriptors, hand the children to init, and become a zombie for the
// parent to reap.
[[noreturn]] void finish_process(process* p, proc* t) {
    x86_64_pagetable* pt = p->pagetable_;
    p->pagetable_ = nullptr;
    p->act_header_ = nullptr;
    free_user_memory(pt);
    // Close every descriptor before the parent can see us exit: a pipe's
    // write end closed here lets the parent's read return 0.
    p->fds_.close_all();

    process* init = nullptr;
    process* parent;
    bool orphaned_zombie = false;
    {
        spinlock_guard guard(process_lock);
        init = process_lookup(PID_INIT);
        // LAB proc BEGIN: exercise 3, reparenting: the children of p go to init, and init must hear of any that already exited
        // Children go to init; init reaps any that already exited.
        for (process* c = process_table.front(); c; c = process_table.next(c)) {
            if (c->parent_ == p) {
                c->parent_ = init;
                orphaned_zombie |= c->zombie_;
            }
        }
        // LAB proc END
        parent = p->parent_;
        // From here on waitpid may find p; it frees p and its threads only
        // once each one's CPU has left it (descheduled_).
        p->zombie_ = true;
        t->pstate_ = ps_exited;
        parent->child_exited_ = true;
        parent->child_wait_.wake_all();
        for (proc* th = parent->threads_.front(); th; th = parent->threads_.next(th)) {
            th->wake();                 // interrupts an msleep
        }
    }
    if (orphaned_zombie && init != parent) {
        init->child_wait_.wake_all();
    }
    t->yield_noreturn();
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

process* process_lookup(pid_t pid) {
    for (process* p = process_table.front(); p; p = process_table.next(p)) {
        if (p->id_ == pid) {
            return p;
        }
    }
    return nullptr;
}

void process_init() {
    fpu_initial_state(initial_fpu);
}

spinlock* process_mm_lock_for(x86_64_pagetable* pt) {
    process* p = current()->process_;
    return p && p->pagetable_ == pt && pt ? &p->mm_lock_ : nullptr;
}

proc* process_spawn(proc* parent, const char* program, const exec_args& args, int* error) {
    proc* t = proc::allocate();
    process* p = t ? new process : nullptr;
    if (!p) {
        proc::free(t);
        *error = E_NOMEM;
        return nullptr;
    }
    user_image image;
    int r = build_address_space(program, args, &image);
    if (r == 0) {
        r = register_child(parent->process_, p, t, image.pt);
        if (r < 0) {
            free_user_memory(image.pt);
        }
    }
    if (r < 0) {
        discard_new_process(p, t);
        *error = r;
        return nullptr;
    }
    regstate* regs = top_regstate(t);
    install_image(p, t, regs, image, program, args.argc);
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
    t->regs_ = regs;
    cpus[t->cpu_index_].enqueue(t);
    return t;
}

int process_exec(proc* t, regstate* regs, const char* program, const exec_args& args) {
    user_image image;
    int r = build_address_space(program, args, &image);
    if (r < 0) {
        return r;
    }
    // The other threads end first (they die on their way to user mode);
    // wait until this is the only thread. If this thread is asked to end
    // meanwhile (an exit, or an exec in another thread that got there
    // first), give up: the process is unchanged and this thread ends.
    process* p = t->process_;
    bool alone = false;
    {
        spinlock_guard guard(process_lock);
        if (!t->kill_requested_) {
            end_other_threads_locked(p, t);
        }
    }
    waiter w;
    w.block_until(p->thread_wait_, [&] {
        if (t->kill_requested_) {
            return true;
        }
        spinlock_guard guard(process_lock);
        alone = p->nthreads_ == 1;
        return alone;
    });
    if (!alone || t->kill_requested_) {
        free_user_memory(image.pt);
        return E_INTR;
    }
    x86_64_pagetable* old = p->pagetable_;
    {
        irqstate s = irqstate::save_and_disable();
        install_image(p, t, regs, image, program, args.argc);
        set_pagetable(image.pt);
        fxrstor(t->fpu_);
        activation_load_fs(t);
        s.restore();
    }
    tag_user_pages(image.pt, p->id_);
    free_user_memory(old);
    return 0;
}

pid_t process_fork(proc* t, const regstate* regs) {
    // LAB proc BEGIN: exercise 1, fork: a new process and thread with a copy of every user page (the console page shared), its own pid, the parent's registers with RAX 0, queued to run
    process* parent = t->process_;
    proc* child_thread = proc::allocate();
    process* child = child_thread ? new process : nullptr;
    if (!child) {
        proc::free(child_thread);
        return E_NOMEM;
    }
    x86_64_pagetable* pt = new_user_pagetable();
    int r = pt ? 0 : E_NOMEM;
    // Copy every user page except the console page, which stays shared.
    // The activation segment is copied too: a child forked inside a handler
    // goes on running on its copy of the slot, and one forked with
    // `disabled` set is still disabled (tests/user/p-act-fork). Other
    // threads of the parent may be changing mappings: hold mm_lock_.
    if (r == 0) {
        spinlock_guard guard(parent->mm_lock_);
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
        r = register_child(parent, child, child_thread, pt);
    }
    if (r < 0) {
        if (pt) {
            free_user_memory(pt);
        }
        discard_new_process(child, child_thread);
        return r;
    }
    pid_t pid = child->id_;
    tag_user_pages(pt, pid);
    set_program_name(child, parent->program_);
    child->act_header_ = activations;
    child->act_entry_ = parent->act_entry_;
    {
        // The child's thread goes on with its copy of the forking thread's
        // control block, as it was (tests/user/p-act-fork).
        spinlock_guard guard(process_lock);
        activation_attach_locked(child, child_thread, t->act_index_, false);
    }
    fxsave(child_thread->fpu_);         // the parent's live FPU state
    child->fds_.copy_from(parent->fds_);    // sharing every open file
    regstate* child_regs = top_regstate(child_thread);
    *child_regs = *regs;
    child_regs->reg_rax = 0;            // fork returns 0 in the child
    child_thread->regs_ = child_regs;
    cpus[child_thread->cpu_index_].enqueue(child_thread);
    return pid;
    // LAB proc STUB: (void) t;
    // LAB proc STUB: (void) regs;
    // LAB proc STUB: return E_NOSYS;
    // LAB proc END
}

pid_t process_clone(proc* t, const regstate* regs, uintptr_t stack_top) {
    // LAB threads BEGIN: exercise 1, clone: check stack_top, a new thread of t's process with a fresh id, t's registers with RAX 0 and RSP stack_top, t's FPU state, queued to run
    // The new stack must end inside the user half; whether it is mapped is
    // the program's business (the thread faults on it, and the process
    // dies, as for any fault).
    if (stack_top <= USER_TEXT_BASE || stack_top > VA_LOWEND) {
        return E_FAULT;
    }
    process* p = t->process_;
    proc* nt = proc::allocate();
    if (!nt) {
        return E_NOMEM;
    }
    init_thread(p, nt);
    regstate* nregs = top_regstate(nt);
    *nregs = *regs;
    nregs->reg_rax = 0;                 // clone returns 0 in the new thread
    nregs->reg_rsp = stack_top;
    nt->regs_ = nregs;
    fxsave(nt->fpu_);                   // the caller's live FPU state
    list<proc, &proc::thread_links_> reclaim;
    pid_t tid;
    {
        spinlock_guard guard(process_lock);
        collect_dead_locked(p, reclaim);
        tid = t->kill_requested_ ? E_INTR : allocate_pid_locked();
        if (tid > 0) {
            nt->id_ = tid;
            p->threads_.push_back(nt);
            ++p->nthreads_;
            activation_attach_locked(p, nt, -1, true);
        }
    }
    free_threads(reclaim);
    if (tid < 0) {
        proc::free(nt);
        return tid;
    }
    cpus[nt->cpu_index_].enqueue(nt);
    return tid;
    // LAB threads STUB: (void) t;
    // LAB threads STUB: (void) regs;
    // LAB threads STUB: (void) stack_top;
    // LAB threads STUB: return E_NOSYS;     // no thread is ever created
    // LAB threads END
}

void process_exit(proc* t, int status) {
    {
        spinlock_guard guard(process_lock);
        begin_exit_locked(t->process_, status, t);
    }
    end_thread(t, status);
}

void process_texit(proc* t, int status) {
    // LAB threads BEGIN: exercise 3, texit: end only this thread; the last thread's status becomes the process's
    end_thread(t, status);
    // LAB threads STUB: process_exit(t, status);     // the whole process ends
    // LAB threads END
}

void process_kill(proc* t, const char* why, int status) {
    log_printf(log_level::warn, "process %d (%s) killed: %s\n", t->process_->id_,
               t->process_->program_, why);
    process_exit(t, status);
}

int process_request_kill(pid_t pid) {
    char program[sizeof(process::program_)];
    {
        spinlock_guard guard(process_lock);
        process* p = process_lookup(pid);
        if (!p || p->exiting_) {
            return E_SRCH;
        }
        if (p->id_ == PID_INIT) {
            return E_PERM;
        }
        // Every thread ends: a blocked one re-checks its wait, which gives
        // up (see the predicates that test kill_requested_); a running one
        // ends at its next interrupt or system-call return.
        begin_exit_locked(p, KILLED_STATUS_CONSOLE, nullptr);
        memcpy(program, p->program_, sizeof(program));
    }
    log_printf(log_level::warn, "process %d (%s) killed: killed from the console\n", pid,
               program);
    return 0;
}

void process_check_kill(proc* t) {
    if (t->kill_requested_) {
        end_thread(t, 0);               // the status was set by whoever asked
    }
}

void process_for_each(void (*fn)(process* p, void* arg), void* arg) {
    spinlock_guard guard(process_lock);
    for (process* c = process_table.front(); c; c = process_table.next(c)) {
        fn(c, arg);
    }
}

pid_t process_waitpid(proc* t, pid_t pid, int* status, int options) {
    process* p = t->process_;
    process* zombie = nullptr;
    int result = 0;
    waiter w;
    w.block_until(p->child_wait_, [&] {
        if (t->kill_requested_) {
            result = E_INTR;            // ends on its way out (process_check_kill)
            return true;
        }
        spinlock_guard guard(process_lock);
        bool any = false;
        for (process* c = process_table.front(); c; c = process_table.next(c)) {
            if (c->parent_ != p || (pid != 0 && c->id_ != pid)) {
                continue;
            }
            any = true;
            if (c->zombie_) {
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
    // The zombie is off the table and has no threads left: nobody else
    // touches it. Wait for each thread's CPU to leave its stack.
    while (proc* dead = zombie->dead_.pop_front()) {
        while (!dead->descheduled_) {
            pause();
        }
        proc::free(dead);
    }
    pid_t reaped = zombie->id_;
    if (status) {
        *status = zombie->exit_status_;
    }
    delete zombie;
    return reaped;
}

bool user_address_allocatable(uintptr_t va) {
    return va >= USER_TEXT_BASE && va < VA_LOWEND && va % PAGESIZE == 0
        && !user_range_overlaps_reserved(va, va + PAGESIZE);
}

int process_page_alloc(process* p, uintptr_t va) {
    if (!user_address_allocatable(va)) {
        return E_INVAL;
    }
    void* page = kalloc_page();
    if (!page) {
        return E_NOMEM;
    }
    bool mapped, replaced = false;
    {
        // Other threads of the process may be using the page already
        // mapped here — in user mode on other CPUs through their TLBs, or
        // in the kernel through uaccess.cc (under this lock). Freeing it
        // would let them write into memory that is no longer theirs, so a
        // page already mapped is zeroed in place instead: to the program
        // that is the same fresh zeroed page Chickadee gives. Its
        // permissions change (text becomes writable and not executable),
        // so the other CPUs running this address space flush their TLBs
        // (below) before the call returns.
        spinlock_guard guard(p->mm_lock_);
        vmiter it(p->pagetable_, va);
        if (it.present()) {
            memset(pa2kptr<void>(it.pa()), 0, PAGESIZE);
            mapped = it.map(it.pa(), user_perm(true, false)) >= 0;
            invlpg(va);
            replaced = true;
        } else {
            mapped = it.map(kva2pa(page), user_perm(true, false)) >= 0;
        }
    }
    if (replaced) {
        tlb_shootdown(p->pagetable_);   // after the lock: see vm.hh
    }
    if (!mapped || replaced) {
        kfree(page);
        return mapped ? 0 : E_NOMEM;
    }
    memviewer_tag(kva2pa(page), p->id_);
    return 0;
}

void process_become_init(proc* t) {
    auto* p = new process;
    assert(p, "no memory for init's process");
    spinlock_guard guard(process_lock);
    assert(!process_lookup(PID_INIT));
    p->id_ = PID_INIT;
    p->parent_ = nullptr;
    set_program_name(p, "init");
    p->threads_.push_back(t);
    p->nthreads_ = 1;
    t->process_ = p;
    t->id_ = PID_INIT;
    t->name_ = "init";
    process_table.push_back(p);
    next_pid = PID_INIT + 1;
}
