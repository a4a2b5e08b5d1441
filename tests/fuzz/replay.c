/* SPDX-License-Identifier: MIT */
/* Replay driver: feeds every file of the directories (or files) named on the command line to the
 * target's LLVMFuzzerTestOneInput, one TAP test point per file, so the corpora and the regression
 * inputs run as ordinary tests with any compiler (no libFuzzer needed). A violated property aborts. */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/util.h"
#include "engine/datadir.h"
#include "fuzz-common.h"

static int count;

static int run_file(const char *path) {
        char *data = NULL;
        size_t len = 0;
        int r = read_host_file(path, &data, &len);
        if (r < 0) {
                printf("not ok %d - %s: %s\n", ++count, path, strerror(-r));
                return -1;
        }
        /* an exactly sized copy, as libFuzzer passes it, so reads past the end are caught */
        uint8_t *exact = malloc(len ? len : 1);
        if (!exact)
                abort();
        memcpy(exact, data, len);
        free(data);
        fprintf(stderr, "running %s\n", path);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
        printf("ok %d - %s\n", ++count, path);
        fflush(stdout);
        return 0;
}

static int run_dir(const char *dir) {
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOTDIR ? run_file(dir) : (errno == ENOENT ? 0 : -1);
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                names = realloc(names, (n + 1) * sizeof(*names));
                if (!names || asprintf(&names[n++], "%s/%s", dir, de->d_name) < 0)
                        abort();
        }
        closedir(d);
        if (n > 0) /* names is NULL for an empty directory, and qsort must not get NULL */
                qsort(names, n, sizeof(*names), strcmp_ptr);
        int r = 0;
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
                        r |= run_dir(names[i]);
                else
                        r |= run_file(names[i]);
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char **argv) {
        int r = 0;
        for (int i = 1; i < argc; i++)
                r |= run_dir(argv[i]);
        if (count == 0)
                printf("ok 1 - no inputs # SKIP nothing to replay\n"), count = 1;
        printf("1..%d\n", count);
        return r ? 1 : 0;
}
