/* SPDX-License-Identifier: MIT */
/* A small rtnetlink client for the gateway fixer: dumps of routes, links and addresses, and one
 * RTM_NEWROUTE. Raw sockets keep us free of libnl/libmnl and of parsing `ip` output. */
#include "system/rtnl.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "basic/util.h"

/* <net/if.h> lacks it and <linux/if.h> clashes with <net/if.h>. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* A dump can be interrupted by a concurrent change (NLM_F_DUMP_INTR); it is then redone. */
#define DUMP_ATTEMPTS 3
/* Nothing here should take long; a silent kernel must not hang a node-preparation run. */
#define RECV_TIMEOUT_SEC 5

struct rtnl {
        int fd;
        uint32_t seq;
};

/* Called for every reply message of a dump; a negative return aborts the dump. */
typedef int (*rtnl_msg_fn)(const struct nlmsghdr *h, void *userdata);

static void rtnl_close(struct rtnl *r) {
        if (r->fd >= 0)
                close(r->fd);
        r->fd = -EBADF;
}

static int rtnl_open(struct rtnl *ret) {
        struct sockaddr_nl local = { .nl_family = AF_NETLINK };
        struct timeval timeout = { .tv_sec = RECV_TIMEOUT_SEC };
        int one = 1;
        _cleanup_close_ int fd = -EBADF;

        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        /* Extended ACKs carry the kernel's own reason ("Nexthop has invalid gateway"); capped
         * ACKs keep it from echoing our whole request back. Old kernels lack both: no matter. */
        (void) setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
        (void) setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &local, sizeof(local)) < 0)
                return -errno;
        ret->fd = TAKE_FD(fd);
        ret->seq = 0;
        return 0;
}

/* The kernel's extended-ACK message text, if the error carries one. */
static const char *nlmsgerr_kernel_message(const struct nlmsghdr *h) {
        const struct nlmsgerr *err = NLMSG_DATA(h);
        size_t payload = h->nlmsg_len - NLMSG_HDRLEN, off = sizeof(*err);

        if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
                return NULL;
        if (!(h->nlmsg_flags & NLM_F_CAPPED)) {
                if (err->msg.nlmsg_len < NLMSG_HDRLEN)
                        return NULL;
                off += err->msg.nlmsg_len - NLMSG_HDRLEN;
        }
        off = NLMSG_ALIGN(off);
        while (off + sizeof(struct nlattr) <= payload) {
                const struct nlattr *a = (const struct nlattr *) ((const char *) err + off);
                if (a->nla_len < sizeof(*a) || off + a->nla_len > payload)
                        return NULL;
                if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
                        const char *s = (const char *) a + NLA_HDRLEN;
                        size_t n = a->nla_len - NLA_HDRLEN;
                        return n > 0 && memchr(s, '\0', n) && *s ? s : NULL;
                }
                off += NLA_ALIGN(a->nla_len);
        }
        return NULL;
}

/* Send req and read replies until the ACK/error or the end of the dump, handing every other
 * reply to fn. Returns 0, -EAGAIN for an interrupted dump, or the kernel's negative errno (with
 * its extended-ACK text in *ret_kernel_message if any). */
static int rtnl_transact(struct rtnl *r, struct nlmsghdr *req, rtnl_msg_fn fn, void *userdata,
                         char **ret_kernel_message) {
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        _cleanup_free_ char *buf = NULL;
        size_t bufsize = 0;
        bool interrupted = false;

        req->nlmsg_seq = ++r->seq;
        if (sendto(r->fd, req, req->nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0)
                return -errno;

        for (;;) {
                /* Peek at the datagram's real size first: dump batches can exceed a page. */
                ssize_t n = recv(r->fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
                }
                if ((size_t) n > bufsize) {
                        free(buf);
                        bufsize = (size_t) n;
                        buf = xmalloc(bufsize);
                }
                struct sockaddr_nl sender = {};
                socklen_t senderlen = sizeof(sender);
                n = recvfrom(r->fd, buf, bufsize, 0, (struct sockaddr *) &sender, &senderlen);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (sender.nl_pid != 0) /* only the kernel may answer */
                        continue;

                size_t left = (size_t) n;
                for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, left);
                     h = NLMSG_NEXT(h, left)) {
                        /* Replies to an earlier, abandoned request on this socket are not ours. */
                        if (h->nlmsg_seq != req->nlmsg_seq)
                                continue;
                        if (h->nlmsg_flags & NLM_F_DUMP_INTR)
                                interrupted = true;

                        if (h->nlmsg_type == NLMSG_ERROR) {
                                if (h->nlmsg_len < NLMSG_LENGTH(sizeof(int)))
                                        return -EBADMSG;
                                const struct nlmsgerr *err = NLMSG_DATA(h);
                                if (err->error == 0)
                                        return interrupted ? -EAGAIN : 0;
                                if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(*err)) && ret_kernel_message) {
                                        const char *msg = nlmsgerr_kernel_message(h);
                                        if (msg)
                                                *ret_kernel_message = xstrdup(msg);
                                }
                                return err->error < 0 ? err->error : -EPROTO;
                        }
                        if (h->nlmsg_type == NLMSG_DONE) {
                                /* A dump that failed half-way says so in NLMSG_DONE's payload. */
                                if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
                                        int error;
                                        memcpy(&error, NLMSG_DATA(h), sizeof(error));
                                        if (error < 0)
                                                return error;
                                }
                                return interrupted ? -EAGAIN : 0;
                        }
                        if (h->nlmsg_type == NLMSG_NOOP || h->nlmsg_type == NLMSG_OVERRUN)
                                continue;
                        if (fn) {
                                int k = fn(h, userdata);
                                if (k < 0)
                                        return k;
                        }
                }
        }
}

