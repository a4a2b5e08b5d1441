/* SPDX-License-Identifier: MIT */
/* kubeprep's entry point: parse the command line and run the verb (options.c's table). */
#include <locale.h>
#include <malloc.h>

#include "options.h"

int main(int argc, char **argv) {
        /* Arrays of 128 KiB and more (the edits of 10,000 users, their indexes) are mapped each on its
         * own. By default glibc raises this threshold to the size of the first such array freed, and
         * the next ones grow in the heap instead, every step leaving the copy before it as a hole:
         * a megabyte of a plan for 10,000 users. */
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        setlocale(LC_ALL, "");
        _cleanup_(options_free) struct options opts = {};
        const struct verb *verb;
        if (options_parse(argc, argv, &opts, &verb) < 0)
                return 2;
        return verb->run(&opts);
}
