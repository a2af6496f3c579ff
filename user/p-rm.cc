// p-rm.cc — `rm FILE...`: removes each name (sys_unlink). Open
// descriptors keep working until closed. Status 1 if any name failed.
#include "u-lib.hh"
#include "ucmd.hh"

void process_main(int argc, char** argv) {
    if (argc < 2) {
        dprintf(2, "usage: rm FILE...\n");
        sys_exit(2);
    }
    int status = 0;
    for (int i = 1; i < argc; ++i) {
        if (int r = sys_unlink(argv[i]); r < 0) {
            report_error("rm", argv[i], r);
            status = 1;
        }
    }
    sys_exit(status);
}
