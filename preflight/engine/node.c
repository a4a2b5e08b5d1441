/* SPDX-License-Identifier: MIT */
/* Node facts. Live they come from the kernel; with --root only from the
 * tree's files, never from the machine kubeprep happens to run on. */
#include "engine/node.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>

#include "basic/time-util.h"
#include "basic/util.h"
#include "engine/datadir.h"
#include "formats/kubeconfig.h"
#include "formats/manifest.h"
#include "system/apiserver.h"
#include "system/kernel-state.h"
#include "system/libsystemd.h"
#include "system/resolve.h"
#include "system/swaps.h"
#include "system/unix-sockets.h"

#define DPKG_STATUS "/var/lib/dpkg/status"
#define APISERVER_MANIFEST "/etc/kubernetes/manifests/kube-apiserver.yaml"
#define VERSION_EXEC_TIMEOUT_MS 2000
#define APISERVER_TIMEOUT_MS 2000
#define CONTROLLER_MANAGER_MANIFEST "/etc/kubernetes/manifests/kube-controller-manager.yaml"
/* kubeadm's Hostname check waits for its lookup; kubeprep gives it this long. */
#define RESOLVE_TIMEOUT_MS 3000

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
        static const char *const probes[] = { "/usr/bin/kubelet", "/bin/sh", "/usr/bin/sh" };
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

/* The value of a "Field: value" line of a dpkg paragraph, trimmed; NULL when
 * the line is another field. */
static char *dpkg_field(const char *line, size_t l, const char *field) {
        size_t f = strlen(field);
        if (l <= f || strncasecmp(line, field, f) != 0 || line[f] != ':')
                return NULL;
        const char *v = line + f + 1, *e = line + l;
        while (v < e && (*v == ' ' || *v == '\t'))
                v++;
        while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                e--;
        return xstrndup(v, (size_t) (e - v));
}

int dpkg_package_version(const char *text, size_t len, const char *package, struct kversion *ret) {
        for (size_t off = 0; off < len;) {
                _cleanup_free_ char *name = NULL, *status = NULL, *version = NULL;
                /* One paragraph: lines up to an empty one. */
                for (size_t l, end; text_line(text, len, off, &l, &end);) {
                        const char *line = text + off;
                        off = end;
                        if (l == 0)
                                break;
                        char *v;
                        if (!name && (v = dpkg_field(line, l, "Package")))
                                name = v;
                        else if (!status && (v = dpkg_field(line, l, "Status")))
                                status = v;
                        else if (!version && (v = dpkg_field(line, l, "Version")))
                                version = v;
                }
                if (!name || !streq(name, package) || !version || !status)
                        continue;
                /* "install ok installed", "hold ok installed"; not "deinstall ok config-files". */
                const char *last = strrchr(status, ' ');
                if (!streq(last ? last + 1 : status, "installed"))
                        continue;
                const char *colon = strchr(version, ':'); /* an epoch, "1:1.22.2-00" */
                return version_parse(colon ? colon + 1 : version, ret) < 0 ? -EINVAL : 1;
        }
        return 0;
}

int kubelet_version_output_parse(const char *out, struct kversion *ret) {
        const char *p = strstr(out, "Kubernetes ");
        if (!p)
                return -EINVAL;
        p += strlen("Kubernetes ");
        _cleanup_free_ char *word = xstrndup(p, strcspn(p, " \t\r\n"));
        return version_parse(word, ret);
}

/* Run a program (from PATH when prog has no '/') with its output in out,
 * killing it after the timeout: a wedged binary must not hang a boot-time run.
 * 0, -ETIME when it did not answer in time, <0 when it could not start. */