/* Dump one rtnetlink object type for the IPv4 family. */
static int rtnl_dump(struct rtnl *r, uint16_t type, rtnl_msg_fn fn, void *userdata) {
        /* struct rtgenmsg would do for all three, but rtmsg-sized requests keep kernels with strict
         * checking (NETLINK_GET_STRICT_CHK) happy too; ifaddrmsg and ifinfomsg start alike. */
        struct {
                struct nlmsghdr h;
                union {
                        struct rtmsg rt;
                        struct ifaddrmsg ifa;
                        struct ifinfomsg ifi;
                };
        } req = {};
        size_t body;

        switch (type) {
        case RTM_GETROUTE:
                body = sizeof(struct rtmsg);
                req.rt.rtm_family = AF_INET;
                break;
        case RTM_GETADDR:
                body = sizeof(struct ifaddrmsg);
                req.ifa.ifa_family = AF_INET;
                break;
        default:
                body = sizeof(struct ifinfomsg);
                req.ifi.ifi_family = AF_UNSPEC;
                break;
        }
        req.h.nlmsg_len = NLMSG_LENGTH(body);
        req.h.nlmsg_type = type;
        req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        return rtnl_transact(r, &req.h, fn, userdata, NULL);
}

static bool rta_u32(const struct rtattr *a, uint32_t *ret) {
        if (RTA_PAYLOAD(a) < sizeof(uint32_t))
                return false;
        memcpy(ret, RTA_DATA(a), sizeof(*ret));
        return true;
}

static void ifname_of_index(int ifindex, char ret[IFNAMSIZ]) {
        char name[IF_NAMESIZE];

        ret[0] = '\0';
        if (ifindex > 0 && if_indextoname((unsigned) ifindex, name))
                snprintf(ret, IFNAMSIZ, "%s", name);
}

static void format_ipv4(uint32_t addr, char ret[INET_ADDRSTRLEN]) {
        if (!inet_ntop(AF_INET, &addr, ret, INET_ADDRSTRLEN))
                snprintf(ret, INET_ADDRSTRLEN, "?");
}

/* Gateway, device and onlink flag of a multipath route's first nexthop. */
static void parse_first_nexthop(const struct rtattr *mp, struct rtnl_default_route *route) {
        const struct rtnexthop *nh = RTA_DATA(mp);
        size_t len = RTA_PAYLOAD(mp);

        if (len < sizeof(*nh) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > len)
                return;
        route->ifindex = nh->rtnh_ifindex;
        route->onlink = route->onlink || (nh->rtnh_flags & RTNH_F_ONLINK);
        int attrlen = nh->rtnh_len - (int) RTNH_LENGTH(0);
        for (const struct rtattr *a = RTNH_DATA(nh); RTA_OK(a, attrlen); a = RTA_NEXT(a, attrlen))
                if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) >= sizeof(uint32_t))
                        memcpy(&route->gateway, RTA_DATA(a), sizeof(uint32_t));
}

