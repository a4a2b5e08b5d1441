/* SPDX-License-Identifier: MIT */
/* Host name resolution with a deadline (see resolve.h). getaddrinfo(3) has no timeout of its own:
 * it runs in a thread of its own, which is left behind if it does not answer in time. */
#include "system/resolve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>

#include "basic/time-util.h"

/* Shared by the caller and the lookup thread; the last one to let go frees it. */
struct lookup {
        pthread_mutex_t lock;
        pthread_cond_t done_cond;
        atomic_int refs;
        bool done;
        char *name;
        int gai; /* getaddrinfo's return */
        int saved_errno;
        struct addrinfo *result;
};

static void lookup_unref(struct lookup *l) {
        if (atomic_fetch_sub(&l->refs, 1) != 1)
                return;
        if (l->result)
                freeaddrinfo(l->result);
        pthread_cond_destroy(&l->done_cond);
        pthread_mutex_destroy(&l->lock);
        free(l->name);
        free(l);
}

static void *lookup_thread(void *userdata) {
        struct lookup *l = userdata;
        struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
        struct addrinfo *result = NULL;
        int gai = getaddrinfo(l->name, NULL, &hints, &result);
        int saved = errno;
        pthread_mutex_lock(&l->lock);
        l->gai = gai;
        l->saved_errno = saved;
        l->result = result;
        l->done = true;
        pthread_cond_signal(&l->done_cond);
        pthread_mutex_unlock(&l->lock);
        lookup_unref(l);
        return NULL;
}

static void collect(const struct addrinfo *ai, struct strv *ret) {
        for (; ai; ai = ai->ai_next) {
                char text[INET6_ADDRSTRLEN];
                const void *addr =
                        ai->ai_family == AF_INET
                                ? (const void *) &((const struct sockaddr_in *) ai->ai_addr)->sin_addr
                                : (const void *) &((const struct sockaddr_in6 *) ai->ai_addr)->sin6_addr;
                if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
                    !inet_ntop(ai->ai_family, addr, text, sizeof(text)) || strv_contains(ret, text))
                        continue;
                strv_push(ret, xstrdup(text));
        }
}

int resolve_host(const char *name, unsigned timeout_ms, struct strv *ret_addrs, char **ret_error) {
        struct lookup *l = xmalloc(sizeof(*l));
        *l = (struct lookup){ .name = xstrdup(name) };
        atomic_init(&l->refs, 2);
        pthread_mutex_init(&l->lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&l->done_cond, &ca);
        pthread_condattr_destroy(&ca);

        pthread_attr_t attr;
        pthread_t thread;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int k = pthread_create(&thread, &attr, lookup_thread, l);
        pthread_attr_destroy(&attr);
        if (k != 0) {
                atomic_fetch_sub(&l->refs, 1);
                lookup_unref(l);
                set_error(ret_error, "cannot look up %s: %s", name, strerror(k));
                return -k;
        }

        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + (uint64_t) timeout_ms * USEC_PER_MSEC;
        struct timespec ts = { .tv_sec = (time_t) (deadline / USEC_PER_SEC),
                               .tv_nsec = (long) (deadline % USEC_PER_SEC) * 1000 };
        pthread_mutex_lock(&l->lock);
        while (!l->done && pthread_cond_timedwait(&l->done_cond, &l->lock, &ts) != ETIMEDOUT)
                ;
        bool done = l->done;
        int gai = l->gai, saved = l->saved_errno;
        if (done && gai == 0 && ret_addrs)
                collect(l->result, ret_addrs);
        pthread_mutex_unlock(&l->lock);
        lookup_unref(l);

        if (!done) {
                set_error(ret_error, "looking up %s: no answer within %u s", name, timeout_ms / 1000);
                return -ETIME;
        }
        if (gai == 0)
                return 1;
        if (gai == EAI_NONAME || gai == EAI_NODATA || gai == EAI_FAIL || gai == EAI_AGAIN)
                return 0;
        set_error(ret_error, "cannot look up %s: %s", name,
                  gai == EAI_SYSTEM ? strerror(saved) : gai_strerror(gai));
        return gai == EAI_SYSTEM && saved > 0 ? -saved : -EIO;
}