static int exec_output(const char *prog, char *const argv[], char *out, size_t size) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        _cleanup_close_ int rfd = p[0];
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        extern char **environ;
        pid_t pid;
        int k = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(p[1]);
        if (k != 0)
                return -k;

        size_t n = 0;
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + VERSION_EXEC_TIMEOUT_MS * USEC_PER_MSEC;
        bool timed_out = false;
        while (n < size - 1) {
                uint64_t now = now_usec(CLOCK_MONOTONIC);
                if (now >= deadline) {
                        timed_out = true;
                        break;
                }
                struct pollfd pfd = { .fd = rfd, .events = POLLIN };
                int pr = poll(&pfd, 1, (int) ((deadline - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC));
                if (pr < 0 && errno == EINTR)
                        continue;
                if (pr <= 0) {
                        timed_out = pr == 0;
                        break;
                }
                ssize_t m = read(rfd, out + n, size - 1 - n);
                if (m < 0 && errno == EINTR)
                        continue;
                if (m <= 0)
                        break;
                n += (size_t) m;
        }
        out[n] = 0;
        if (timed_out)
                kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return timed_out ? -ETIME : 0;
}

static int exec_kubelet_version(struct kversion *ret) {
        char *argv[] = { (char *) "kubelet", (char *) "--version", NULL };
        char out[512];
        int k = exec_output("kubelet", argv, out, sizeof(out));
        return k < 0 ? k : kubelet_version_output_parse(out, ret);
}

int kubeadm_version_output_parse(const char *out, struct kversion *ret) {
        /* One line, "v1.30.2": anything else is not this command's answer. */
        size_t l = strcspn(out, "\r\n");
        if (l == 0 || out[l + strspn(out + l, "\r\n")] != 0 || memchr(out, ' ', l))
                return -EINVAL;
        _cleanup_free_ char *word = xstrndup(out, l);
        return version_parse(word, ret);
}

int kubeadm_version_exec(const char *kubeadm, struct kversion *ret) {
        char *argv[] = { (char *) "kubeadm", (char *) "version", (char *) "-o", (char *) "short", NULL };
        char out[512];
        int k = exec_output(kubeadm, argv, out, sizeof(out));
        return k < 0 ? k : kubeadm_version_output_parse(out, ret);
}

static void set_version(char **ret_str, struct kversion *ret_v, char **ret_from, const struct kversion *v,
                        const char *from) {
        *ret_v = *v;
        *ret_str = version_to_string(v);
        *ret_from = xstrdup(from);
}

static void kubelet_version(const struct root *root, const struct options *opts, struct node_facts *n) {
        struct kversion v;
        if (opts->kubelet_version) {
                if (version_parse(opts->kubelet_version, &v) < 0)
                        n->error =
                                xasprintf("--kubelet-version '%s' is not a Kubernetes version (e.g. 1.22.2)",
                                          opts->kubelet_version);
                else
                        set_version(&n->kubelet_version, &n->kubelet, &n->kubelet_version_from, &v,
                                    "--kubelet-version");
                return;
        }
        /* An rpm tree has no text database to read; such a tree stays unknown. */
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (root_read_file(root, DPKG_STATUS, &text, &len, NULL) >= 0) {
                int k = dpkg_package_version(text, len, "kubelet", &v);
                if (k > 0) {
                        set_version(&n->kubelet_version, &n->kubelet, &n->kubelet_version_from, &v,
                                    DPKG_STATUS);
                        return;
                }
                if (k < 0)
                        strv_push(&n->version_notes,
                                  xasprintf("%s: the kubelet package's version is not a Kubernetes version",
                                            DPKG_STATUS));
        }
        if (!root->live)
                return; /* never run a binary of the tree */
        int k = exec_kubelet_version(&v);
        if (k >= 0)
                set_version(&n->kubelet_version, &n->kubelet, &n->kubelet_version_from, &v,
                            "kubelet --version");
        else if (k == -ETIME)
                strv_push(&n->version_notes, xasprintf("kubelet --version did not answer within %d s",
                                                       VERSION_EXEC_TIMEOUT_MS / 1000));
}

/* kubeadm's version: the one the kubeadm verb found for the kubeadm it runs, else
 * the package database, else (live only) `kubeadm version -o short` from PATH. */
