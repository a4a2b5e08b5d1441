/* SPDX-License-Identifier: MIT */
/* The `disk-pressure` check: a kubelet whose filesystems are already below a
 * hard eviction threshold starts under DiskPressure and evicts pods at once.
 * Check only: free space is not something kubeprep can make. */
#include <fcntl.h>
#include <sys/statvfs.h>

#include "engine/profile-eviction.h"
#include "fixers/registry.h"

/* The kubelet's own hard thresholds when the profile sets none (docs/kubernetes-facts.md §6, §14). */
static const struct kv kubelet_defaults[] = {
        { .key = (char *) "nodefs.available", .value = (char *) "10%" },
        { .key = (char *) "nodefs.inodesFree", .value = (char *) "5%" },
        { .key = (char *) "imagefs.available", .value = (char *) "15%" },
};

struct fs_figures {
        char *path; /* the directory measured */
        double bytes_free, bytes_total, inodes_free, inodes_total;
};

static void fs_figures_done(struct fs_figures *f) {
        free(f->path);
        f->path = NULL;
}

/* statvfs of a directory inside the root (with --root /host in a DaemonSet,
 * that is the node's own filesystem). 0 measured, -ENOENT when absent. */
static int measure(struct context *ctx, const char *path, struct fs_figures *ret) {
        _cleanup_close_ int fd = root_openat(ctx->root, path, O_RDONLY | O_DIRECTORY, 0, 0);
        if (fd < 0)
                return fd;
        struct statvfs s;
        if (fstatvfs(fd, &s) < 0)
                return -errno;
        fs_figures_done(ret);
        *ret = (struct fs_figures){
                .path = xstrdup(path),
                .bytes_free = (double) s.f_bavail * (double) s.f_frsize,
                .bytes_total = (double) s.f_blocks * (double) s.f_frsize,
                .inodes_free = (double) s.f_favail,
                .inodes_total = (double) s.f_files,
        };
        return 0;
}

/* The same for a directory that may not exist yet (before the kubelet's first
 * start, on a fresh image): it will be made on the filesystem of its nearest
 * existing parent, so that one is measured; ret->path says which. */
static int measure_nearest(struct context *ctx, const char *path, struct fs_figures *ret) {
        _cleanup_free_ char *dir = xstrdup(path);
        for (;;) {
                int k = measure(ctx, dir, ret);
                if (k != -ENOENT || streq(dir, "/"))
                        return k;
                char *slash = strrchr(dir, '/');
                if (!slash)
                        return -EINVAL;
                if (slash == dir)
                        slash++; /* "/var" -> "/" */
                *slash = 0;
        }
}

static char *human_bytes(double b) {
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
        size_t u = 0;
        while (b >= 1024 && u + 1 < ELEMENTSOF(units))
                b /= 1024, u++;
        return xasprintf("%.1f %s", b, units[u]);
}

/* Compare one signal with its threshold. Returns 1 below it, 0 otherwise. */
static int compare(struct fixer_result *r, const char *signal, const char *threshold,
                   const struct fs_figures *fs, bool inodes) {
        double have = inodes ? fs->inodes_free : fs->bytes_free;
        double total = inodes ? fs->inodes_total : fs->bytes_total;
        double limit;
        double pct;
        long double q;
        if (eviction_parse_percentage(threshold, &pct) >= 0)
                limit = total * pct / 100.0;
        else if (eviction_parse_quantity(threshold, &q) >= 0)
                limit = (double) q;
        else
                return 0; /* eviction_validate() refused it already */
        if (total <= 0)
                return 0; /* a filesystem without inode accounting (btrfs) */
        _cleanup_free_ char *h = inodes ? xasprintf("%.0f inodes", have) : human_bytes(have);
        _cleanup_free_ char *l = inodes ? xasprintf("%.0f inodes", limit) : human_bytes(limit);
        double have_pct = 100.0 * have / total;
        if (have < limit) {
                result_detail(r, "%s: %s free (%.1f%%) on the filesystem of %s, below %s<%s (%s)", signal, h,
                              have_pct, fs->path, signal, threshold, l);
                return 1;
        }
        /* Within 10% of the threshold: pods will be evicted soon after images are pulled. */
        if (have < limit * 1.1)
                result_warn(r, "%s: %s free (%.1f%%) on the filesystem of %s, within 10%% of %s<%s (%s)",
                            signal, h, have_pct, fs->path, signal, threshold, l);
        return 0;
}

static int disk_pressure_plan(struct context *ctx, struct fixer_result *r) {
        const struct kv_list *hard = &ctx->profile->eviction.hard;
        const struct kv *items = hard->n ? hard->items : kubelet_defaults;
        size_t n = hard->n ? hard->n : ELEMENTSOF(kubelet_defaults);

        _cleanup_(fs_figures_done) struct fs_figures nodefs = {}, imagefs = {};
        int k = measure_nearest(ctx, "/var/lib/kubelet", &nodefs);
        if (k < 0)
                return result_refuse(r, k, "cannot measure the filesystem of /var/lib/kubelet: %s",
                                     strerror(-k));
        if (!streq(nodefs.path, "/var/lib/kubelet"))
                result_detail(r, "/var/lib/kubelet does not exist yet; measured %s", nodefs.path);
        /* The image store: containerd's, else docker's. Before a runtime made either, the nearest
         * existing parent (they are siblings); when neither can be measured, the kubelet's filesystem. */
        int kc = measure(ctx, "/var/lib/containerd", &imagefs);
        int kd = kc < 0 ? measure(ctx, "/var/lib/docker", &imagefs) : 0;
        if (kc == -ENOENT && kd == -ENOENT && measure_nearest(ctx, "/var/lib/containerd", &imagefs) >= 0)
                result_detail(r, "neither /var/lib/containerd nor /var/lib/docker exists yet; measured %s",
                              imagefs.path);
        else if (kc < 0 && kd < 0) {
                fs_figures_done(&imagefs);
                imagefs = nodefs;
                imagefs.path = xstrdup(nodefs.path);
        }

        int below = 0;
        for (size_t i = 0; i < n; i++) {
                const char *sig = items[i].key;
                const struct fs_figures *fs = startswith(sig, "imagefs.") ? &imagefs : &nodefs;
                if (startswith(sig, "nodefs.") || startswith(sig, "imagefs."))
                        below += compare(r, sig, items[i].value, fs, strstr(sig, "inodesFree") != NULL);
        }
        if (below > 0) {
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
                result_message(
                        r,
                        "the node will start under DiskPressure and evict pods: %d eviction threshold%s "
                        "already crossed; free space or raise the thresholds",
                        below, below == 1 ? " is" : "s are");
        } else
                result_message(r, "free space and inodes are above the %s hard eviction thresholds",
                               hard->n ? "profile's" : "kubelet's default");
        return 0;
}

const struct fixer fixer_disk_pressure = {
        .name = "disk-pressure",
        .description = "check only: free space and inodes are above the hard eviction thresholds",
        .plan = disk_pressure_plan,
};
