/* SPDX-License-Identifier: MIT */
/* Node facts. Live they come from the kernel; with --root only from the
 * tree's files, never from the machine kubeprep happens to run on. */
#include "node.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#include "util.h"

const char *elf_machine_name(const unsigned char *h, size_t len) {
        if (len < 20 || memcmp(h, "\177ELF", 4) != 0)
                return NULL;
        /* e_machine is at offset 18, in the file's own byte order (EI_DATA). */
        unsigned m = h[5] == 2 ? (unsigned) (h[18] << 8 | h[19]) : (unsigned) (h[19] << 8 | h[18]);
        switch (m) {
        case 3:
                return "i686";
        case 40:
                return "arm";
        case 62:
                return "x86_64";
        case 183:
                return "aarch64";
        case 243:
                return "riscv64";
        case 21:
                return "ppc64le";
        case 22:
                return "s390x";
        default:
                return "unknown";
        }
}

static char *tree_arch(const struct root *root) {
        static const char *const probes[] = {"/usr/bin/kubelet", "/bin/sh", "/usr/bin/sh"};
        for (size_t i = 0; i < ELEMENTSOF(probes); i++) {
                _cleanup_close_ int fd = root_openat(root, probes[i], O_RDONLY | O_NONBLOCK, 0, 0);
                if (fd < 0)
                        continue;
                unsigned char hdr[64];
                ssize_t n = read(fd, hdr, sizeof(hdr));
                const char *m = n > 0 ? elf_machine_name(hdr, (size_t) n) : NULL;
                if (m)
                        return xstrdup(m);
        }
        return NULL;
}

static char *live_arch(void) {
        struct utsname u;
        return uname(&u) < 0 ? NULL : xstrdup(u.machine);
}

static char *live_init(void) {
        _cleanup_close_ int fd = open("/proc/1/comm", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        char comm[64];
        ssize_t n = read(fd, comm, sizeof(comm) - 1);
        if (n <= 0)
                return NULL;
        comm[n] = 0;
        comm[strcspn(comm, "\n")] = 0;
        return xstrdup(comm);
}

/* A tree boots systemd when its /sbin/init is (a link to) systemd, or when
 * systemd is installed at all and nothing says otherwise. */
static char *tree_init(const struct root *root) {
        _cleanup_free_ char *target = NULL;
        if (root_readlink(root, "/sbin/init", &target) >= 0 && strstr(target, "systemd"))
                return xstrdup("systemd");
        if (root_exists(root, "/usr/lib/systemd/systemd") || root_exists(root, "/lib/systemd/systemd"))
                return xstrdup("systemd");
        if (root_exists(root, "/sbin/init"))
                return xstrdup("init");
        return NULL;
}

static int live_cgroup_version(void) {
        struct statfs fs;
        if (statfs("/sys/fs/cgroup", &fs) < 0)
                return 0;
        if (fs.f_type == CGROUP2_SUPER_MAGIC)
                return 2;
        if (fs.f_type == TMPFS_MAGIC)
                return 1;
        return 0;
}

/* "v1.22.2" and "1.22.2" are the same version; keep the bare form. */
static char *normalize_version(const char *v) {
        if (!v)
                return NULL;
        if (v[0] == 'v' || v[0] == 'V')
                v++;
        return xstrdup(v);
}

int node_facts_gather(const struct root *root, const struct options *opts, struct node_facts *ret) {
        struct node_facts n = {};
        if (root->live) {
                n.arch = live_arch();
                n.init = live_init();
                n.cgroup_version = live_cgroup_version();
        } else {
                n.arch = tree_arch(root);
                n.init = tree_init(root);
        }
        n.kubelet_version = normalize_version(opts->kubelet_version);
        n.control_plane_version = normalize_version(opts->control_plane_version);
        *ret = n;
        return 0;
}

void node_facts_free(struct node_facts *n) {
        free(n->arch);
        free(n->init);
        free(n->kubelet_version);
        free(n->control_plane_version);
        *n = (struct node_facts){};
}