static void kubeadm_version(const struct root *root, const struct options *opts, struct node_facts *n) {
        struct kversion v;
        if (opts->kubeadm_version && version_parse(opts->kubeadm_version, &v) >= 0) {
                set_version(&n->kubeadm_version, &n->kubeadm, &n->kubeadm_version_from, &v,
                            strempty(opts->kubeadm_version_from));
                return;
        }
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (root_read_file(root, DPKG_STATUS, &text, &len, NULL) >= 0) {
                int k = dpkg_package_version(text, len, "kubeadm", &v);
                if (k > 0) {
                        set_version(&n->kubeadm_version, &n->kubeadm, &n->kubeadm_version_from, &v,
                                    DPKG_STATUS);
                        return;
                }
                if (k < 0)
                        strv_push(&n->version_notes,
                                  xasprintf("%s: the kubeadm package's version is not a Kubernetes version",
                                            DPKG_STATUS));
        }
        if (!root->live)
                return; /* never run a binary of the tree */
        int k = kubeadm_version_exec("kubeadm", &v);
        if (k >= 0)
                set_version(&n->kubeadm_version, &n->kubeadm, &n->kubeadm_version_from, &v,
                            "kubeadm version -o short");
        else if (k == -ETIME)
                strv_push(&n->version_notes, xasprintf("kubeadm version -o short did not answer within %d s",
                                                       VERSION_EXEC_TIMEOUT_MS / 1000));
}

/* The kube-apiserver static pod's image tag. */
static void manifest_version(const struct root *root, struct node_facts *n) {
        _cleanup_free_ char *text = NULL, *image = NULL, *tag = NULL, *err = NULL;
        size_t len;
        if (root_read_file(root, APISERVER_MANIFEST, &text, &len, NULL) < 0)
                return;
        int k = manifest_apiserver_image(text, len, &image, &err);
        if (k < 0) {
                strv_push(&n->version_notes,
                          xasprintf("%s: %s", APISERVER_MANIFEST, err ? err : strerror(-k)));
                return;
        }
        if (k == 0) {
                strv_push(&n->version_notes,
                          xasprintf("%s: no kube-apiserver container", APISERVER_MANIFEST));
                return;
        }
        struct kversion v;
        tag = image_tag(image);
        if (!tag || version_parse(tag, &v) < 0) {
                strv_push(&n->version_notes,
                          xasprintf("%s: the image %s has no version tag", APISERVER_MANIFEST, image));
                return;
        }
        set_version(&n->control_plane_version, &n->control_plane, &n->control_plane_version_from, &v,
                    APISERVER_MANIFEST);
}

/* --kubeadm-config is a path on the machine kubeprep runs on, not in the tree.
 * It is read even when a version came from elsewhere, so a bad one is said. */
static void kubeadm_config_version(const char *path, struct node_facts *n) {
        _cleanup_free_ char *text = NULL, *version = NULL, *err = NULL;
        size_t len;
        unsigned line = 0;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        int k = fd < 0 ? -errno : read_fd_whole(fd, &text, &len, NULL);
        if (k < 0) {
                n->error = xasprintf("--kubeadm-config %s: cannot read: %s", path, read_strerror(k));
                return;
        }
        k = kubeadm_config_kubernetes_version(text, len, &version, &line, &err);
        if (k < 0) {
                n->error = xasprintf("--kubeadm-config %s: %s", path, err ? err : strerror(-k));
                return;
        }
        if (k == 0 || n->control_plane_version)
                return;
        struct kversion v;
        if (version_parse(version, &v) < 0) {
                strv_push(&n->version_notes,
                          xasprintf("--kubeadm-config %s:%u: kubernetesVersion %s is not a version", path,
                                    line, version));
                return;
        }
        _cleanup_free_ char *from = xasprintf("--kubeadm-config %s", path);
        set_version(&n->control_plane_version, &n->control_plane, &n->control_plane_version_from, &v, from);
}

/* A credential of a kubeconfig: inline, or a file it names (relative to the
 * kubeconfig's directory, as kubectl reads it). */
static int kubeconfig_credential(const struct root *root, const char *dir, char **data, size_t *len,
                                 const char *file, char **ret_error) {
        if (*data || !file)
                return 0;
        _cleanup_free_ char *path = file[0] == '/' ? xstrdup(file) : xasprintf("%s/%s", dir, file);
        int k = root_read_file(root, path, data, len, NULL);
        if (k < 0)
                set_error(ret_error, "%s: %s", path, read_strerror(k));
        return k;
}

