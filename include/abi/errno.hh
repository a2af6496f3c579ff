// abi/errno.hh — system-call error values and call flags (user ↔ kernel ABI).
//
// A system call returns a result >= 0 or one of these small negative
// numbers in %rax. The values are those of docs/user-api.md (the Linux
// numbers, spelled Chickadee's way); a kernel handler returns them as is.
// Easy to get wrong: a call that returns a pointer-sized unsigned value must
// be tested with is_error(), not `< 0`.
#pragma once
#include <stdint.h>

#define E_PERM          (-1)    // operation not permitted
#define E_NOENT         (-2)    // no such file or directory
#define E_SRCH          (-3)    // no such process
#define E_INTR          (-4)    // interrupted system call
#define E_IO            (-5)    // I/O error
#define E_NXIO          (-6)    // no such device or address
#define E_2BIG          (-7)    // argument list too long
#define E_NOEXEC        (-8)    // exec format error
#define E_BADF          (-9)    // bad file descriptor
#define E_CHILD         (-10)   // no child processes
#define E_AGAIN         (-11)   // try again
#define E_NOMEM         (-12)   // out of memory
#define E_FAULT         (-14)   // bad address
#define E_BUSY          (-16)   // device or resource busy (sys_sync(2): a leaked block reference)
#define E_INVAL         (-22)   // invalid argument
#define E_NFILE         (-23)   // file table overflow
#define E_MFILE         (-24)   // too many open files
#define E_TXTBSY        (-26)   // text file busy
#define E_FBIG          (-27)   // file too large
#define E_NOSPC         (-28)   // no space left on device
#define E_SPIPE         (-29)   // illegal seek
#define E_PIPE          (-32)   // broken pipe
#define E_RANGE         (-34)   // result out of range
#define E_NAMETOOLONG   (-36)   // file name too long
#define E_NOSYS         (-38)   // no such system call
#define E_OVERFLOW      (-75)   // value too large for defined data type

// Every error is in [E_MINERROR, -1].
#define E_MINERROR      (-100)

// True if a raw system-call result is an error value.
inline constexpr bool is_error(uintptr_t r) {
    return r >= static_cast<uintptr_t>(E_MINERROR);
}

// sys_waitpid options.
#define W_NOHANG        1

// sys_open flags.
#define OF_READ         1
#define OF_WRITE        2
#define OF_CREATE       4
#define OF_CREAT        OF_CREATE       // Chickadee accepts both spellings
#define OF_TRUNC        8

// sys_lseek origins.
#define LSEEK_SET       0       // from the start of the file
#define LSEEK_CUR       1       // from the current position
#define LSEEK_END       2       // from the end of the file
#define LSEEK_SIZE      3       // return the file size; position unchanged
