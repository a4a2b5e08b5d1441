/* SPDX-License-Identifier: MIT */
/* Listening TCP sockets and the processes that hold them (live only): /proc/net/tcp and tcp6 of
 * kubeprep's network namespace, and the socket inodes in /proc/PID/fd. For the check of the ports
 * kubeadm needs free. */
#pragma once

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tcp_listener {
        uint16_t port;
        char address[INET6_ADDRSTRLEN]; /* the local address it is bound to, "0.0.0.0", "::" */
        unsigned long inode;
        pid_t pid;     /* 0 when no visible process holds it (another PID namespace) */
        char *process; /* that process's name (/proc/PID/comm); NULL when unknown */
};

struct tcp_listeners {
        struct tcp_listener *items;
        size_t n;
};

/* Append the sockets in state LISTEN on one of ports (n_ports of them; all ports when 0) of a
 * /proc/net/tcp (v6 false) or /proc/net/tcp6 (v6 true) text. 0, or -EBADMSG for a line that is
 * not of that format. */
int proc_net_tcp_parse(const char *text, size_t len, bool v6, const uint16_t *ports, size_t n_ports,
                       struct tcp_listeners *l);

/* The process that has a descriptor for socket inode: 1 found (*ret_pid, *ret_name), 0 none visible.
 * proc is the procfs to search ("/proc", or a test's copy). */
int socket_owner(const char *proc, unsigned long inode, pid_t *ret_pid, char **ret_name);

/* Live: the listening sockets on ports in this network namespace, each with its process. 0, or <0
 * with *ret_error when /proc/net/tcp cannot be read (a missing tcp6, IPv6 disabled, is none). */
int tcp_listeners_read(const uint16_t *ports, size_t n_ports, struct tcp_listeners *ret, char **ret_error);
void tcp_listeners_free(struct tcp_listeners *l);