/* The gitVersion of a /version answer, parsed. */
static int version_answer_parse(const char *body, size_t len, struct kversion *ret) {
        cJSON *o = cJSON_ParseWithLength(body, len);
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "gitVersion");
        int k = cJSON_IsString(g) ? version_parse(g->valuestring, ret) : -EINVAL;
        cJSON_Delete(o);
        return k;
}

/* GET /version of the API server the node's kubeconfig names: on a worker,
 * which has no kube-apiserver manifest, the only place the version is. TLS is
 * verified against that kubeconfig's CA; its client certificate is sent when
 * it has one (/version is readable anonymously by default). */
static void apiserver_version(const struct root *root, struct node_facts *n) {
        static const char *const kubeconfigs[] = { "kubelet.conf", "bootstrap-kubelet.conf", "admin.conf" };
        _cleanup_free_ char *text = NULL, *path = NULL, *err = NULL, *url = NULL, *route = NULL,
                            *body = NULL;
        const char *name = NULL;
        size_t len, body_len = 0;
        for (size_t i = 0; i < ELEMENTSOF(kubeconfigs) && !name; i++) {
                free(path);
                path = xasprintf("/etc/kubernetes/%s", kubeconfigs[i]);
                if (root_read_file(root, path, &text, &len, NULL) >= 0)
                        name = kubeconfigs[i];
        }
        if (!name)
                return; /* the node has not joined a cluster */
        struct kubeconfig_target t = {};
        if (kubeconfig_target_parse(text, len, &t, &err) < 0) {
                n->control_plane_note = xasprintf("%s: %s", path, err);
                return;
        }
        /* The server URL may end in '/'; /version is at its root either way. */
        size_t sl = strlen(t.server);
        while (sl > 0 && t.server[sl - 1] == '/')
                sl--;
        url = xasprintf("%.*s/version", (int) sl, t.server);
        int k = kubeconfig_credential(root, "/etc/kubernetes", &t.ca_data, &t.ca_len, t.ca_file, &err);
        if (k >= 0 && !t.ca_data) {
                set_error(&err, "%s has no certificate-authority to verify the server with", path);
                k = -ENOENT;
        }
        if (k >= 0) {
                /* Without its client certificate the request is anonymous, which /version allows. */
                _cleanup_free_ char *ignored = NULL;
                if (kubeconfig_credential(root, "/etc/kubernetes", &t.cert_data, &t.cert_len, t.cert_file,
                                          &ignored) < 0 ||
                    kubeconfig_credential(root, "/etc/kubernetes", &t.key_data, &t.key_len, t.key_file,
                                          &ignored) < 0) {
                        free(t.cert_data);
                        free(t.key_data);
                        t.cert_data = t.key_data = NULL;
                }
                struct apiserver_request req = {
                        .url = url,
                        .ca_pem = t.ca_data,
                        .ca_len = t.ca_len,
                        .cert_pem = t.cert_data,
                        .cert_len = t.cert_len,
                        .key_pem = t.key_data,
                        .key_len = t.key_len,
                        .timeout_ms = APISERVER_TIMEOUT_MS,
                };
                k = apiserver_get(&req, &body, &body_len, &route, &err);
        }
        kubeconfig_target_free(&t);
        _cleanup_free_ char *from = xasprintf("%s (%s%s%s)", url, name, route ? "; " : "", strempty(route));
        struct kversion v;
        if (k >= 0 && version_answer_parse(body, body_len, &v) < 0) {
                set_error(&err, "%s", "the answer is not Kubernetes version JSON (no gitVersion)");
                k = -EBADMSG;
        }
        if (k < 0) {
                n->control_plane_note = xasprintf("%s: %s", from, err);
                return;
        }
        set_version(&n->control_plane_version, &n->control_plane, &n->control_plane_version_from, &v, from);
}

