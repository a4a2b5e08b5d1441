/* SPDX-License-Identifier: MIT */
/* The table of the paths kubeprep writes (see managed-paths.h). It must grow
 * with every path a fixer plans: tests/unit/test-managed-paths.c checks every
 * file of the golden trees (tests/fixtures/expected) against it. */
#include "engine/managed-paths.h"

#include <fnmatch.h>

/* Node paths; a '*' matches within one name, and never a leading dot. */
static const char *const managed[] = {
        /* swap */
        "/etc/fstab",
        "/etc/systemd/system/swap.target",
        /* cgroup-driver */
        "/etc/docker/daemon.json",
        "/etc/containerd/config.toml",
        /* cgroup-driver, sandbox-image: the files config.toml imports, in containerd's directory */
        "/etc/containerd/*",
        "/etc/containerd/*/*",
        /* cgroup-driver, sandbox-image: CRI-O's configuration */
        "/etc/crio/crio.conf",
        "/etc/crio/crio.conf.d/*",
        "/etc/crio/crio.conf.d/*/*",
        /* cgroup-driver, swap, csi-migration: the kubelet's configuration, and the
         * same settings for kubeadm --patches */
        "/var/lib/kubelet/config.yaml",
        "/etc/kubeprep/patches/kubeletconfiguration+merge.yaml",
        /* eviction, kubelet-flags, cgroup-driver: the kubelet's flag files */
        "/var/lib/kubelet/kubeadm-flags.env",
        "/etc/default/kubelet",
        "/etc/sysconfig/kubelet",
        "/usr/lib/systemd/system/kubelet.service.d/*.conf",
        "/lib/systemd/system/kubelet.service.d/*.conf",
        "/etc/systemd/system/kubelet.service.d/*.conf",
        /* boot-units: the links `systemctl enable` makes ([Install] WantedBy=, RequiredBy=, and
         * CRI-O's Alias=) */
        "/etc/systemd/system/*.wants/*",
        "/etc/systemd/system/*.requires/*",
        "/etc/systemd/system/cri-o.service",
        /* sysctl */
        "/etc/sysctl.d/99-kubeprep.conf",
        "/etc/modules-load.d/kubeprep.conf",
        /* dns: the kubelet's resolvConf when the node's resolver is on its loopback */
        "/etc/kubeprep/resolv.conf",
        /* gateway: the network configuration of the five stacks */
        "/etc/netplan/*.yaml",
        /* any name NetworkManager loads, with or without .nmconnection */
        "/etc/NetworkManager/system-connections/*",
        "/etc/sysconfig/network-scripts/ifcfg-*",
        "/etc/systemd/network/*.network",
        "/etc/network/interfaces",
        "/etc/network/interfaces.d/*",
        /* kubeconfig writes ~USER/.kube/config: see managed_home() */
        /* firewall: a zone of firewalld's, copied from /usr/lib/firewalld/zones when new */
        "/etc/firewalld/zones/*.xml",
        /* hostname, node-ip (KUBELET_EXTRA_ARGS: listed above) */
        "/etc/hosts",
        /* time-sync: the links systemctl enable makes for the time services, and the servers' drop-ins */
        "/etc/systemd/system/*.wants/systemd-timesyncd.service",
        "/etc/systemd/system/dbus-org.freedesktop.timesync1.service",
        "/etc/systemd/system/*.wants/chrony.service",
        "/etc/systemd/system/chronyd.service",
        "/etc/systemd/system/*.wants/chronyd.service",
        "/etc/systemd/system/*.wants/ntpsec.service",
        "/etc/systemd/system/ntp.service",
        "/etc/systemd/system/ntpd.service",
        "/etc/systemd/system/*.wants/ntp.service",
        "/etc/systemd/system/*.wants/ntpd.service",
        "/etc/systemd/system/*.wants/openntpd.service",
        "/etc/systemd/timesyncd.conf.d/50-kubeprep.conf",
        "/etc/chrony/sources.d/kubeprep.sources",
        "/etc/chrony/conf.d/kubeprep.conf",
        /* kernel-cgroups: the Raspberry Pi's command line, the GRUB drop-in */
        "/boot/firmware/cmdline.txt",
        "/boot/cmdline.txt",
        "/etc/default/grub.d/50-kubeprep.cfg",
};

static bool matches(const char *pattern, const char *path) {
        return fnmatch(pattern, path, FNM_PATHNAME | FNM_PERIOD) == 0;
}

bool managed_path_listed(const char *path) {
        for (size_t i = 0; i < ELEMENTSOF(managed); i++)
                if (matches(managed[i], path))
                        return true;
        return false;
}

static bool resolves_to(const struct root *root, const char *listed, const char *path) {
        _cleanup_free_ char *r = NULL;
        return root_resolve(root, listed, &r) >= 0 && streq(r, path);
}

/* Does a name of pattern's directory that matches it resolve to path (a link
 * to a file elsewhere, or the directory itself a link)? */
static bool pattern_resolves_to(const struct root *root, const char *pattern, const char *path) {
        const char *slash = strrchr(pattern, '/');
        _cleanup_free_ char *dir = xstrndup(pattern, (size_t) (slash - pattern));
        if (!strchr(slash, '*'))
                return resolves_to(root, pattern, path);
        struct strv names = {};
        bool found = false;
        if (root_list_dir(root, dir, &names) < 0)
                return false;
        for (size_t i = 0; i < names.n && !found; i++) {
                if (fnmatch(slash + 1, names.items[i], FNM_PERIOD) != 0)
                        continue;
                _cleanup_free_ char *p = xasprintf("%s/%s", dir, names.items[i]);
                found = resolves_to(root, p, path);
        }
        strv_free(&names);
        return found;
}

/* ~/.kube/config of a user other than root (kubeconfig never writes root's), the
 * home as passwd says or as it resolves now. */
static bool managed_home(const struct root *root, const struct user_db *db, const char *path) {
        for (size_t i = 0; db && i < db->n_users; i++) {
                const struct passwd_entry *pw = &db->users[i];
                if (pw->uid == 0 || pw->home[0] != '/')
                        continue;
                _cleanup_free_ char *home = NULL;
                _cleanup_free_ char *as_written =
                        xasprintf("%s/.kube/config", streq(pw->home, "/") ? "" : pw->home);
                if (streq(as_written, path))
                        return true;
                if (root_resolve(root, pw->home, &home) < 0)
                        continue;
                _cleanup_free_ char *resolved = xasprintf("%s/.kube/config", streq(home, "/") ? "" : home);
                if (streq(resolved, path))
                        return true;
        }
        return false;
}

bool managed_path(const struct root *root, const struct user_db *db, const char *path) {
        if (managed_path_listed(path))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(managed); i++)
                if (pattern_resolves_to(root, managed[i], path))
                        return true;
        return managed_home(root, db, path);
}
