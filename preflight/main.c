/* SPDX-License-Identifier: MIT */
/* kubeprep's entry point: parse the command line and run the verb (options.c's table). */
#include <locale.h>

#include "options.h"

int main(int argc, char **argv) {
        setlocale(LC_ALL, "");
        _cleanup_(options_free) struct options opts = {};
        const struct verb *verb;
        if (options_parse(argc, argv, &opts, &verb) < 0)
                return 2;
        return verb->run(&opts);
}
