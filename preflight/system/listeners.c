/* SPDX-License-Identifier: MIT */
/* Listening TCP sockets and their owners from procfs (listeners.h). The owner search opens the fd
 * directories of every process, so it runs only for the sockets found on the ports asked for. */
#include "system/listeners.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>

#include "basic/rootfs.h"
#include "basic/util.h"

#define TCP_LISTEN 0x0A

/* One hex word of /proc/net/tcp: the kernel prints each 32-bit word of the address as an integer
 * in host order, so its bytes in memory are the address in network order again. */
static bool hex_word(const char *s, uint32_t *ret) {
        char w[9];
        memcpy(w, s, 8);
        w[8] = 0;
        if (strspn(w, "0123456789abcdefABCDEF") != 8)
                return false;
        *ret = (uint32_t) strtoul(w, NULL, 16);
        return true;
}

/* "0100007F:1A0B" or 32 hex digits ":PORT" -> address text and port. */
static bool parse_local(const char *s, size_t n, bool v6, char *ret_addr, uint16_t *ret_port) {
        size_t words = v6 ? 4 : 1;
        if (n != words * 8 + 5 || s[words * 8] != ':')
                return false;
        unsigned char addr[16];
        for (size_t i = 0; i < words; i++) {
                uint32_t w;
                if (!hex_word(s + i * 8, &w))
                        return false;
                memcpy(addr + i * 4, &w, 4);
        }
        const char *p = s + words * 8 + 1;
        if (strspn(p, "0123456789abcdefABCDEF") < 4)
                return false;
        char port[5] = { p[0], p[1], p[2], p[3], 0 };
        *ret_port = (uint16_t) strtoul(port, NULL, 16);
        return inet_ntop(v6 ? AF_INET6 : AF_INET, addr, ret_addr, INET6_ADDRSTRLEN) != NULL;
}

static bool wanted(uint16_t port, const uint16_t *ports, size_t n_ports) {
        if (n_ports == 0)
                return true;
        for (size_t i = 0; i < n_ports; i++)
                if (ports[i] == port)
                        return true;
        return false;
}

/* The next blank-separated field of [*p, end). */
static bool field(const char **p, const char *end, const char **ret, size_t *ret_n) {
        while (*p < end && (**p == ' ' || **p == '\t'))
                (*p)++;
        const char *s = *p;
        while (*p < end && **p != ' ' && **p != '\t')
                (*p)++;
        *ret = s;
        *ret_n = (size_t) (*p - s);
        return *ret_n > 0;
}

int proc_net_tcp_parse(const char *text, size_t len, bool v6, const uint16_t *ports, size_t n_ports,
                       struct tcp_listeners *l) {
        bool header = true;
        for (size_t off = 0, n, end; text_line(text, len, off, &n, &end); off = end) {
                const char *p = text + off, *e = p + n, *f[10];
                size_t fn[10];
                if (header) { /* "  sl  local_address rem_address   st ..." */
                        header = false;
                        continue;
                }
                size_t got = 0;
                while (got < ELEMENTSOF(f) && field(&p, e, &f[got], &fn[got]))
                        got++;
                if (got == 0)
                        continue;
                /* sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode */
                if (got < 10 || fn[3] != 2)
                        return -EBADMSG;
                char addr[INET6_ADDRSTRLEN];
                uint16_t port;
                if (!parse_local(f[1], fn[1], v6, addr, &port))
                        return -EBADMSG;
                char st[3] = { f[3][0], f[3][1], 0 };
                if (strtoul(st, NULL, 16) != TCP_LISTEN || !wanted(port, ports, n_ports))
                        continue;
                _cleanup_free_ char *ino = xstrndup(f[9], fn[9]);
                if (strspn(ino, "0123456789") != fn[9])
                        return -EBADMSG;
                l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
                struct tcp_listener *t = &l->items[l->n++];
                *t = (struct tcp_listener){ .port = port, .inode = strtoul(ino, NULL, 10) };
                memcpy(t->address, addr, sizeof(addr));
        }
        return 0;
}

static bool all_digits(const char *s) {
        return *s && strspn(s, "0123456789") == strlen(s);
}

/* Whether directory fd dir (a /proc/PID/fd) has a descriptor for socket:[inode]. */
static bool fd_dir_has_socket(int dir, const char *want) {
        DIR *d = fdopendir(dir);
        if (!d) {
                close(dir);
                return false;
        }
        bool found = false;
        for (struct dirent *de; !found && (de = readdir(d));) {
                char target[64];
                if (!all_digits(de->d_name))
                        continue;
                ssize_t n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
                if (n <= 0)
                        continue;
                target[n] = 0;
                found = streq(target, want);
        }
        closedir(d);
        return found;
}

static char *process_name(int pid_dir) {
        _cleanup_close_ int fd = openat(pid_dir, "comm", O_RDONLY | O_CLOEXEC);
        char comm[64];
        ssize_t n = fd < 0 ? -1 : read(fd, comm, sizeof(comm) - 1);
        if (n <= 0)
                return NULL;
        comm[n] = 0;
        comm[strcspn(comm, "\n")] = 0;
        return xstrdup(comm);
}

int socket_owner(const char *proc, unsigned long inode, pid_t *ret_pid, char **ret_name) {
        _cleanup_free_ char *want = xasprintf("socket:[%lu]", inode);
        DIR *d = opendir(proc);
        if (!d)
                return -errno;
        int found = 0;
        for (struct dirent *de; !found && (de = readdir(d));) {
                if (!all_digits(de->d_name))
                        continue;
                _cleanup_close_ int pid_dir =
                        openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (pid_dir < 0)
                        continue; /* gone meanwhile */
                int fd_dir = openat(pid_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd_dir < 0 || !fd_dir_has_socket(fd_dir, want))
                        continue;
                *ret_pid = (pid_t) atoi(de->d_name);
                *ret_name = process_name(pid_dir);
                found = 1;
        }
        closedir(d);
        return found;
}

static int read_proc_net(const char *path, bool v6, const uint16_t *ports, size_t n_ports,
                         struct tcp_listeners *l, char **ret_error) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *text = NULL;
        size_t len;
        int k = fd < 0 ? -errno : read_fd_to_end(fd, 16384, READ_FILE_MAX, &text, &len);
        if (k == -ENOENT && v6)
                return 0;
        if (k >= 0)
                k = proc_net_tcp_parse(text, len, v6, ports, n_ports, l);
        if (k == -EBADMSG)
                set_error(ret_error, "%s: a line kubeprep cannot read", path);
        else if (k < 0)
                set_error(ret_error, "cannot read %s: %s", path, strerror(-k));
        return k;
}

int tcp_listeners_read(const uint16_t *ports, size_t n_ports, struct tcp_listeners *ret, char **ret_error) {
        struct tcp_listeners l = {};
        int k = read_proc_net("/proc/net/tcp", false, ports, n_ports, &l, ret_error);
        if (k >= 0)
                k = read_proc_net("/proc/net/tcp6", true, ports, n_ports, &l, ret_error);
        if (k < 0) {
                tcp_listeners_free(&l);
                return k;
        }
        for (size_t i = 0; i < l.n; i++) {
                /* Two sockets of one process (IPv4 and IPv6) are found by one search each: few. */
                if (socket_owner("/proc", l.items[i].inode, &l.items[i].pid, &l.items[i].process) <= 0)
                        l.items[i].pid = 0;
        }
        *ret = l;
        return 0;
}

void tcp_listeners_free(struct tcp_listeners *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].process);
        free(l->items);
        *l = (struct tcp_listeners){};
}
