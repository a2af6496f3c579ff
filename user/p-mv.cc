// p-mv.cc — `mv OLD NEW`: renames a file (sys_rename), replacing NEW.
#include "u-lib.hh"
#include "ucmd.hh"

void process_main(int argc, char** argv) {
    if (argc != 3) {
        dprintf(2, "usage: mv OLD NEW\n");
        sys_exit(2);
    }
    if (int r = sys_rename(argv[1], argv[2]); r < 0) {
        report_error("mv", argv[1], r);
        sys_exit(1);
    }
    sys_exit(0);
}