static void control_plane_version(const struct root *root, const struct options *opts,
                                  struct node_facts *n) {
        struct kversion v;
        if (opts->control_plane_version) {
                if (version_parse(opts->control_plane_version, &v) < 0) {
                        if (!n->error) /* the first bad option is the one reported */
                                n->error = xasprintf("--control-plane-version '%s' is not a Kubernetes "
                                                     "version (e.g. 1.22.17)",
                                                     opts->control_plane_version);
                } else
                        set_version(&n->control_plane_version, &n->control_plane,
                                    &n->control_plane_version_from, &v, "--control-plane-version");
        }
        if (!n->control_plane_version)
                manifest_version(root, n);
        if (opts->kubeadm_config && !n->error)
                kubeadm_config_version(opts->kubeadm_config, n);
        /* An image build has no cluster: the API server is asked only live. */
        if (!n->control_plane_version && !n->error && root->live)
                apiserver_version(root, n);
}

static void live_state_free(struct node_facts *n) {
        strv_free(&n->swaps);
        free(n->swaps_message);
        free(n->route_message);
        rtnl_links_free(&n->links);
        free(n->links_message);
        n->swaps_message = n->route_message = n->links_message = NULL;
        n->swaps_error = n->route_error = n->links_error = 0;
        n->route = (struct rtnl_default_route){};
}

/* What the swap and gateway fixers plan from; a failed read is kept, not fatal. */
static void live_state(struct node_facts *n) {
        int k = swaps_read_active(&n->swaps, &n->swaps_message);
        n->swaps_error = k < 0 ? k : 0;
        k = rtnl_get_default_route(&n->route, &n->route_message);
        n->route_error = k < 0 ? k : 0;
        k = rtnl_read_links(&n->links, &n->links_message);
        n->links_error = k < 0 ? k : 0;
}

const char *const node_cri_sockets[] = {
        "/var/run/containerd/containerd.sock",
        "/var/run/crio/crio.sock",
        "/var/run/cri-dockerd.sock",
        NULL,
};

/* What kubeadm finds when it looks for a CRI: the sockets a process listens on. */
static void cri_sockets(struct node_facts *n) {
        for (size_t i = 0; node_cri_sockets[i]; i++) {
                enum unix_socket_state st;
                int k = unix_socket_state(node_cri_sockets[i], &st);
                if (k < 0) {
                        n->cri_sockets_error = k;
                        return;
                }
                if (st == UNIX_SOCKET_LISTENING)
                        strv_push(&n->cri_sockets_listening, xstrdup(node_cri_sockets[i]));
                else if (st == UNIX_SOCKET_STALE)
                        strv_push(&n->cri_sockets_stale, xstrdup(node_cri_sockets[i]));
        }
}

void node_facts_reread_live(const struct root *root, struct node_facts *n) {
        if (!root->live)
                return;
        live_state_free(n);
        live_state(n);
}

/* kubeadm's Port-N checks (fixers/ports.c says which node role needs which). */
static const uint16_t kubeadm_ports[] = { 6443, 10250, 10257, 10259, 2379, 2380 };

/* The value of --flag in the kubeadm hook's arguments ("--flag=V" or "--flag V"), NULL when absent. */
static const char *kubeadm_arg(const struct options *opts, const char *flag) {
        size_t fl = strlen(flag);
        for (size_t i = 1; i < opts->n_kubeadm_args; i++) {
                const char *a = opts->kubeadm_args[i];
                if (strncmp(a, flag, fl) != 0)
                        continue;
                if (a[fl] == '=')
                        return a + fl + 1;
                if (a[fl] == 0 && i + 1 < opts->n_kubeadm_args)
                        return opts->kubeadm_args[i + 1];
        }
        return NULL;
}

/* kubeadm join's endpoint: its first argument that is no flag (flags here all take a value in the
 * same word or the next one, so a word after a "--flag" without '=' is that flag's value). */
static const char *join_endpoint(const struct options *opts) {
        for (size_t i = 1; i < opts->n_kubeadm_args; i++) {
                const char *a = opts->kubeadm_args[i];
                if (a[0] != '-')
                        return a;
                static const char *const bool_flags[] = { "--control-plane", "--dry-run", "-v", "--v" };
                bool takes_value = !strchr(a, '=');
                for (size_t b = 0; b < ELEMENTSOF(bool_flags); b++)
                        if (streq(a, bool_flags[b]))
                                takes_value = false;
                if (takes_value)
                        i++;
        }
        return NULL;
}

