/* SPDX-License-Identifier: MIT */
/* Live IPv4 routing facts over rtnetlink (raw NETLINK_ROUTE, no libnl, no `ip`): the main table's
 * default route, the node's interface and address, and adding a default route. */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rtnl_default_route {
        bool present;
        uint32_t gateway;      /* network order; 0 for a device route ("default dev eth0") */
        int ifindex;           /* 0 for routes without a device (blackhole, unreachable) */
        char ifname[IFNAMSIZ]; /* "" when ifindex is 0 or the link vanished */
        uint32_t metric;       /* RTA_PRIORITY; of several defaults the lowest metric is reported */
        uint8_t type;          /* RTN_UNICAST for a usable route; RTN_UNREACHABLE etc. otherwise */
        bool onlink;           /* RTNH_F_ONLINK set */
};

/* Read the main table's IPv4 default route (dst_len 0, table RT_TABLE_MAIN, the one kubeadm and
 * the kubelet read from /proc/net/route). With several, the one with the lowest metric wins, as in
 * the kernel's lookup. Returns 0 (ret->present tells whether there is one) or <0 with *ret_error. */
int rtnl_get_default_route(struct rtnl_default_route *ret, char **ret_error);

struct rtnl_iface_addr {
        int ifindex;
        char ifname[IFNAMSIZ];
        uint32_t addr; /* network order (IFA_LOCAL) */
        uint8_t prefixlen;
        bool up;      /* IFF_UP: administratively up, which is what routes need */
        bool carrier; /* IFF_LOWER_UP: has a link partner / cable */
};

/* name == NULL: the interface holding the first global-scope IPv4 address on an up, non-loopback
 * link that is not a container runtime's bridge or tunnel (docker0, cni0, flannel.1, cali*, ...).
 * name != NULL: that interface's first global-scope IPv4 address, whether up or not (see
 * ret->up). Returns 1 found, 0 none, -ENODEV if the named interface does not exist, other <0 on
 * error; *ret_error is set on every negative return. Reads the links now (rtnl_read_links()). */
int rtnl_find_interface(const char *name, struct rtnl_iface_addr *ret, char **ret_error);

/* One link: its index, IFF_* flags and name. */
struct rtnl_link {
        int ifindex;
        unsigned flags;
        char name[IFNAMSIZ];
};

/* A global-scope IPv4 address of a link. */
struct rtnl_address {
        int ifindex;
        uint32_t addr; /* network order: IFA_LOCAL, else IFA_ADDRESS */
        uint8_t prefixlen;
};

/* The links and their global-scope IPv4 addresses, read once, for lookups without rereading. */
struct rtnl_links {
        struct rtnl_link *links;
        size_t n_links;
        struct rtnl_address *addrs; /* in the kernel's order, each of a link in links */
        size_t n_addrs;
};

/* Dump the links, then the IPv4 addresses (again if a change interrupted a dump). 0, or <0 with
 * *ret_error ("cannot read network interfaces: ..."). */
int rtnl_read_links(struct rtnl_links *ret, char **ret_error);
void rtnl_links_free(struct rtnl_links *l);
/* rtnl_find_interface() in links read before: the same answers and messages. */
int rtnl_links_find(const struct rtnl_links *l, const char *name, struct rtnl_iface_addr *ret,
                    char **ret_error);
/* A container runtime's or CNI plugin's link (docker0, cni0, flannel.1, cali*, veth*, ...), whose
 * addresses are never the node's. */
bool rtnl_is_runtime_link(const char *name);
/* 0 when name can be an interface's (1 to IFNAMSIZ-1 bytes), else -EINVAL with "invalid interface
 * name 'NAME'". */
int rtnl_check_ifname(const char *name, char **ret_error);

/* Whether gateway (network order) lies inside addr/prefixlen (network order); prefixlen > 32 is
 * treated as 32. A gateway that does not needs RTNH_F_ONLINK to be accepted by the kernel. */
bool rtnl_in_subnet(uint32_t addr, uint8_t prefixlen, uint32_t gateway);

/* Add "default via GATEWAY dev IFINDEX [onlink]" (gateway 0: "default dev IFINDEX", scope link) to
 * the main table. Never replaces or shadows: if the main table already has any IPv4 default
 * route it returns -EEXIST without touching anything, and the request itself carries
 * NLM_F_CREATE|NLM_F_EXCL. Waits for the kernel's ACK. Returns 1 added, <0 with *ret_error
 * (e.g. -ENETUNREACH for an off-subnet gateway without onlink, -ENETDOWN for a down link). */
int rtnl_add_default_route(int ifindex, uint32_t gateway, bool onlink, char **ret_error);