static int collect_default_route(const struct nlmsghdr *h, void *userdata) {
        struct rtnl_default_route *best = userdata;
        struct rtnl_default_route route = { .present = true };
        const struct rtmsg *rt = NLMSG_DATA(h);

        if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)))
                return 0;
        if (rt->rtm_family != AF_INET || rt->rtm_dst_len != 0 || (rt->rtm_flags & RTM_F_CLONED))
                return 0;

        uint32_t table = rt->rtm_table;
        route.type = rt->rtm_type;
        route.onlink = rt->rtm_flags & RTNH_F_ONLINK;
        int attrlen = (int) RTM_PAYLOAD(h);
        for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, attrlen); a = RTA_NEXT(a, attrlen)) {
                uint32_t v;
                switch (a->rta_type) {
                case RTA_TABLE: /* authoritative: rtm_table only holds ids below 256 */
                        if (rta_u32(a, &v))
                                table = v;
                        break;
                case RTA_GATEWAY:
                        if (rta_u32(a, &v))
                                route.gateway = v;
                        break;
                case RTA_OIF:
                        if (rta_u32(a, &v))
                                route.ifindex = (int) v;
                        break;
                case RTA_PRIORITY:
                        if (rta_u32(a, &v))
                                route.metric = v;
                        break;
                case RTA_MULTIPATH:
                        parse_first_nexthop(a, &route);
                        break;
                default:
                        break;
                }
        }
        if (table != RT_TABLE_MAIN)
                return 0;
        if (!best->present || route.metric < best->metric)
                *best = route;
        return 0;
}

/* What one attempt reads: it resets what an interrupted attempt before it collected, then dumps. */
typedef int (*rtnl_read_fn)(struct rtnl *r, void *userdata);

/* Open a socket and read, again while a dump comes back interrupted. Errors name what: "cannot
 * read WHAT: ...". */
static int rtnl_read(rtnl_read_fn read, void *userdata, const char *what, char **ret_error) {
        _cleanup_(rtnl_close) struct rtnl r = { .fd = -EBADF };
        int k = rtnl_open(&r);
        if (k < 0) {
                set_error(ret_error, "cannot open rtnetlink socket: %s", strerror(-k));
                return k;
        }
        for (int attempt = 0;; attempt++) {
                k = read(&r, userdata);
                if (k != -EAGAIN || attempt + 1 >= DUMP_ATTEMPTS)
                        break;
        }
        if (k < 0)
                set_error(ret_error, "cannot read %s: %s", what, strerror(-k));
        return k;
}

static int read_default_route(struct rtnl *r, void *userdata) {
        struct rtnl_default_route *best = userdata;
        *best = (struct rtnl_default_route){};
        return rtnl_dump(r, RTM_GETROUTE, collect_default_route, best);
}

int rtnl_get_default_route(struct rtnl_default_route *ret, char **ret_error) {
        struct rtnl_default_route best;
        int k = rtnl_read(read_default_route, &best, "the routing table", ret_error);
        if (k < 0)
                return k;
        if (best.present)
                ifname_of_index(best.ifindex, best.ifname);
        *ret = best;
        return 0;
}

void rtnl_links_free(struct rtnl_links *l) {
        free(l->links);
        free(l->addrs);
        *l = (struct rtnl_links){};
}

static int collect_link(const struct nlmsghdr *h, void *userdata) {
        struct rtnl_links *l = userdata;
        const struct ifinfomsg *ifi = NLMSG_DATA(h);
        struct rtnl_link link = {};

        if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
                return 0;
        link.ifindex = ifi->ifi_index;
        link.flags = ifi->ifi_flags;
        int attrlen = (int) IFLA_PAYLOAD(h);
        for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, attrlen); a = RTA_NEXT(a, attrlen))
                if (a->rta_type == IFLA_IFNAME) {
                        size_t n = strnlen(RTA_DATA(a), RTA_PAYLOAD(a));
                        if (n >= IFNAMSIZ)
                                return -EBADMSG;
                        memcpy(link.name, RTA_DATA(a), n);
                        link.name[n] = '\0';
                }
        l->links = xrealloc(l->links, (l->n_links + 1) * sizeof(*l->links));
        l->links[l->n_links++] = link;
        return 0;
}

static const struct rtnl_link *link_by_index(const struct rtnl_links *l, int ifindex) {
        for (size_t i = 0; i < l->n_links; i++)
                if (l->links[i].ifindex == ifindex)
                        return &l->links[i];
        return NULL;
}

static const struct rtnl_link *link_by_name(const struct rtnl_links *l, const char *name) {
        for (size_t i = 0; i < l->n_links; i++)
                if (streq(l->links[i].name, name))
                        return &l->links[i];
        return NULL;
}

/* Bridges and tunnels that container runtimes and CNI plugins create hold global addresses
 * too, but they are never the node's own network. */
