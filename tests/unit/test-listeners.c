/* SPDX-License-Identifier: MIT */
/* Listening TCP sockets (system/listeners.c): /proc/net/tcp and tcp6 texts as the kernel prints
 * them, and the owner of a real socket this test opens, found through /proc/PID/fd. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "basic/util.h"
#include "system/listeners.h"
#include "tap.h"

static const char tcp4[] =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 00000000:280A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41001 1 "
        "0000000000000000 100 0 0 10 0\n"
        "   1: 0100007F:094B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41002 1 "
        "0000000000000000 100 0 0 10 0\n"
        "   2: 1402000A:280A 0A00000A:D431 01 00000000:00000000 02:000AF1C3 00000000     0        0 41003 2 "
        "0000000000000000 20 4 30 10 -1\n"
        "   3: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41004 1 "
        "0000000000000000 100 0 0 10 0\n";

static const char tcp6[] = "  sl  local_address                         remote_address                      "
                           "  st tx_queue rx_queue tr "
                           "tm->when retrnsmt   uid  timeout inode\n"
                           "   0: 00000000000000000000000000000000:192B "
                           "00000000000000000000000000000000:0000 0A 00000000:00000000 "
                           "00:00000000 00000000     0        0 42001 1 0000000000000000 100 0 0 10 0\n"
                           "   1: 00000000000000000000000001000000:280A "
                           "00000000000000000000000000000000:0000 0A 00000000:00000000 "
                           "00:00000000 00000000     0        0 42002 1 0000000000000000 100 0 0 10 0\n";

static const uint16_t kubeadm_ports[] = { 6443, 10250, 2379 };

int main(void) {
        struct tcp_listeners l = {};
        int k = proc_net_tcp_parse(tcp4, strlen(tcp4), false, kubeadm_ports, ELEMENTSOF(kubeadm_ports), &l);
        tap_ok(k == 0 && l.n == 2,
               "IPv4: the two listeners on kubeadm's ports (not the established one, not 8080)");
        tap_ok(l.n == 2 && l.items[0].port == 10250 && streq(l.items[0].address, "0.0.0.0") &&
                       l.items[0].inode == 41001,
               "10250 on 0.0.0.0, its inode");
        tap_ok(l.n == 2 && l.items[1].port == 2379 && streq(l.items[1].address, "127.0.0.1"),
               "2379 on 127.0.0.1 (the kernel's host-order words decoded)");
        k = proc_net_tcp_parse(tcp6, strlen(tcp6), true, kubeadm_ports, ELEMENTSOF(kubeadm_ports), &l);
        tap_ok(k == 0 && l.n == 4 && l.items[2].port == 6443 && streq(l.items[2].address, "::") &&
                       l.items[3].port == 10250 && streq(l.items[3].address, "::1"),
               "IPv6: 6443 on :: and 10250 on ::1");
        tcp_listeners_free(&l);
        k = proc_net_tcp_parse(tcp4, strlen(tcp4), false, NULL, 0, &l);
        tap_ok(k == 0 && l.n == 3, "no port list: every listener");
        tcp_listeners_free(&l);
        const char bad[] = "header\n   0: 00000000:280A 0A\n";
        tap_ok(proc_net_tcp_parse(bad, strlen(bad), false, NULL, 0, &l) == -EBADMSG,
               "a short line is refused");
        const char bad_addr[] = "header\n   0: 0000000:280A 00000000:0000 0A 0:0 0:0 0 0 0 1 1\n";
        tap_ok(proc_net_tcp_parse(bad_addr, strlen(bad_addr), false, NULL, 0, &l) == -EBADMSG,
               "a malformed address is refused");
        tcp_listeners_free(&l);

        /* A socket of our own: found with this process's PID and name. */
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        struct stat st;
        if (s < 0 || bind(s, (struct sockaddr *) &a, sizeof(a)) < 0 || listen(s, 1) < 0 ||
            fstat(s, &st) < 0) {
                tap_skip("the owner of a socket", "cannot listen on 127.0.0.1");
                return tap_done();
        }
        pid_t pid = 0;
        _cleanup_free_ char *name = NULL;
        k = socket_owner("/proc", (unsigned long) st.st_ino, &pid, &name);
        tap_ok(k == 1 && pid == getpid() && streq_ptr(name, "test-listeners"),
               "our own listening socket: this process, by name");
        socklen_t al = sizeof(a);
        getsockname(s, (struct sockaddr *) &a, &al);
        uint16_t port = ntohs(a.sin_port);
        struct tcp_listeners live = {};
        _cleanup_free_ char *err = NULL;
        k = tcp_listeners_read(&port, 1, &live, &err);
        tap_ok(k == 0 && live.n == 1 && live.items[0].pid == getpid() &&
                       streq(live.items[0].address, "127.0.0.1"),
               "tcp_listeners_read finds it in /proc/net/tcp, with its owner");
        tcp_listeners_free(&live);
        close(s);
        pid = 0;
        tap_ok(socket_owner("/proc", (unsigned long) st.st_ino, &pid, &name) == 0,
               "a closed socket has no owner");
        return tap_done();
}
