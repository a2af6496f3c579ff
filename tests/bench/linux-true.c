/* linux-true.c — exits 0 at once, with no C library: the small program
 * linux-bench's exec row runs (the twin of Nuthatch's user/p-true.cc).
 * Built static with -nostdlib; /true in the Linux guest's initramfs. */
void _start(void) {
    __asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
    __builtin_unreachable();
}