static void note_from(char **from, bool had, const struct strv *now, const char *source) {
        if (!had && now->n && !*from)
                *from = xstrdup(source);
}

/* One source of the cluster's networks; each field is taken from the first source that has it. */
static void networks_merge(struct node_facts *n, const struct cluster_networks *c, const char *source) {
        bool had_svc = n->networks.service_subnets.n > 0, had_pod = n->networks.pod_subnets.n > 0;
        for (size_t i = 0; !had_svc && i < c->service_subnets.n; i++)
                strv_push(&n->networks.service_subnets, xstrdup(c->service_subnets.items[i]));
        for (size_t i = 0; !had_pod && i < c->pod_subnets.n; i++)
                strv_push(&n->networks.pod_subnets, xstrdup(c->pod_subnets.items[i]));
        note_from(&n->service_subnets_from, had_svc, &n->networks.service_subnets, source);
        note_from(&n->pod_subnets_from, had_pod, &n->networks.pod_subnets, source);
        if (!n->networks.advertise_address && c->advertise_address) {
                n->networks.advertise_address = xstrdup(c->advertise_address);
                n->advertise_address_from = xstrdup(source);
        }
        if (!n->networks.api_endpoint && c->api_endpoint) {
                n->networks.api_endpoint = xstrdup(c->api_endpoint);
                n->api_endpoint_from = xstrdup(source);
        }
}

static void manifest_flag(const struct root *root, const char *path, const char *flag, char **ret) {
        _cleanup_free_ char *text = NULL, *err = NULL;
        size_t len;
        if (root_read_file(root, path, &text, &len, NULL) >= 0)
                (void) manifest_command_flag(text, len, flag, ret, &err);
}

/* The cluster's networks: what the node is about to be told, then what it was told. A config or
 * manifest that does not parse gives nothing here (the version facts report it). */
static void cluster_facts(const struct root *root, const struct options *opts, struct node_facts *n) {
        struct cluster_networks c = {};
        if (opts->n_kubeadm_args > 0) {
                const char *v;
                if ((v = kubeadm_arg(opts, "--service-cidr")))
                        cluster_networks_add_list(&c.service_subnets, v);
                if ((v = kubeadm_arg(opts, "--pod-network-cidr")))
                        cluster_networks_add_list(&c.pod_subnets, v);
                if ((v = kubeadm_arg(opts, "--apiserver-advertise-address")))
                        c.advertise_address = xstrdup(v);
                if (streq(opts->kubeadm_args[0], "join") && (v = join_endpoint(opts)))
                        c.api_endpoint = xstrdup(v);
                networks_merge(n, &c, "the kubeadm arguments");
                cluster_networks_free(&c);
        }
        if (opts->kubeadm_config) {
                _cleanup_free_ char *text = NULL, *err = NULL, *from = NULL;
                size_t len;
                if (read_host_file(opts->kubeadm_config, &text, &len) >= 0 &&
                    kubeadm_config_networks(text, len, &c, &err) >= 0) {
                        from = xasprintf("--kubeadm-config %s", opts->kubeadm_config);
                        networks_merge(n, &c, from);
                }
                cluster_networks_free(&c);
        }
        _cleanup_free_ char *svc = NULL, *pod = NULL;
        manifest_flag(root, APISERVER_MANIFEST, "--service-cluster-ip-range", &svc);
        manifest_flag(root, APISERVER_MANIFEST, "--advertise-address", &c.advertise_address);
        manifest_flag(root, CONTROLLER_MANAGER_MANIFEST, "--cluster-cidr", &pod);
        if (svc)
                cluster_networks_add_list(&c.service_subnets, svc);
        networks_merge(n, &c, APISERVER_MANIFEST);
        cluster_networks_free(&c);
        if (pod)
                cluster_networks_add_list(&c.pod_subnets, pod);
        networks_merge(n, &c, CONTROLLER_MANAGER_MANIFEST);
        cluster_networks_free(&c);
}