bool rtnl_is_runtime_link(const char *name) {
        static const char *const prefixes[] = { "docker", "br-",          "cni",   "cbr",       "flannel",
                                                "cali",   "vxlan.calico", "tunl",  "kube-ipvs", "weave",
                                                "cilium", "lxc",          "virbr", "veth" };
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (startswith(name, prefixes[i]))
                        return true;
        return false;
}

static int collect_addr(const struct nlmsghdr *h, void *userdata) {
        struct rtnl_links *l = userdata;
        const struct ifaddrmsg *ifa = NLMSG_DATA(h);
        uint32_t local = 0, address = 0;
        bool have_local = false, have_address = false;

        if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
                return 0;
        /* Host- and link-scope addresses (127.0.0.1, 169.254/16) are not what a node IP is. */
        if (ifa->ifa_family != AF_INET || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
                return 0;
        if (!link_by_index(l, (int) ifa->ifa_index)) /* appeared between the two dumps */
                return 0;

        int attrlen = (int) IFA_PAYLOAD(h);
        for (const struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, attrlen); a = RTA_NEXT(a, attrlen)) {
                /* IFA_LOCAL is our address; IFA_ADDRESS is the peer's on point-to-point links. */
                if (a->rta_type == IFA_LOCAL)
                        have_local = rta_u32(a, &local);
                else if (a->rta_type == IFA_ADDRESS)
                        have_address = rta_u32(a, &address);
        }
        if (!have_local && !have_address)
                return 0;

        l->addrs = xrealloc(l->addrs, (l->n_addrs + 1) * sizeof(*l->addrs));
        l->addrs[l->n_addrs++] = (struct rtnl_address){
                .ifindex = (int) ifa->ifa_index,
                .addr = have_local ? local : address,
                .prefixlen = ifa->ifa_prefixlen,
        };
        return 0;
}

/* Links first: an address is kept only when its link is known. */
static int read_links(struct rtnl *r, void *userdata) {
        struct rtnl_links *l = userdata;
        rtnl_links_free(l);
        int k = rtnl_dump(r, RTM_GETLINK, collect_link, l);
        return k < 0 ? k : rtnl_dump(r, RTM_GETADDR, collect_addr, l);
}

int rtnl_read_links(struct rtnl_links *ret, char **ret_error) {
        _cleanup_(rtnl_links_free) struct rtnl_links l = {};
        int k = rtnl_read(read_links, &l, "network interfaces", ret_error);
        if (k < 0)
                return k;
        *ret = l;
        l = (struct rtnl_links){};
        return 0;
}

int rtnl_check_ifname(const char *name, char **ret_error) {
        if (!*name || strlen(name) >= IFNAMSIZ) {
                set_error(ret_error, "invalid interface name '%s'", name);
                return -EINVAL;
        }
        return 0;
}

int rtnl_links_find(const struct rtnl_links *l, const char *name, struct rtnl_iface_addr *ret,
                    char **ret_error) {
        const struct rtnl_link *want = NULL;
        if (name) {
                int k = rtnl_check_ifname(name, ret_error);
                if (k < 0)
                        return k;
                want = link_by_name(l, name);
                if (!want) {
                        set_error(ret_error, "no network interface named '%s'", name);
                        return -ENODEV;
                }
        }
        for (size_t i = 0; i < l->n_addrs; i++) {
                const struct rtnl_address *a = &l->addrs[i];
                const struct rtnl_link *link = link_by_index(l, a->ifindex);
                if (!link || (want ? link != want
                                   : !(link->flags & IFF_UP) || (link->flags & IFF_LOOPBACK) ||
                                              rtnl_is_runtime_link(link->name)))
                        continue;
                *ret = (struct rtnl_iface_addr){
                        .ifindex = link->ifindex,
                        .addr = a->addr,
                        .prefixlen = a->prefixlen,
                        .up = link->flags & IFF_UP,
                        .carrier = link->flags & IFF_LOWER_UP,
                };
                memcpy(ret->ifname, link->name, IFNAMSIZ);
                return 1;
        }
        return 0;
}

int rtnl_find_interface(const char *name, struct rtnl_iface_addr *ret, char **ret_error) {
        _cleanup_(rtnl_links_free) struct rtnl_links l = {};
        int k = name ? rtnl_check_ifname(name, ret_error) : 0;
        if (k >= 0)
                k = rtnl_read_links(&l, ret_error);
        return k < 0 ? k : rtnl_links_find(&l, name, ret, ret_error);
}

bool rtnl_in_subnet(uint32_t addr, uint8_t prefixlen, uint32_t gateway) {
        if (prefixlen == 0)
                return true;
        if (prefixlen > 32)
                prefixlen = 32;
        uint32_t mask = htonl(UINT32_MAX << (32 - prefixlen));
        return (addr & mask) == (gateway & mask);
}

