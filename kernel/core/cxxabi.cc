// cxxabi.cc — the two C++ runtime hooks the compiler's output expects.
//
// Global objects with destructors register them with __cxa_atexit. The
// kernel never exits, so registration does nothing.
extern "C" {
void* __dso_handle;
int __cxa_atexit(void (*)(void*), void*, void*) {
    return 0;
}
}
