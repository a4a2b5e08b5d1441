/* SPDX-License-Identifier: MIT */
/* Fuzz target for the profile parser (profile_parse_text). The whole input is the profile text.
 * Properties, each true for a correct parser:
 *  - refusal (<0): a "PATH:LINE: reason" message naming the file;
 *  - success: no message, and the values stay in their domains (a known cgroup driver and swap
 *    policy, non-NULL strings in every list);
 *  - a profile applies as an override: parsing the same text again on top of the result succeeds
 *    and changes nothing (same values, same `extends`);
 *  - no leak (ASan/LeakSanitizer), also for what a refused text had already set. */
#include "fuzz-common.h"

#include "basic/util.h"
#include "engine/profile.h"

static bool kv_list_eq(const struct kv_list *a, const struct kv_list *b) {
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (!streq(a->items[i].key, b->items[i].key) ||
                    !streq(a->items[i].value, b->items[i].value) || a->items[i].line != b->items[i].line)
                        return false;
        return true;
}

static bool strv_eq(const struct strv *a, const struct strv *b) {
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (!streq(a->items[i], b->items[i]))
                        return false;
        return true;
}

static void check_domain(const struct profile *p) {
        CHECK(p->cgroup_driver == CGROUP_DRIVER_SYSTEMD || p->cgroup_driver == CGROUP_DRIVER_CGROUPFS,
              "cgroup driver %d", (int) p->cgroup_driver);
        CHECK(p->swap == SWAP_DISABLE || p->swap == SWAP_ALLOW, "swap policy %d", (int) p->swap);
        CHECK(p->gateway.address && p->gateway.interface, "gateway strings unset");
        for (size_t i = 0; i < p->kubeconfig_users.n; i++)
                CHECK(p->kubeconfig_users.items[i], "NULL user");
        const struct kv_list *lists[] = { &p->eviction.hard, &p->eviction.soft,
                                          &p->eviction.soft_grace_period, &p->eviction.minimum_reclaim };
        for (size_t l = 0; l < ELEMENTSOF(lists); l++)
                for (size_t i = 0; i < lists[l]->n; i++)
                        CHECK(lists[l]->items[i].key && lists[l]->items[i].value, "NULL threshold");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t sel[1];
        struct fuzz_input in = fuzz_split(data, size, 0, sel);
        struct profile once, twice;
        char *extends = NULL, *extends2 = NULL, *err = NULL;

        profile_init_defaults(&once);
        int r = profile_parse_text("p.yaml", in.text, in.len, &once, &extends, &err);
        if (r < 0) {
                CHECK(err && strncmp(err, "p.yaml:", 7) == 0,
                      "refused (%d) without a \"p.yaml:LINE:\" message: %s", r, err ? err : "(null)");
                goto done;
        }
        CHECK(!err, "message on success: %s", err);
        check_domain(&once);

        profile_init_defaults(&twice);
        r = profile_parse_text("p.yaml", in.text, in.len, &twice, &extends2, &err);
        CHECK(r >= 0 && !err, "the same text refused the second time: %s", err ? err : "");
        free(extends2);
        extends2 = NULL;
        r = profile_parse_text("p.yaml", in.text, in.len, &twice, &extends2, &err);
        CHECK(r >= 0 && !err, "the same text refused on top of itself: %s", err ? err : "");
        CHECK(streq_ptr(extends, extends2), "extends %s then %s", strempty(extends), strempty(extends2));
        CHECK(once.cgroup_driver == twice.cgroup_driver && once.swap == twice.swap &&
                      strv_eq(&once.kubeconfig_users, &twice.kubeconfig_users) &&
                      kv_list_eq(&once.eviction.hard, &twice.eviction.hard) &&
                      kv_list_eq(&once.eviction.soft, &twice.eviction.soft) &&
                      kv_list_eq(&once.eviction.soft_grace_period, &twice.eviction.soft_grace_period) &&
                      kv_list_eq(&once.eviction.minimum_reclaim, &twice.eviction.minimum_reclaim) &&
                      streq_ptr(once.eviction.max_pod_grace_period, twice.eviction.max_pod_grace_period) &&
                      once.gateway.ensure == twice.gateway.ensure &&
                      streq(once.gateway.address, twice.gateway.address) &&
                      streq(once.gateway.interface, twice.gateway.interface),
              "applying the profile twice differs from once");
        profile_clear(&twice);
done:
        profile_clear(&once);
        free(extends);
        free(extends2);
        free(err);
        free(in.text);
        return 0;
}