/* Why the kernel refused the route, in words an operator can act on. */
static const char *add_route_reason(int error, bool onlink) {
        switch (error) {
        case -EEXIST:
                return "the main table already has a default route with this metric";
        case -ENETUNREACH:
                return onlink ? "the gateway is not reachable on that interface"
                              : "the gateway is not reachable on that interface; a gateway outside "
                                "the interface's subnet needs the onlink flag";
        case -ENETDOWN:
                return "the interface is down";
        case -ENODEV:
                return "the interface does not exist";
        case -EPERM:
        case -EACCES:
                return "not permitted (needs CAP_NET_ADMIN)";
        default:
                return NULL;
        }
}

int rtnl_add_default_route(int ifindex, uint32_t gateway, bool onlink, char **ret_error) {
        _cleanup_(rtnl_close) struct rtnl r = { .fd = -EBADF };
        _cleanup_free_ char *kernel_message = NULL;
        struct rtnl_default_route existing;
        char ifname[IFNAMSIZ], gw[INET_ADDRSTRLEN], old_gw[INET_ADDRSTRLEN];
        _cleanup_free_ char *what = NULL;
        int k;

        ifname_of_index(ifindex, ifname);
        format_ipv4(gateway, gw);
        what = gateway ? xasprintf("via %s dev %s%s", gw, ifname[0] ? ifname : "?", onlink ? " onlink" : "")
                       : xasprintf("dev %s", ifname[0] ? ifname : "?");
        if (ifindex <= 0 || !ifname[0]) {
                set_error(ret_error, "cannot add default route %s: no interface with index %d", what,
                          ifindex);
                return -ENODEV;
        }

        /* NLM_F_EXCL alone only refuses a route with the same metric; a second default with
         * another metric would still shadow or be shadowed by the node's real one. */
        k = rtnl_get_default_route(&existing, ret_error);
        if (k < 0)
                return k;
        if (existing.present) {
                format_ipv4(existing.gateway, old_gw);
                set_error(ret_error,
                          "cannot add default route %s: the main table already has one (via %s dev %s), "
                          "which is never replaced",
                          what, old_gw, existing.ifname[0] ? existing.ifname : "none");
                return -EEXIST;
        }

        struct {
                struct nlmsghdr h;
                struct rtmsg rt;
                char attrs[3 * RTA_SPACE(sizeof(uint32_t))];
        } req = {};
        req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.rt));
        req.h.nlmsg_type = RTM_NEWROUTE;
        req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
        req.rt = (struct rtmsg){
                .rtm_family = AF_INET,
                .rtm_dst_len = 0,
                .rtm_table = RT_TABLE_MAIN,
                .rtm_protocol = RTPROT_STATIC, /* "installed by the administrator" */
                .rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
                .rtm_type = RTN_UNICAST,
                .rtm_flags = onlink ? RTNH_F_ONLINK : 0,
        };
        const struct {
                unsigned short type;
                uint32_t value;
        } attrs[] = {
                { RTA_TABLE, RT_TABLE_MAIN },
                { RTA_OIF, (uint32_t) ifindex },
                { RTA_GATEWAY, gateway },
        };
        for (size_t i = 0; i < ELEMENTSOF(attrs); i++) {
                if (attrs[i].type == RTA_GATEWAY && gateway == 0)
                        continue;
                struct rtattr *a = (struct rtattr *) ((char *) &req + NLMSG_ALIGN(req.h.nlmsg_len));
                a->rta_type = attrs[i].type;
                a->rta_len = RTA_LENGTH(sizeof(uint32_t));
                memcpy(RTA_DATA(a), &attrs[i].value, sizeof(uint32_t));
                req.h.nlmsg_len = NLMSG_ALIGN(req.h.nlmsg_len) + RTA_SPACE(sizeof(uint32_t));
        }

        k = rtnl_open(&r);
        if (k < 0) {
                set_error(ret_error, "cannot open rtnetlink socket: %s", strerror(-k));
                return k;
        }
        k = rtnl_transact(&r, &req.h, NULL, NULL, &kernel_message);
        if (k < 0) {
                const char *reason = add_route_reason(k, onlink);
                set_error(ret_error, "cannot add default route %s: %s%s%s%s", what,
                          reason ? reason : strerror(-k), kernel_message ? " (kernel: " : "",
                          strempty(kernel_message), kernel_message ? ")" : "");
                return k;
        }
        return 1;
}
