/* SPDX-License-Identifier: MIT */
/* Whether a process listens on a Unix socket path, from the kernel's table of this network
 * namespace (/proc/net/unix), without connecting: a connection would start a socket-activated
 * service (cri-docker.socket) just to be checked. */
#pragma once

enum unix_socket_state {
        UNIX_SOCKET_ABSENT,    /* no socket file at the path */
        UNIX_SOCKET_STALE,     /* a socket file, nobody listening on it: connect() would fail */
        UNIX_SOCKET_LISTENING, /* bound and listening: connect() would succeed */
};

/* The state of path, judged against the listening sockets the table lists (a file with the
 * table's path format, for tests). Paths compare after resolving their directories, so
 * /var/run/x.sock and /run/x.sock are one socket. <0 when the table cannot be read. */
int unix_socket_state_in(const char *table, const char *path, enum unix_socket_state *ret);
int unix_socket_state(const char *path, enum unix_socket_state *ret);
