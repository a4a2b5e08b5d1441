/* SPDX-License-Identifier: MIT */
/* Unit tests for the kubelet flags editor: a table of exact-byte cases, then set/remove runs over
 * every kubeadm-flags and kubeadm-dropin corpus file (CORPUS_DIR); and the table of flags removed from
 * the kubelet. */
#include <dirent.h>

#include "basic/util.h"
#include "fixers/shared/kubelet-files.h"
#include "formats/flags-edit.h"
#include "tap.h"
#include "test-util.h"

enum op { GET, SET, REMOVE };

struct flags_case {
        const char *name;
        enum flags_format fmt;
        enum op op;
        const char *var, *flag, *value;
        const char *input;
        int want_r;
        const char *want; /* GET: the value; SET/REMOVE: the new text (r == 1) or the error (r < 0) */
};

#define ENV FLAGS_ENV_FILE
#define UNIT FLAGS_SYSTEMD_DROPIN
#define KA "KUBELET_KUBEADM_ARGS"

static const struct flags_case cases[] = {
        /* ENV get */
        { "env get =form", ENV, GET, NULL, "cgroup-driver", NULL, KA "=\"--a=b --cgroup-driver=cgroupfs\"\n",
          1, "cgroupfs" },
        { "env get space form", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=\"--cgroup-driver systemd --v=2\"\n", 1, "systemd" },
        { "env get dashes given", ENV, GET, NULL, "--cgroup-driver", NULL, "A=\"--cgroup-driver=systemd\"\n",
          1, "systemd" },
        { "env get last wins across vars", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=\"--cgroup-driver=systemd\"\nB=\"--cgroup-driver=cgroupfs\"\n", 1, "cgroupfs" },
        { "env get later assignment replaces", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=\"--cgroup-driver=cgroupfs\"\nA=\"--v=2\"\n", 0, NULL },
        { "env get inner quotes removed", ENV, GET, NULL, "enforce-node-allocatable", NULL,
          KA "=\"--cgroup-driver=systemd --enforce-node-allocatable='' --x=1\"\n", 1, "" },
        { "env get underscore spelling", ENV, GET, NULL, "cgroup-driver", NULL,
          "DAEMON_ARGS=\"$DAEMON_ARGS --cgroup_driver=cgroupfs\"\n", 1, "cgroupfs" },
        { "env get bare boolean", ENV, GET, NULL, "fail-swap-on", NULL, "A=\"--fail-swap-on --v=2\"\n", 1,
          "true" },
        { "env get next word starting with - is no value", ENV, GET, NULL, "node-labels", NULL,
          "A=\"--node-labels --v=2\"\n", 1, "true" },
        { "env get bare value with leading space", ENV, GET, NULL, "kubelet-cgroups", NULL,
          "KUBELET_EXTRA_ARGS= --runtime-cgroups=/a --kubelet-cgroups=/b\n", 1, "/b" },
        { "env get single-quoted value", ENV, GET, NULL, "v", NULL, "A='--v=4'\n", 1, "4" },
        { "env get comment ignored", ENV, GET, NULL, "cgroup-driver", NULL,
          "# --cgroup-driver=cgroupfs\nA=\"--v=2\"\n", 0, NULL },
        { "env get prefix is not the flag", ENV, GET, NULL, "cgroup", NULL,
          "A=\"--cgroup-driver=x --cgroups-per-qos=false\"\n", 0, NULL },
        { "env get placeholder is a word", ENV, GET, NULL, "node-labels", NULL,
          "A=--node-labels=${node_labels} --x=1\n", 1, "${node_labels}" },
        { "env get unrelated broken line ignored", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=`date`\nB=\"--cgroup-driver=systemd\"\n", 1, "systemd" },
        { "env get refuses $(...)", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=\"$(cat /x) --cgroup-driver=x\"\n", -EBADMSG,
          "line 1: cannot interpret --cgroup-driver here: command substitution" },
        { "env get refuses unbalanced quote", ENV, GET, NULL, "cgroup-driver", NULL,
          "# x\nA=\"--cgroup-driver=systemd\n", -EBADMSG,
          "line 2: cannot interpret --cgroup-driver here: unbalanced quote" },
        { "env get refuses export line", ENV, GET, NULL, "cgroup-driver", NULL,
          "export A=\"--cgroup-driver=systemd\"\n", -EBADMSG,
          "line 1: cannot interpret --cgroup-driver here: not a VAR=value assignment" },
        { "env get quoted flag readable", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=\"'--cgroup-driver=cgroupfs'\"\n", 1, "cgroupfs" },

        /* ENV set */
        { "env set in place, trailing spaces kept", ENV, SET, KA, "cgroup-driver", "systemd",
          KA "=\"--cgroup-driver=cgroupfs --v=2\"    \n", 1, KA "=\"--cgroup-driver=systemd --v=2\"    \n" },
        { "env set space form kept", ENV, SET, KA, "cgroup-driver", "systemd",
          "A=\"--cgroup-driver cgroupfs --v=2\"\n", 1, "A=\"--cgroup-driver systemd --v=2\"\n" },
        { "env set collapses duplicates", ENV, SET, KA, "cgroup-driver", "systemd",
          "A=\"--x=1 --cgroup-driver=a --y=2 --cgroup-driver=b --cgroup-driver c\"\n", 1,
          "A=\"--x=1 --cgroup-driver=systemd --y=2\"\n" },
        { "env set collapses adjacent duplicates at start", ENV, SET, KA, "cgroup-driver", "systemd",
          "A=\"--cgroup-driver=a  --cgroup-driver=b --y=2\"\n", 1, "A=\"--cgroup-driver=systemd --y=2\"\n" },
        { "env set in another variable only", ENV, SET, KA, "cgroup-driver", "systemd",
          KA "=\"--v=2\"\nKUBELET_EXTRA_ARGS=\"--cgroup-driver=cgroupfs\"\n", 1,
          KA "=\"--v=2\"\nKUBELET_EXTRA_ARGS=\"--cgroup-driver=systemd\"\n" },
        { "env set every variable", ENV, SET, KA, "cgroup-driver", "systemd",
          "A=\"--cgroup-driver=x\"\nB=--cgroup-driver=y\n", 1,
          "A=\"--cgroup-driver=systemd\"\nB=--cgroup-driver=systemd\n" },
        { "env set appends inside quotes", ENV, SET, KA, "cgroup-driver", "systemd",
          "# c\n" KA "=\"--v=2\"\n", 1, "# c\n" KA "=\"--v=2 --cgroup-driver=systemd\"\n" },
        { "env set appends to empty quoted value", ENV, SET, "KUBELET_ARGS", "cgroup-driver", "systemd",
          "KUBELET_ARGS=\"\"\n", 1, "KUBELET_ARGS=\"--cgroup-driver=systemd\"\n" },
        /* a bare value with a blank is no longer one word to a shell sourcing the file: quoted (issue 12, C6) */
        { "env set appends to bare value", ENV, SET, "KUBELET_EXTRA_ARGS", "cgroup-driver", "systemd",
          "KUBELET_EXTRA_ARGS=--v=2  \n", 1, "KUBELET_EXTRA_ARGS=\"--v=2 --cgroup-driver=systemd\"  \n" },
        { "env set appends to empty bare value", ENV, SET, "OPTS", "cgroup-driver", "systemd",
          "ADDRESS=127.0.0.1\nOPTS=\n", 1, "ADDRESS=127.0.0.1\nOPTS=--cgroup-driver=systemd\n" },
        { "env set appends to the last assignment", ENV, SET, "A", "cgroup-driver", "systemd",
          "A=\"--v=1\"\nA=\"--v=2\"\n", 1, "A=\"--v=1\"\nA=\"--v=2 --cgroup-driver=systemd\"\n" },
        { "env set new line", ENV, SET, KA, "cgroup-driver", "systemd", "A=1\n", 1,
          "A=1\n" KA "=\"--cgroup-driver=systemd\"\n" },
        { "env set new line, no final newline", ENV, SET, KA, "cgroup-driver", "systemd", "A=1", 1,
          "A=1\n" KA "=\"--cgroup-driver=systemd\"" },
        { "env set new line, CRLF", ENV, SET, KA, "cgroup-driver", "systemd", "A=1\r\n", 1,
          "A=1\r\n" KA "=\"--cgroup-driver=systemd\"\r\n" },
        /* any CRLF line decides, not only the first line as in the other editors */
        { "env set new line, CRLF after LF", ENV, SET, KA, "cgroup-driver", "systemd", "A=1\nB=2\r\n", 1,
          "A=1\nB=2\r\n" KA "=\"--cgroup-driver=systemd\"\r\n" },
        { "env set empty file", ENV, SET, KA, "cgroup-driver", "systemd", "", 1,
          KA "=\"--cgroup-driver=systemd\"\n" },
        { "env set unchanged", ENV, SET, KA, "cgroup-driver", "systemd", KA "=\"--cgroup-driver=systemd\"",
          0, NULL },
        { "env set keeps value quotes", ENV, SET, KA, "image-credential-provider-bin-dir", "/b",
          "A=\"--image-credential-provider-bin-dir='/a' --v=2\"\n", 1,
          "A=\"--image-credential-provider-bin-dir='/b' --v=2\"\n" },
        { "env set bare boolean", ENV, SET, KA, "fail-swap-on", "false", "A=\"--fail-swap-on --v=2\"\n", 1,
          "A=\"--fail-swap-on=false --v=2\"\n" },
        { "env set empty value, space form", ENV, SET, KA, "node-labels", "",
          "A=\"--node-labels x --v=2\"\n", 1, "A=\"--node-labels= --v=2\"\n" },
        /* '$' would be expanded by a shell inside double quotes, never inside single ones (systemd: neither) */
        { "env set placeholder stays", ENV, SET, "KUBELET_EXTRA_ARGS", "cgroup-driver", "systemd",
          "KUBELET_EXTRA_ARGS=--node-labels=${node_labels} --network-plugin=cni\n", 1,
          "KUBELET_EXTRA_ARGS='--node-labels=${node_labels} --network-plugin=cni "
          "--cgroup-driver=systemd'\n" },
        { "env set keeps underscore spelling", ENV, SET, KA, "cgroup-driver", "systemd",
          "DAEMON_ARGS=\"$DAEMON_ARGS  --cgroup_driver=docker \"\n", 1,
          "DAEMON_ARGS=\"$DAEMON_ARGS  --cgroup_driver=systemd \"\n" },
        { "env set eviction", ENV, SET, KA, "eviction-hard", "memory.available<100Mi",
          "A=\"--eviction-hard=memory.available<50Mi\"\n", 1,
          "A=\"--eviction-hard=memory.available<100Mi\"\n" },
        { "env set refuses target line", ENV, SET, KA, "cgroup-driver", "systemd",
          KA "=\"--v=2 $(hostname)\"\n", -EBADMSG,
          "line 1: cannot add --cgroup-driver to " KA ": command substitution" },
        { "env set in place on a continued value", ENV, SET, KA, "cgroup-driver", "systemd",
          "A=\"--cgroup-driver=cgroupfs \\\n --v=2\"\n", 1, "A=\"--cgroup-driver=systemd \\\n --v=2\"\n" },
        { "env set refuses backticks on line 3", ENV, SET, KA, "cgroup-driver", "systemd",
          "# c\nA=\"--v=2\"\nB=\"--cgroup-driver=x `id`\"\n", -EBADMSG,
          "line 3: cannot interpret --cgroup-driver here: command substitution" },
        { "env set refuses quoted flag name", ENV, SET, KA, "cgroup-driver", "systemd",
          "A=\"'--cgroup-driver=cgroupfs'\"\n", -EBADMSG, "line 1: cannot edit a quoted flag name" },
        { "env set refuses unsafe value", ENV, SET, KA, "node-labels", "a b", "A=\"\"\n", -EINVAL,
          "value 'a b' cannot be written safely (whitespace, quote, '\\', '$' or '`')" },
        { "env set refuses bad var", ENV, SET, "1X", "v", "2", "A=\"\"\n", -EINVAL,
          "invalid variable name '1X'" },

        /* ENV remove */
        { "env remove middle", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=\"--v=2 --network-plugin=cni --x=1\"\n", 1, "A=\"--v=2 --x=1\"\n" },
        { "env remove first", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=\"--network-plugin=cni --x=1\"\n", 1, "A=\"--x=1\"\n" },
        { "env remove last", ENV, REMOVE, NULL, "network-plugin", NULL, "A=\"--x=1 --network-plugin=cni\"\n",
          1, "A=\"--x=1\"\n" },
        { "env remove only", ENV, REMOVE, NULL, "network-plugin", NULL, "A=\"--network-plugin=cni\"\n", 1,
          "A=\"\"\n" },
        { "env remove space form", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=\"--network-plugin cni --x=1\"\n", 1, "A=\"--x=1\"\n" },
        { "env remove everywhere, both forms", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=\"--network-plugin=cni --network-plugin kubenet\"\n#c\nB=--x=1 --network_plugin=cni\n", 1,
          "A=\"\"\n#c\nB=--x=1\n" },
        { "env remove keeps other spacing", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=\"--a=1  --network-plugin=cni  --b=2\"   \n", 1, "A=\"--a=1  --b=2\"   \n" },
        { "env remove bare with leading space", ENV, REMOVE, NULL, "network-plugin", NULL,
          "KUBELET_EXTRA_ARGS= --network-plugin=cni --x=1\n\n", 1, "KUBELET_EXTRA_ARGS= --x=1\n\n" },
        { "env remove absent", ENV, REMOVE, NULL, "network-plugin", NULL, "A=\"--x=1\"\n", 0, NULL },
        { "env remove refuses", ENV, REMOVE, NULL, "network-plugin", NULL, "A=\"--network-plugin=cni\n",
          -EBADMSG, "line 1: cannot interpret --network-plugin here: unbalanced quote" },

        /* A backslash at the end of a line continues an ENV value, bare or in double quotes, as systemd's
         * EnvironmentFile= reads it: the backslash-newline is dropped (issue 12, B1). */
        { "env get second line of a continued quoted value", ENV, GET, NULL, "cgroup-driver", NULL,
          KA "=\"--v=2 \\\n--cgroup-driver=systemd \\\n  --x=1\"\n", 1, "systemd" },
        { "env get continued bare value", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=--v=2 \\\n--cgroup-driver=cgroupfs\nB=1\n", 1, "cgroupfs" },
        { "env get a word a line continuation splits", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=\"--cgroup-driver=sys\\\ntemd\"\n", 1, "systemd" },
        { "env get a name a line continuation splits", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=\"--v=2 --cgroup-\\\ndriver=x\"\n", 1, "x" },
        { "env get a continued bare value ends at an empty line", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=--v=2 \\\n\n--cgroup-driver=x\n", -EBADMSG,
          "line 3: cannot interpret --cgroup-driver here: not a VAR=value assignment" },
        { "env get refuses a blank after the backslash", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=\"--v=2 \\ \n--cgroup-driver=x\"\n", -EBADMSG,
          "line 1: cannot interpret --cgroup-driver here: blanks after the backslash at the end of the "
          "line, which then does "
          "not continue it" },
        { "env get refuses a blank after the backslash of a bare value", ENV, GET, NULL, "cgroup-driver",
          NULL, "A=--v=2 --cgroup-driver=x \\\t\n--v=3\n", -EBADMSG,
          "line 1: cannot interpret --cgroup-driver here: blanks after the backslash at the end of the "
          "line, which then does not continue it" },
        { "env get refuses a backslash-newline in single quotes", ENV, GET, NULL, "cgroup-driver", NULL,
          "A='--v=2 \\\n--cgroup-driver=x'\n", -EBADMSG,
          "line 1: cannot interpret --cgroup-driver here: a newline inside quotes" },
        { "env get refuses a newline inside double quotes", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=\"--v=2\n--cgroup-driver=x\"\n", -EBADMSG,
          "line 1: cannot interpret --cgroup-driver here: a newline inside quotes" },
        { "env get refuses a line after a comment ending in a backslash", ENV, GET, NULL, "cgroup-driver",
          NULL, "# flags \\\nA=\"--cgroup-driver=x\"\n", -EBADMSG,
          "line 2: cannot interpret --cgroup-driver here: it follows a comment ending in a backslash, which "
          "systemd before 254 reads "
          "as part of the comment" },
        { "env get a comment ending in an escaped backslash ends", ENV, GET, NULL, "cgroup-driver", NULL,
          "# flags \\\\\nA=\"--cgroup-driver=x\"\n", 1, "x" },
        { "env get a continued comment ignores a blank line after it", ENV, GET, NULL, "cgroup-driver", NULL,
          "# flags \\\n\nA=\"--cgroup-driver=x\"\n", 1, "x" },
        { "env set on the second line of a continued value", ENV, SET, KA, "eviction-soft",
          "memory.available<1Gi", KA "=\"--v=2 \\\n--eviction-soft=memory.available<500Mi  \\\n--x=1\"\n", 1,
          KA "=\"--v=2 \\\n--eviction-soft=memory.available<1Gi  \\\n--x=1\"\n" },
        { "env set adds on the last line of a continued value", ENV, SET, KA, "cgroup-driver", "systemd",
          KA "=\"--v=2 \\\n  --x=1\"\n", 1, KA "=\"--v=2 \\\n  --x=1 --cgroup-driver=systemd\"\n" },
        { "env set refuses a word a line continuation splits", ENV, SET, KA, "cgroup-driver", "cgroupfs",
          "A=\"--v=2 \\\n--cgroup-driver=sys\\\ntemd\"\n", -EBADMSG,
          "line 2: cannot edit --cgroup-driver: a line continuation splits it" },
        { "env set refuses a new line after a file ending in a quote", ENV, SET, KA, "cgroup-driver",
          "systemd", "B=1\nC=\"--x", -EBADMSG,
          "line 2: the file ends inside a quoted value, cannot add --cgroup-driver after it" },
        { "env remove a word alone on its line takes the line", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=\"--v=2 \\\n--network-plugin=cni  \\\n--x=1\"\n", 1, "A=\"--v=2 \\\n--x=1\"\n" },
        { "env remove the first word of a line keeps the line", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=\"--v=2 \\\n  --network-plugin=cni --x=1 \\\n--y=2\"\n", 1,
          "A=\"--v=2 \\\n  --x=1 \\\n--y=2\"\n" },
        { "env remove a word after another on its line", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=\"--v=2 --network-plugin=cni \\\n--x=1\"\n", 1, "A=\"--v=2 \\\n--x=1\"\n" },
        { "env remove the last word, alone on the last line", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=\"--v=2 \\\n--network-plugin=cni\"\n", 1, "A=\"--v=2\"\n" },
        { "env remove the first word, the next one on another line", ENV, REMOVE, NULL, "network-plugin",
          NULL, "A=\"--network-plugin=cni \\\n--x=1\"\n", 1, "A=\"\\\n--x=1\"\n" },
        /* the only blank between --v=2 and --x=1 would go with the line: the line stays, blank and backslash */
        { "env remove keeps the words around apart", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=\"--v=2\\\n --network-plugin=cni \\\n--x=1\"\n", 1, "A=\"--v=2\\\n \\\n--x=1\"\n" },
        { "env remove from a continued bare value", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=--v=2 \\\n--network-plugin=cni \\\n--x=1\nB=2\n", 1, "A=--v=2 \\\n--x=1\nB=2\n" },

        /* /etc/default/kubelet is sourced by shells too: a bare value an addition gives a blank or a shell
         * metacharacter gets quotes (issue 12, C6) */
        { "env set quotes a bare value for the shell", ENV, SET, "KUBELET_EXTRA_ARGS", "eviction-hard",
          "memory.available<100Mi", "KUBELET_EXTRA_ARGS=--node-ip=10.0.0.5\n", 1,
          "KUBELET_EXTRA_ARGS=\"--node-ip=10.0.0.5 --eviction-hard=memory.available<100Mi\"\n" },
        { "env set quotes an empty bare value given a '<'", ENV, SET, "KUBELET_EXTRA_ARGS", "eviction-hard",
          "memory.available<100Mi", "KUBELET_EXTRA_ARGS=\n", 1,
          "KUBELET_EXTRA_ARGS=\"--eviction-hard=memory.available<100Mi\"\n" },
        { "env set quotes right after the '='", ENV, SET, "KUBELET_EXTRA_ARGS", "cgroup-driver", "systemd",
          "KUBELET_EXTRA_ARGS= --runtime-cgroups=/systemd/system.slice\n\n", 1,
          "KUBELET_EXTRA_ARGS=\"--runtime-cgroups=/systemd/system.slice --cgroup-driver=systemd\"\n\n" },
        { "env set quotes a value changed in place", ENV, SET, KA, "eviction-hard", "memory.available<1Gi",
          "A=--eviction-hard=x\n", 1, "A=\"--eviction-hard=memory.available<1Gi\"\n" },
        { "env set keeps inner single quotes inside double ones", ENV, SET, "A", "cgroup-driver", "systemd",
          "A=--enforce-node-allocatable=''\n", 1,
          "A=\"--enforce-node-allocatable='' --cgroup-driver=systemd\"\n" },
        { "env set refuses what no quoting keeps", ENV, SET, "A", "cgroup-driver", "systemd",
          "A=--a='' --b=$x\n", -EBADMSG,
          "line 1: A needs quotes for the shells that source this file, but holds characters no quoting "
          "keeps the same for both systemd "
          "and a shell" },
        { "env remove never quotes", ENV, REMOVE, NULL, "network-plugin", NULL,
          "A=--network-plugin=cni --x=a<b\n", 1, "A=--x=a<b\n" },

        /* found by tests/fuzz/fuzz-flags-edit.c: only the overridden assignment was updated */
        { "env set flag only in an overridden assignment", ENV, SET, "A", "cgroup-driver", "systemd",
          "A=\"--cgroup-driver=cgroupfs\"\nA=\"--v=2\"\n", 1,
          "A=\"--cgroup-driver=systemd\"\nA=\"--v=2 --cgroup-driver=systemd\"\n" },
        /* found by tests/fuzz/fuzz-flags-edit.c: read one byte past a text of blanks */
        { "unit get text of only a tab", UNIT, GET, NULL, "cgroup-driver", NULL, "\t", 0, NULL },
        /* found by tests/fuzz/fuzz-flags-edit.c: the appended line became part of a continued line */
        { "env set refuses appending after a line continuation", ENV, SET, "A", "cgroup-driver", "systemd",
          "B=1\nC=--x \\\n", -EBADMSG,
          "line 2: the file ends in a line continuation, cannot add --cgroup-driver after it" },
        { "env set refuses appending after a CRLF line continuation", ENV, SET, "A", "cgroup-driver",
          "systemd", "C=--x \\\r\n", -EBADMSG,
          "line 1: the file ends in a line continuation, cannot add --cgroup-driver after it" },
        /* found by tests/fuzz/fuzz-flags-edit.c: appended after "--", the flag became a positional argument */
        { "env set goes before an end-of-flags --", ENV, SET, "A", "node-ip", "10.0.0.1",
          "A=\"--v=2 -- x\"\n", 1, "A=\"--v=2 --node-ip=10.0.0.1 -- x\"\n" },
        /* found by tests/fuzz/fuzz-flags-edit.c: the value was taken to start at the '=', set left a stray quote */
        { "env get quote between name and =", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=--cgroup-driver\"=x y\"\n", 1, "x y" },
        { "env set refuses quote between name and =", ENV, SET, "A", "cgroup-driver", "systemd",
          "A=--cgroup-driver\"=x y\"\n", -EBADMSG, "line 1: cannot edit a quoted flag name" },
        /* A flag nowhere in the text is not parsed for (issue 17): one that quotes or a line continuation
         * split, or the '_' spelling, must still be found. */
        { "env get a name quotes split", ENV, GET, NULL, "cgroup-driver", NULL, "A=--\"cgroup\"-driver=x\n",
          1, "x" },
        { "env remove refuses a name quotes split", ENV, REMOVE, NULL, "cgroup-driver", NULL,
          "A=-'-cgroup_dr'iver=x\n", -EBADMSG, "line 1: cannot edit a quoted flag name" },
        { "env get a name a line continuation and '_' split", ENV, GET, NULL, "cgroup-driver", NULL,
          "A=\"--v=2 --cgroup_\\\ndriver=x\"\n", 1, "x" },
        { "unit get a name quotes split", UNIT, GET, NULL, "cgroup-driver", NULL,
          "[Service]\nExecStart=/usr/bin/kubelet \"--cgroup-\"driver=x\n", 1, "x" },
        /* found by tests/fuzz/fuzz-flags-edit.c: a lone carriage return ends an ENV line, the flag went after it */
        { "env set before a lone carriage return", ENV, SET, "A", "cgroup-driver", "systemd", "A=\r--x=1\n",
          1, "A=--cgroup-driver=systemd\r--x=1\n" },
        /* drop-in get */
        /* found by tests/fuzz/fuzz-flags-edit.c: set changed X, get then ignored it */
        { "unit get refuses broken ExecStart= expanding the flag's variable", UNIT, GET, NULL, "kubeconfig",
          NULL, "[Service]\nEnvironment=\"X=--kubeconfig=/a\"\nExecStart=/usr/bin/kubelet $X \\K\n",
          -EBADMSG, "line 3: cannot interpret --kubeconfig here (through $X): backslash escape" },
        { "unit set refuses broken ExecStart= expanding the flag's variable", UNIT, SET, NULL, "kubeconfig",
          "/b", "[Service]\nEnvironment=\"X=--kubeconfig=/a\"\nExecStart=/usr/bin/kubelet ${X} `x`\n",
          -EBADMSG, "line 3: cannot interpret --kubeconfig here (through $X): command substitution" },
        { "unit get broken ExecStart= not expanding the flag's variable", UNIT, GET, NULL, "kubeconfig",
          NULL, "[Service]\nEnvironment=\"X=--kubeconfig=/a\"\nExecStart=/usr/bin/kubelet $XY \\K\n", 1,
          "/a" },
        { "unit get ExecStart after $VAR", UNIT, GET, NULL, "cgroup-driver", NULL,
          "[Service]\nEnvironment=\"KUBELET_CGROUP_ARGS=--cgroup-driver=systemd\"\nExecStart=\nExecStart=/"
          "usr/bin/kubelet $KUBELET_CGROUP_ARGS --cgroup-driver=cgroupfs\n",
          1, "cgroupfs" },
        { "unit get expansion order, not file order", UNIT, GET, NULL, "cgroup-driver", NULL,
          "[Service]\nExecStart=/usr/bin/kubelet --cgroup-driver=cgroupfs "
          "${X}\nEnvironment=\"X=--cgroup-driver=systemd\"\n",
          1, "systemd" },
        { "unit get unreferenced variable counts first", UNIT, GET, NULL, "cgroup-driver", NULL,
          "[Service]\nExecStart=/usr/bin/kubelet "
          "--cgroup-driver=cgroupfs\nEnvironment=\"X=--cgroup-driver=systemd\"\n",
          1, "cgroupfs" },
        { "unit get %% is %", UNIT, GET, NULL, "eviction-hard", NULL,
          "Environment=\"E=--eviction-hard=nodefs.available<10%%\"\n", 1, "nodefs.available<10%" },
        { "unit get bare Environment", UNIT, GET, NULL, "cgroup-driver", NULL,
          "Environment=KUBELET_KUBEADM_ARGS=--cgroup-driver=systemd\n", 1, "systemd" },
        { "unit get several assignments", UNIT, GET, NULL, "cgroup-driver", NULL,
          "Environment=\"A=--v=2\" 'B=--cgroup-driver=systemd' C=x\n", 1, "systemd" },
        { "unit get ExecStart= reset", UNIT, GET, NULL, "cgroup-driver", NULL,
          "ExecStart=/usr/bin/kubelet --cgroup-driver=cgroupfs\nExecStart=\nExecStart=/usr/bin/kubelet "
          "--v=2\n",
          0, NULL },
        { "unit get continuation", UNIT, GET, NULL, "cgroup-driver", NULL,
          "ExecStart=/usr/bin/kubelet \\\n --cgroup-driver=cgroupfs \\\n $X\n", 1, "cgroupfs" },
        { "unit get unknown key ignored", UNIT, GET, NULL, "cgroup-driver", NULL,
          "KUBELET_EXTRA_ARGS=--cgroup-driver=x\n", 0, NULL },
        { "unit get binary is no flag", UNIT, GET, NULL, "x", NULL, "ExecStart=--x=1\n", 0, NULL },

        /* drop-in set */
        { "unit set Environment", UNIT, SET, NULL, "cgroup-driver", "cgroupfs",
          "[Service]\nEnvironment=\"KUBELET_CGROUP_ARGS=--cgroup-driver=systemd\"\nExecStart=/usr/bin/"
          "kubelet $KUBELET_CGROUP_ARGS\n",
          1,
          "[Service]\nEnvironment=\"KUBELET_CGROUP_ARGS=--cgroup-driver=cgroupfs\"\nExecStart=/usr/bin/"
          "kubelet $KUBELET_CGROUP_ARGS\n" },
        { "unit set ExecStart and Environment", UNIT, SET, NULL, "cgroup-driver", "systemd",
          "Environment=A=--cgroup-driver=x\nExecStart=/usr/bin/kubelet --a=1  --cgroup-driver=cgroupfs $A\n",
          1,
          "Environment=A=--cgroup-driver=systemd\nExecStart=/usr/bin/kubelet --a=1  --cgroup-driver=systemd "
          "$A\n" },
        { "unit set never adds", UNIT, SET, "KUBELET_EXTRA_ARGS", "cgroup-driver", "systemd",
          "[Service]\nExecStart=/usr/bin/kubelet $X\n", 0, NULL },
        { "unit set escapes %", UNIT, SET, NULL, "eviction-hard", "memory.available<10%",
          "ExecStart=/usr/bin/kubelet --eviction-hard=x\n", 1,
          "ExecStart=/usr/bin/kubelet --eviction-hard=memory.available<10%%\n" },
        { "unit set unchanged with %%", UNIT, SET, NULL, "eviction-hard", "memory.available<10%",
          "ExecStart=/usr/bin/kubelet --eviction-hard=memory.available<10%%\n", 0, NULL },
        { "unit set refuses", UNIT, SET, NULL, "cgroup-driver", "systemd",
          "[Service]\nExecStart=/usr/bin/kubelet --cgroup-driver=`cat /x`\n", -EBADMSG,
          "line 2: cannot interpret --cgroup-driver here: command substitution" },

        /* drop-in remove */
        { "unit remove in Environment", UNIT, REMOVE, NULL, "network-plugin", NULL,
          "Environment=\"KUBELET_NETWORK_ARGS=--network-plugin=cni --cni-conf-dir=/etc/cni/net.d\"\n", 1,
          "Environment=\"KUBELET_NETWORK_ARGS=--cni-conf-dir=/etc/cni/net.d\"\n" },
        { "unit remove only word of bare assignment", UNIT, REMOVE, NULL, "network-plugin", NULL,
          "Environment=A=--network-plugin=cni B=1\n", 1, "Environment=A= B=1\n" },
        { "unit remove across continuation", UNIT, REMOVE, NULL, "network-plugin", NULL,
          "ExecStart=/usr/bin/kubelet \\\n --network-plugin=cni \\\n $X\n", 1,
          "ExecStart=/usr/bin/kubelet \\\n $X\n" },
        { "unit remove last word of ExecStart", UNIT, REMOVE, NULL, "network-plugin", NULL,
          "ExecStart=/usr/bin/kubelet $X --network-plugin cni\nRestart=always", 1,
          "ExecStart=/usr/bin/kubelet $X\nRestart=always" },
};

static void run_case(const struct flags_case *c) {
        _cleanup_free_ char *out = NULL, *error = NULL, *name = NULL;
        size_t out_len = 0, in_len = strlen(c->input);
        /* an exactly sized copy without the NUL, so ASan sees any read past the length */
        _cleanup_free_ char *in = xmalloc(in_len ? in_len : 1);
        memcpy(in, c->input, in_len);
        int r;
        switch (c->op) {
        case GET:
                r = flags_get(in, in_len, c->fmt, c->flag, &out, &error);
                break;
        case SET:
                r = flags_set(in, in_len, c->fmt, c->var, c->flag, c->value, &out, &out_len, &error);
                break;
        case REMOVE:
                r = flags_remove(in, in_len, c->fmt, c->flag, &out, &out_len, &error);
                break;
        default:
                abort();
        }
        name = xasprintf("%s: returns %d", c->name, c->want_r);
        if (!tap_ok(r == c->want_r, name))
                printf("# got %d (%s)\n", r, strempty(error));
        free(name);
        name = xasprintf("%s: exact result", c->name);
        if (c->want_r < 0)
                tap_streq(error, c->want, name);
        else if (c->want_r == 0)
                tap_ok(!out && !error, name);
        else {
                tap_streq(out, c->want, name);
                if (c->op != GET)
                        tap_ok(out && out_len == strlen(out), "  length matches");
        }
}

/* Second run on our own output must be a no-op. */
static void run_idempotence(const struct flags_case *c) {
        if (c->op == GET || c->want_r != 1)
                return;
        _cleanup_free_ char *again = NULL, *name = xasprintf("%s: second run unchanged", c->name);
        int r = c->op == SET ? flags_set(c->want, strlen(c->want), c->fmt, c->var, c->flag, c->value, &again,
                                         NULL, NULL)
                             : flags_remove(c->want, strlen(c->want), c->fmt, c->flag, &again, NULL, NULL);
        tap_ok(r == 0 && !again, name);
}

static struct strv split_lines(const char *text) {
        struct strv v = {};
        for (const char *p = text;;) {
                const char *nl = strchr(p, '\n');
                strv_push(&v, nl ? xstrndup(p, (size_t) (nl - p)) : xstrdup(p));
                if (!nl)
                        return v;
                p = nl + 1;
        }
}

/* Every other flag named in the file must read the same before and after the edit. */
static bool other_flags_unchanged(const char *before, const char *after, enum flags_format fmt,
                                  const char *flag) {
        for (const char *p = strstr(before, "--"); p; p = strstr(p + 2, "--")) {
                size_t n =
                        strspn(p + 2, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");
                _cleanup_free_ char *other = xstrndup(p + 2, n), *v1 = NULL, *v2 = NULL;
                for (char *q = other; *q; q++)
                        if (*q == '_')
                                *q = '-';
                if (n == 0 || streq(other, flag))
                        continue;
                int r1 = flags_get(before, strlen(before), fmt, other, &v1, NULL);
                int r2 = flags_get(after, strlen(after), fmt, other, &v2, NULL);
                if (r1 != r2 || !streq_ptr(v1, v2)) {
                        printf("# --%s: %d '%s' became %d '%s'\n", other, r1, strempty(v1), r2,
                               strempty(v2));
                        return false;
                }
        }
        return true;
}

/* Only lines naming the flag (or the assignment of var) differ; an ENV set may add one line at the end. */
static bool only_flag_lines_changed(const char *before, const char *after, const char *flag,
                                    const char *var) {
        _cleanup_(strv_free) struct strv a = split_lines(before), b = split_lines(after);
        _cleanup_free_ char *dashed = xasprintf("--%s", flag), *assign = var ? xasprintf("%s=", var) : NULL;
        size_t common = a.n < b.n ? a.n : b.n;
        if (b.n > a.n + 1 || b.n < a.n)
                return false;
        for (size_t i = 0; i < common; i++) {
                if (streq(a.items[i], b.items[i]))
                        continue;
                if (strstr(a.items[i], dashed) ||
                    (assign && startswith(a.items[i] + strspn(a.items[i], " \t"), assign)))
                        continue;
                /* a file ending in a newline: the appended assignment takes the empty last "line" */
                if (b.n == a.n + 1 && i == a.n - 1 && !*a.items[i] && assign &&
                    startswith(b.items[i], assign))
                        continue;
                printf("# line %zu changed: '%s' -> '%s'\n", i + 1, a.items[i], b.items[i]);
                return false;
        }
        /* the line after an appended assignment: empty if the file ended in a newline, else the assignment */
        if (b.n == a.n + 1 &&
            !(*a.items[a.n - 1] ? assign && startswith(b.items[a.n], assign) : !*b.items[a.n]))
                return false;
        return true;
}

static void run_corpus_op(const char *path, const char *text, size_t len, enum flags_format fmt,
                          const char *flag, const char *value) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        const char *var = fmt == FLAGS_SYSTEMD_DROPIN     ? NULL
                          : strstr(text, KA "=")          ? KA
                          : strstr(text, "KUBELET_ARGS=") ? "KUBELET_ARGS"
                                                          : "KUBELET_EXTRA_ARGS";
        _cleanup_free_ char *out = NULL, *error = NULL, *again = NULL, *got = NULL;
        _cleanup_free_ char *what = xasprintf("%s %s --%s%s%s", base, value ? "set" : "remove", flag,
                                              value ? "=" : "", strempty(value));
        _cleanup_free_ char *old_value = NULL;
        size_t out_len = 0;
        int old_r = flags_get(text, len, fmt, flag, &old_value, NULL);
        int r = value ? flags_set(text, len, fmt, var, flag, value, &out, &out_len, &error)
                      : flags_remove(text, len, fmt, flag, &out, &out_len, &error);
        _cleanup_free_ char *n1 = xasprintf("%s: accepted", what);
        if (!tap_ok(r >= 0, n1))
                printf("# %s\n", strempty(error));
        bool maybe;
        flags_may_mention(text, len, &flag, 1, &maybe);
        _cleanup_free_ char *n0 = xasprintf("%s: flags_may_mention says absent only when it is", what);
        tap_ok(maybe || (old_r == 0 && (value || r == 0)), n0);
        if (r <= 0) {
                /* unchanged: set means it was already there (or a drop-in without it), remove means absent */
                _cleanup_free_ char *n2 = xasprintf("%s: unchanged is right", what);
                tap_ok(r < 0 || (value ? (old_r == 1 && streq(old_value, value)) ||
                                                 (fmt == FLAGS_SYSTEMD_DROPIN && old_r == 0)
                                       : old_r == 0),
                       n2);
                return;
        }
        int get_r = flags_get(out, out_len, fmt, flag, &got, NULL);
        _cleanup_free_ char *n3 = xasprintf("%s: result re-parses to the intended value", what);
        tap_ok(value ? get_r == 1 && streq(got, value) : get_r == 0, n3);
        _cleanup_free_ char *n4 = xasprintf("%s: second run returns 0", what);
        r = value ? flags_set(out, out_len, fmt, var, flag, value, &again, NULL, NULL)
                  : flags_remove(out, out_len, fmt, flag, &again, NULL, NULL);
        tap_ok(r == 0 && !again, n4);
        _cleanup_free_ char *n5 = xasprintf("%s: only the flag's lines changed", what);
        tap_ok(only_flag_lines_changed(text, out, flag, var), n5);
        _cleanup_free_ char *n6 = xasprintf("%s: every other flag reads the same", what);
        tap_ok(other_flags_unchanged(text, out, fmt, flag), n6);
}

static void run_corpus_dir(const char *corpus, const char *sub, enum flags_format fmt) {
        _cleanup_free_ char *dir = xasprintf("%s/%s", corpus, sub);
        struct dirent **entries = NULL;
        int n = scandir(dir, &entries, NULL, alphasort);
        _cleanup_free_ char *name = xasprintf("corpus %s has files", sub);
        tap_ok(n > 0, name);
        for (int i = 0; i < n; i++) {
                if (entries[i]->d_name[0] != '.') {
                        _cleanup_free_ char *path = xasprintf("%s/%s", dir, entries[i]->d_name);
                        size_t len = 0;
                        _cleanup_free_ char *text = read_file_or_null(path, &len);
                        tap_ok(text != NULL, path);
                        if (text) {
                                run_corpus_op(path, text, len, fmt, "cgroup-driver", "systemd");
                                run_corpus_op(path, text, len, fmt, "network-plugin", NULL);
                                run_corpus_op(path, text, len, fmt, "eviction-hard",
                                              "memory.available<100Mi");
                        }
                }
                free(entries[i]);
        }
        free(entries);
}

/* Facts about particular corpus files that the generic loop cannot see. */
static void run_corpus_specifics(const char *corpus) {
        static const struct {
                const char *file, *flag;
                enum flags_format fmt;
                int want_r;
                const char *want;
        } facts[] = {
                { "kubeadm-flags/02-CY-Gu_Kubernetes_install_tutorial-kubeadm-flags.env", "cgroup-driver",
                  ENV, 1, "cgroupfs" },
                { "kubeadm-flags/04-coderdba-coding-org_k8s-multinode-vm-as-pods-1-kubeadm-flags.env",
                  "enforce-node-allocatable", ENV, 1, "" },
                { "kubeadm-flags/06-bupd_k8stemps-kubeadm-flags.env", "image-credential-provider-bin-dir",
                  ENV, 1, "/etc/kubernetes/credential-providers" },
                { "kubeadm-flags/11-mcocchi_etc-repo-sysconfig-kubelet", "kubelet-cgroups", ENV, 1,
                  "/systemd/system.slice" },
                { "kubeadm-flags/12-s-urbaniak_k8s-hetzner-default-kubelet", "node-labels", ENV, 1,
                  "${node_labels}" },
                { "kubeadm-flags/13-Rafflecopter_kubernetes-linode-setup-sysconfig-kubelet", "cluster-dns",
                  ENV, 1, "10.0.0.10" },
                { "kubeadm-dropin/03-llzz9595_k8s-10-kubeadm.conf", "eviction-hard", UNIT, 1,
                  "nodefs.available<5%" },
                { "kubeadm-dropin/09-oliviabarrick_civitas-10-kubeadm.conf", "fail-swap-on", UNIT, 1,
                  "false" },
                { "kubeadm-dropin/05-dokr_oos-10-kubeadm.conf", "cadvisor-port", UNIT, 1, "10257" },
                { "kubeadm-dropin/12-1qzxc_vagrant-kubernetes-10-kubeadm.conf", "node-ip", UNIT, 0, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(facts); i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", corpus, facts[i].file), *value = NULL;
                size_t len = 0;
                _cleanup_free_ char *text = read_file_or_null(path, &len);
                int r = text ? flags_get(text, len, facts[i].fmt, facts[i].flag, &value, NULL) : -ENOENT;
                _cleanup_free_ char *name = xasprintf("%s: --%s reads '%s'", facts[i].file, facts[i].flag,
                                                      strempty(facts[i].want));
                tap_ok(r == facts[i].want_r && streq_ptr(value, facts[i].want), name);
        }
}

/* Golden file: set --cgroup-driver=systemd, then remove --network-plugin, on a drop-in fixture. */
static void run_golden(void) {
        const char *root = getenv("SOURCE_ROOT");
        _cleanup_free_ char *in =
                xasprintf("%s/tests/fixtures/flags/10-kubeadm.conf", root && *root ? root : ".");
        _cleanup_free_ char *exp = xasprintf("%s.expected", in);
        size_t len = 0, exp_len = 0, mid_len = 0, out_len = 0;
        _cleanup_free_ char *text = read_file_or_null(in, &len), *want = read_file_or_null(exp, &exp_len);
        _cleanup_free_ char *mid = NULL, *out = NULL;
        if (!tap_ok(text && want, "golden drop-in fixture readable (SOURCE_ROOT)"))
                return;
        tap_ok(flags_set(text, len, FLAGS_SYSTEMD_DROPIN, NULL, "cgroup-driver", "systemd", &mid, &mid_len,
                         NULL) == 1,
               "golden: set changes");
        tap_ok(mid && flags_remove(mid, mid_len, FLAGS_SYSTEMD_DROPIN, "--network-plugin", &out, &out_len,
                                   NULL) == 1,
               "golden: remove changes");
        tap_streq(out, want, "golden: drop-in matches 10-kubeadm.conf.expected");
}

/* The table of flags removed from the kubelet (kubelet-files.h, issue 12 C3): each flag at the first
 * release without it and the one before, spellings, and the table's own order and sources. */
static void run_removed_flags(void) {
        static const struct {
                const char *flag, *version;
                bool removed;
        } rows[] = {
                { "require-kubeconfig", "1.9.11", false },
                { "require-kubeconfig", "1.10.0", true },
                { "cadvisor-port", "1.11.10", false },
                { "cadvisor-port", "1.12.0", true },
                { "--cadvisor_port", "1.12.0", true },
                { "docker-disable-shared-pid", "1.12", true },
                { "allow-privileged", "1.14.10", false },
                { "allow-privileged", "v1.15.0", true },
                { "host-pid-sources", "1.15.3", true },
                { "containerized", "1.15.12", false },
                { "containerized", "1.16.0", true },
                { "network-plugin", "1.23.17", false },
                { "network-plugin", "1.24.0", true },
                { "dynamic-config-dir", "1.23.17", false },
                { "dynamic-config-dir", "1.24.0", true },
                { "logtostderr", "1.25.16", false },
                { "logtostderr", "1.26.0", true },
                { "log_dir", "1.26.0", true },
                { "container-runtime", "1.26.15", false },
                { "container-runtime", "1.27.0", true },
                { "keep-terminated-pod-volumes", "1.30.14", false },
                { "keep-terminated-pod-volumes", "1.31.0", true },
                { "cloud-config", "1.33.5", false },
                { "cloud-config", "1.34.0", true },
                { "pod-infra-container-image", "1.34.3", false },
                { "pod-infra-container-image", "1.35.0", true },
                { "container-runtime-endpoint", "1.35.0", false },
                { "cgroup-driver", "1.35.0", false },
                { "v", "1.35.0", false },
                { "vmodule", "1.35.0", false },
                { "log-flush-frequency", "1.35.0", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                struct kversion v;
                _cleanup_free_ char *name =
                        xasprintf("removed flags: --%s %s %s", rows[i].flag + strspn(rows[i].flag, "-"),
                                  rows[i].removed ? "rejected by" : "accepted by", rows[i].version);
                tap_ok(version_parse(rows[i].version, &v) == 0 &&
                               !!kubelet_flag_removed(rows[i].flag, &v) == rows[i].removed,
                       name);
        }
        size_t n;
        const struct removed_flag *f = kubelet_removed_flags(&n);
        struct kversion v135 = { 1, 35, 0, true };
        size_t up_to_135 = 0;
        bool ordered = true, cited = true, unique = true;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *changelog = xasprintf("CHANGELOG-%u.%u.md #", f[i].major, f[i].minor);
                up_to_135 += version_at_least(&v135, f[i].major, f[i].minor);
                ordered = ordered && (i == 0 || f[i - 1].minor <= f[i].minor);
                cited = cited && startswith(f[i].source, changelog) && f[i].why && *f[i].why;
                for (size_t j = 0; j < i; j++)
                        unique = unique && !streq(f[i].flag, f[j].flag);
        }
        tap_ok(n == 36 && up_to_135 == 36, "removed flags: 36 from 1.10 to 1.35");
        tap_ok(ordered, "removed flags: oldest release first");
        tap_ok(cited, "removed flags: each cites the CHANGELOG of its release, and says why");
        tap_ok(unique, "removed flags: each once");
}

/* flags_may_mention() may say "maybe" too often, never too rarely: for every input of the table and
 * every flag the table names, a "no" must be a flags_get() of 0 and a flags_remove() of 0. */
static void run_may_mention(void) {
        const char *flags[ELEMENTSOF(cases)];
        bool maybe[ELEMENTSOF(cases)];
        size_t n = 0, wrong = 0, skipped = 0;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                flags[n++] = cases[i].flag;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *in = cases[i].input;
                size_t len = strlen(in);
                flags_may_mention(in, len, flags, n, maybe);
                for (size_t f = 0; f < n; f++) {
                        if (maybe[f])
                                continue;
                        skipped++;
                        _cleanup_free_ char *v = NULL, *out = NULL;
                        if (flags_get(in, len, cases[i].fmt, flags[f], &v, NULL) != 0 ||
                            flags_remove(in, len, cases[i].fmt, flags[f], &out, NULL, NULL) != 0) {
                                wrong++;
                                printf("# %s: --%s said absent\n", cases[i].name, flags[f]);
                        }
                }
        }
        _cleanup_free_ char *what =
                xasprintf("flags_may_mention: %zu of %zu table inputs x flags said absent, "
                          "and are",
                          skipped, ELEMENTSOF(cases) * n);
        tap_ok(wrong == 0 && skipped > 0, what);

        static const char *const some[] = { "cgroup-driver", "--cgroup_driver", "v", "no such",
                                            "network-plugin" };
        bool m[ELEMENTSOF(some)];
        const char *t = "A=\"-'-cgroup-dr'iver=x --v=2\"\n# --network-plugin\n";
        flags_may_mention(t, strlen(t), some, ELEMENTSOF(some), m);
        tap_ok(m[0] && m[1] && m[2] && m[3] && m[4], "flags_may_mention: quotes inside, the other spelling, "
                                                     "a short name, an invalid name (left to "
                                                     "the call to refuse), a comment");
        t = "A=\"--cgroup-driverx --vv --network\\\n-plugin\"\n";
        flags_may_mention(t, strlen(t), some, ELEMENTSOF(some), m);
        tap_ok(!m[0] && !m[1] && !m[2] && m[3] && m[4],
               "flags_may_mention: a longer name is not the flag; a line continuation inside one is");
        const char nul[] = "A=x\0y\n";
        flags_may_mention(nul, sizeof(nul) - 1, some, ELEMENTSOF(some), m);
        tap_ok(m[0] && m[2] && m[4],
               "flags_may_mention: a text with a NUL byte is for every call to refuse");
}

int main(void) {
        run_removed_flags();
        run_may_mention();
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                run_case(&cases[i]);
                run_idempotence(&cases[i]);
        }
        run_golden();
        const char *corpus = getenv("CORPUS_DIR");
        if (!corpus || !*corpus)
                tap_skip("corpus runs", "CORPUS_DIR not set");
        else {
                run_corpus_dir(corpus, "kubeadm-flags", FLAGS_ENV_FILE);
                run_corpus_dir(corpus, "kubeadm-dropin", FLAGS_SYSTEMD_DROPIN);
                run_corpus_specifics(corpus);
        }
        return tap_done();
}