/* What kubeadm's NumCPU, Mem and Port-N checks read, live only. */
static void live_resources(struct node_facts *n) {
        cpu_set_t set;
        if (sched_getaffinity(0, sizeof(set), &set) == 0)
                n->cpus = (unsigned) CPU_COUNT(&set);
        struct sysinfo si;
        if (sysinfo(&si) == 0)
                n->mem_mb = (unsigned long long) si.totalram * si.mem_unit / 1024 / 1024;
        int k = tcp_listeners_read(kubeadm_ports, ELEMENTSOF(kubeadm_ports), &n->listeners,
                                   &n->listeners_message);
        n->listeners_error = k < 0 ? k : 0;
}

/* systemd's reading of /etc/hostname: the first line that is neither empty nor a comment. */
static char *tree_hostname(const struct root *root) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (root_read_file(root, "/etc/hostname", &text, &len, NULL) < 0)
                return NULL;
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                _cleanup_free_ char *line = xstrndup_strip(text + off, n, WHITESPACE);
                if (*line && *line != '#')
                        return TAKE_PTR(line);
        }
        return NULL;
}

static char *live_hostname(void) {
        char name[HOST_NAME_MAX + 1];
        if (gethostname(name, sizeof(name)) < 0)
                return NULL;
        name[HOST_NAME_MAX] = 0;
        return xstrdup(name);
}

/* The units the firewall and time-sync fixers ask systemd about, when installed. */
static const char *const preflight_units[] = {
        "firewalld.service", "systemd-timesyncd.service",
        "chrony.service",    "chronyd.service",
        "ntpsec.service",    "ntp.service",
        "ntpd.service",      "openntpd.service",
};

