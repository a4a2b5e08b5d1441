/* SPDX-License-Identifier: MIT */
/* The table of paths rollback may restore (managed-paths.c): every file of the
 * golden trees is in it, so a fixer that writes a new path fails here until the
 * table has it; paths kubeprep never writes are not; links inside a tree are
 * followed as the fixers follow them; ~/.kube/config only of the tree's users.
 * And the SHA-256 the manifest records what a run wrote with. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "basic/sha256.h"
#include "basic/util.h"
#include "engine/managed-paths.h"
#include "formats/passwd.h"
#include "tap.h"
#include "test-util.h"

static void test_listed(void) {
        static const char *const yes[] = {
                "/etc/fstab",
                "/etc/systemd/system/swap.target",
                "/etc/docker/daemon.json",
                "/etc/containerd/config.toml",
                "/var/lib/kubelet/config.yaml",
                "/var/lib/kubelet/kubeadm-flags.env",
                "/etc/kubeprep/patches/kubeletconfiguration+merge.yaml",
                "/etc/default/kubelet",
                "/etc/sysconfig/kubelet",
                "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
                "/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
                "/etc/systemd/system/kubelet.service.d/20-cgroup.conf",
                "/etc/sysctl.d/99-kubeprep.conf",
                "/etc/modules-load.d/kubeprep.conf",
                "/etc/netplan/50-cloud-init.yaml",
                "/etc/NetworkManager/system-connections/Wired.nmconnection",
                "/etc/sysconfig/network-scripts/ifcfg-eth0",
                "/etc/systemd/network/10-wired.network",
                "/etc/network/interfaces",
                "/etc/network/interfaces.d/eth0",
        };
        static const char *const no[] = {
                "/usr/local/bin/rootshell",
                "/usr/bin/sudo",
                "/etc/passwd",
                "/etc/shadow",
                "/etc/sudoers",
                "/etc/netplan/../shadow",
                "/etc/netplan/../../usr/bin/x.yaml",
                "/etc/netplan/.hidden.yaml",
                "/etc/netplan/sub/01.yaml",
                "/etc/netplan/01.yml",
                "/etc/sysctl.d/10-other.conf",
                "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf.bak",
                "/var/lib/kubelet/pki/kubelet.key",
                "/etc/network/interfaces.d/.eth0",
                "/root/.kube/config",
                "/home/dev/.kube/config",
                "etc/fstab",
                "/etc//fstab",
        };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                _cleanup_free_ char *name = xasprintf("listed: %s", yes[i]);
                tap_ok(managed_path_listed(yes[i]), name);
        }
        for (size_t i = 0; i < ELEMENTSOF(no); i++) {
                _cleanup_free_ char *name = xasprintf("not listed: %s", no[i]);
                tap_ok(!managed_path_listed(no[i]), name);
        }
}

/* Every regular file under dir (relative to top) is managed in root. */
static void check_golden(const struct root *root, const struct user_db *db, const char *top, const char *rel,
                         const char *node) {
        _cleanup_free_ char *dir = xasprintf("%s%s", top, rel);
        DIR *d = opendir(dir);
        if (!d)
                return;
        for (struct dirent *de; (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                _cleanup_free_ char *p = xasprintf("%s/%s", rel, de->d_name),
                                    *full = xasprintf("%s%s", top, p);
                struct stat st;
                if (lstat(full, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        check_golden(root, db, top, p, node);
                        continue;
                }
                _cleanup_free_ char *name = xasprintf("golden %s: %s is managed", node, p);
                tap_ok(managed_path(root, db, p), name);
        }
        closedir(d);
}

static void test_goldens(void) {
        _cleanup_free_ char *expected =
                xasprintf("%s/tests/fixtures/expected", getenv("SOURCE_ROOT") ?: ".");
        DIR *d = opendir(expected);
        if (!d) {
                tap_skip("the golden trees", "tests/fixtures/expected not found (SOURCE_ROOT unset)");
                return;
        }
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                /* The node the golden was made from: its users, its links. */
                _cleanup_free_ char *top = xasprintf("%s/%s", expected, de->d_name);
                _cleanup_free_ char *node = xasprintf("%s/../nodes/%s", expected, de->d_name);
                struct stat st;
                if (stat(node, &st) < 0) {
                        free(node);
                        node = xasprintf("%s/../nodes/centos7", expected);
                }
                struct root *root = NULL;
                struct user_db db = {};
                _cleanup_free_ char *err = NULL;
                if (root_open(node, false, &root) < 0)
                        continue;
                bool have_db = user_db_load(root, &db, &err) >= 0;
                check_golden(root, have_db ? &db : NULL, top, "", de->d_name);
                if (have_db)
                        user_db_free(&db);
                root_free(root);
        }
        closedir(d);
}

static void mk(const char *tmp, const char *path, const char *link_target) {
        _cleanup_free_ char *full = xasprintf("%s%s", tmp, path);
        _cleanup_free_ char *cmd = xasprintf("mkdir -p \"$(dirname %s)\"", full);
        (void) !system(cmd);
        if (link_target)
                (void) !symlink(link_target, full);
        else
                (void) write_file(full, "x\n", 2);
}

static void test_resolved(void) {
        char tmp[] = "/tmp/kubeprep-managed.XXXXXX";
        if (!mkdtemp(tmp))
                return;
        mk(tmp, "/etc/fstab.real", NULL);
        mk(tmp, "/etc/fstab", "fstab.real");
        mk(tmp, "/srv/netplan/01-net.yaml", NULL);
        mk(tmp, "/etc/netplan", "/srv/netplan");
        mk(tmp, "/srv/keyfiles/wired", NULL);
        mk(tmp, "/etc/NetworkManager/system-connections/Wired.nmconnection", "/srv/keyfiles/wired");
        mk(tmp, "/srv/keyfiles/other", NULL);
        mk(tmp, "/data/bob/.profile", NULL);
        mk(tmp, "/home/bob", "/data/bob");
        mk(tmp, "/etc/passwd", NULL);
        _cleanup_free_ char *pw = xasprintf("%s/etc/passwd", tmp);
        const char *passwd = "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n"
                             "bob:x:1001:1001::/home/bob:/bin/sh\n";
        (void) write_file(pw, passwd, strlen(passwd));
        struct root *root = NULL;
        struct user_db db = {};
        _cleanup_free_ char *err = NULL;
        if (root_open(tmp, false, &root) < 0 || user_db_load(root, &db, &err) < 0) {
                tap_ok(false, "open the scratch tree");
                return;
        }
        tap_ok(managed_path(root, &db, "/etc/fstab.real"), "what /etc/fstab links to");
        tap_ok(!managed_path(root, &db, "/etc/fstab.other"), "but not its neighbour");
        tap_ok(managed_path(root, &db, "/srv/netplan/01-net.yaml"), "a file in /etc/netplan, itself a link");
        tap_ok(managed_path(root, &db, "/srv/keyfiles/wired"), "what a keyfile links to");
        tap_ok(!managed_path(root, &db, "/srv/keyfiles/other"), "but not the file beside it");
        tap_ok(managed_path(root, &db, "/home/alice/.kube/config"), "a user's ~/.kube/config");
        tap_ok(managed_path(root, &db, "/data/bob/.kube/config"), "also where the home resolves to");
        tap_ok(!managed_path(root, &db, "/data/bob/.profile"), "nothing else in a home");
        tap_ok(!managed_path(root, &db, "/root/.kube/config"), "not root's (kubeconfig never writes it)");
        tap_ok(!managed_path(root, NULL, "/home/alice/.kube/config"), "no users, no homes");
        tap_ok(!managed_path(root, &db, "/etc/passwd"), "never /etc/passwd");
        user_db_free(&db);
        root_free(root);
        _cleanup_free_ char *cmd = xasprintf("rm -rf %s", tmp);
        (void) !system(cmd);
}

static void test_sha256(void) {
        /* FIPS 180-4 examples, and the padding boundaries against sha256sum(1). */
        char hex[2 * SHA256_DIGEST_SIZE + 1];
        sha256_hex("", 0, hex);
        tap_streq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                  "sha256 of nothing");
        sha256_hex("abc", 3, hex);
        tap_streq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 of abc");
        const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        sha256_hex(two, strlen(two), hex);
        tap_streq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                  "sha256 of two blocks");
        char *million = xmalloc(1000000);
        memset(million, 'a', 1000000);
        sha256_hex(million, 1000000, hex);
        tap_streq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                  "sha256 of a million a");
        free(million);
        static const size_t lens[] = { 55, 56, 63, 64, 65, 119, 120, 128 };
        for (size_t i = 0; i < ELEMENTSOF(lens); i++) {
                char buf[128];
                memset(buf, 'x', lens[i]);
                sha256_hex(buf, lens[i], hex);
                _cleanup_free_ char *cmd =
                        xasprintf("head -c %zu /dev/zero | tr '\\0' x | sha256sum | cut -c1-64", lens[i]);
                _cleanup_free_ char *want = run_capture(cmd),
                                    *name = xasprintf("sha256 of %zu bytes as sha256sum", lens[i]);
                if (want && strchr(want, '\n'))
                        *strchr(want, '\n') = 0;
                tap_streq(hex, want, name);
        }
}

int main(void) {
        test_listed();
        test_goldens();
        test_resolved();
        test_sha256();
        return tap_done();
}