static void unit_states(const struct root *root, struct node_facts *n) {
        if (!n->init || !streq(n->init, "systemd"))
                return;
        _cleanup_(sym_sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        for (size_t i = 0; i < ELEMENTSOF(preflight_units); i++) {
                if (node_unit_file(root, preflight_units[i], NULL) <= 0)
                        continue;
                if (!bus) {
                        int k = units_bus_open(&bus, &n->units_message);
                        if (k < 0) {
                                n->units_error = k;
                                return;
                        }
                }
                struct unit_state st;
                _cleanup_free_ char *err = NULL;
                int k = units_get_state(bus, preflight_units[i], &st, &err);
                if (k < 0) {
                        n->units_error = k;
                        free(n->units_message);
                        n->units_message = TAKE_PTR(err);
                        return;
                }
                n->units = xrealloc(n->units, (n->n_units + 1) * sizeof(*n->units));
                n->units[n->n_units++] =
                        (struct node_unit){ .name = xstrdup(preflight_units[i]), .state = st };
        }
}

/* Whether the run plans this fixer (--only, --skip): a fact only it reads is gathered only then, so
 * the kubelet's ExecStartPre run (--only the kubelet's fixers) asks neither systemd nor DNS. diagnose
 * cross-checks fixers that read none of these facts. */
static bool fixer_wanted(const struct options *opts, const char *fixer) {
        if (opts->command == CMD_DIAGNOSE)
                return false;
        if (opts->only.n)
                return strv_contains(&opts->only, fixer);
        return !strv_contains(&opts->skip, fixer);
}

/* The live facts of the firewall, hostname, time-sync and kernel-cgroups fixers. */
static void preflight_state(const struct root *root, const struct options *opts, struct node_facts *n) {
        n->hostname = live_hostname();
        n->hostname_from = "the kernel's hostname";
        n->container = container_manager();
        n->clock_synchronized = -ENODATA;
        if (fixer_wanted(opts, "kernel-cgroups")) {
                int k = kernel_cgroup_controllers(n->cgroup_version, &n->cgroup_controllers,
                                                  &n->cgroup_controllers_message);
                n->cgroup_controllers_error = k < 0 ? k : 0;
                _cleanup_free_ char *ignored = NULL;
                (void) kernel_cmdline(&n->kernel_cmdline, &ignored);
        }
        if (fixer_wanted(opts, "time-sync"))
                n->clock_synchronized = kernel_clock_synchronized();
        if (fixer_wanted(opts, "firewall") || fixer_wanted(opts, "time-sync"))
                unit_states(root, n);
}

int node_facts_gather(const struct root *root, const struct options *opts, struct node_facts *ret) {
        struct node_facts n = {};
        if (root->live) {
                n.arch = live_arch();
                n.init = live_init();
                n.cgroup_version = live_cgroup_version();
                live_state(&n);
                live_resources(&n);
                cri_sockets(&n);
                preflight_state(root, opts, &n);
        } else {
                n.arch = tree_arch(root);
                n.init = tree_init(root);
                n.hostname = tree_hostname(root);
                n.hostname_from = "/etc/hostname";
                n.clock_synchronized = -ENOMEDIUM;
        }
        kubelet_version(root, opts, &n);
        control_plane_version(root, opts, &n);
        kubeadm_version(root, opts, &n);
        cluster_facts(root, opts, &n);
        *ret = n;
        return n.error ? -EINVAL : 0;
}

void node_facts_free(struct node_facts *n) {
        free(n->arch);
        free(n->init);
        free(n->kubelet_version);
        free(n->control_plane_version);
        free(n->kubelet_version_from);
        free(n->control_plane_version_from);
        free(n->kubeadm_version);
        free(n->kubeadm_version_from);
        free(n->control_plane_note);
        strv_free(&n->version_notes);
        strv_free(&n->cri_sockets_listening);
        strv_free(&n->cri_sockets_stale);
        free(n->error);
        live_state_free(n);
        cluster_networks_free(&n->networks);
        free(n->service_subnets_from);
        free(n->pod_subnets_from);
        free(n->advertise_address_from);
        free(n->api_endpoint_from);
        tcp_listeners_free(&n->listeners);
        free(n->listeners_message);
        free(n->hostname);
        free(n->container);
        strv_free(&n->cgroup_controllers);
        free(n->cgroup_controllers_message);
        free(n->kernel_cmdline);
        for (size_t i = 0; i < n->n_units; i++) {
                free(n->units[i].name);
                unit_state_done(&n->units[i].state);
        }
        free(n->units);
        free(n->units_message);
        free(n->node_name);
        free(n->node_name_message);
        strv_free(&n->node_name_addrs);
        *n = (struct node_facts){};
}

void node_facts_gather_name(const struct root *root, const struct options *opts, const char *node_name,
                            struct node_facts *n) {
        free(n->node_name);
        n->node_name = NULL;
        if (node_name) {
                n->node_name = xstrdup(node_name);
                n->node_name_from = "nodeName in the profile";
        } else if (n->hostname) {
                n->node_name = xstrdup(n->hostname);
                for (char *c = n->node_name; *c; c++)
                        *c = (char) (*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
                n->node_name_from = n->hostname_from;
        }
        n->node_name_resolves = -ENOMEDIUM;
        if (!root->live || !n->node_name || !fixer_wanted(opts, "hostname"))
                return;
        int k = resolve_host(n->node_name, RESOLVE_TIMEOUT_MS, &n->node_name_addrs, &n->node_name_message);
        n->node_name_resolves = k;
}

const struct unit_state *node_unit_state(const struct node_facts *n, const char *unit) {
        for (size_t i = 0; i < n->n_units; i++)
                if (streq(n->units[i].name, unit))
                        return &n->units[i].state;
        return NULL;
}

int node_unit_file(const struct root *root, const char *unit, char **ret_path) {
        /* Debian's systemd looks in /lib before /usr/lib (and links to /lib when it enables a unit),
         * the others in /usr/lib first; with a merged /usr both are one directory. */
        static const char *const dirs[] = { "/etc/systemd/system",           "/run/systemd/system",
                                            "/usr/local/lib/systemd/system", "/lib/systemd/system",
                                            "/usr/lib/systemd/system",       "/lib/systemd/system" };
        bool debian = root_exists(root, "/etc/debian_version");
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                if (i == (debian ? 5 : 3))
                        continue;
                _cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], unit);
                struct stat st;
                if (root_lstat(root, p, &st) < 0)
                        continue;
                if (ret_path)
                        *ret_path = TAKE_PTR(p);
                return 1;
        }
        return 0;
}

bool node_has_program(const struct root *root, const char *name) {
        static const char *const dirs[] = { "/usr/bin", "/usr/sbin", "/usr/local/bin" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], name);
                if (root_exists(root, p))
                        return true;
        }
        return false;
}
