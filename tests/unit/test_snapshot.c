/*
 * test_snapshot.c: the statistics snapshots every reader shares: one deep
 * copy per change of the model whatever the number of readers, a generation
 * number per copy, held snapshots that never change under their reader, and
 * counts that add up to what the workers merged.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "snapshot.h"
#include "stats.h"
#include "util.h"

#define START 1700000000.0

struct fixture {
    struct stats model;
    struct snapshots pub;
    struct stats_delta delta;
};

static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));

    stats_init(&f->model);
    stats_reset(&f->model, START);
    stats_entry_id(&f->model, "GET", "/a");
    stats_entry_id(&f->model, "GET", "/b");
    stats_delta_init(&f->delta);
    stats_delta_reserve(&f->delta, 2);
    stats_merge(&f->model, &f->delta);
    snapshots_init(&f->pub, &f->model);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    snapshots_free(&f->pub);
    stats_delta_free(&f->delta);
    stats_free(&f->model);
    free(f);
    return 0;
}

/* Merge n requests of entry into the model, as a worker does. */
static void
merge(struct fixture *f, int entry, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        stats_delta_record(&f->delta, entry, 1000 + i, 500, 10, false, START + 1);
    stats_merge(&f->model, &f->delta);
}

/* Readers in the same tick share one copy: one generation, one deep copy. */
static void
test_one_copy_per_change(void **state)
{
    struct fixture *f = *state;
    struct snapshot *dash, *report, *console;

    merge(f, 0, 3);
    dash = snapshots_take(&f->pub);
    report = snapshots_take(&f->pub);
    console = snapshots_take(&f->pub);
    assert_ptr_equal(dash, report);
    assert_ptr_equal(dash, console);
    assert_int_equal(dash->generation, 1);
    assert_int_equal(f->pub.copies, 1);
    assert_int_equal(dash->stats.total.num_requests, 3);
    snapshot_release(dash);
    snapshot_release(report);
    snapshot_release(console);

    /* nothing changed: still the same generation, no copy */
    dash = snapshots_take(&f->pub);
    assert_int_equal(dash->generation, 1);
    assert_int_equal(f->pub.copies, 1);
    snapshot_release(dash);

    /* a merge, a sample, a new entry, a reset: each makes the next take copy */
    merge(f, 1, 2);
    dash = snapshots_take(&f->pub);
    assert_int_equal(dash->generation, 2);
    assert_int_equal(dash->stats.total.num_requests, 5);
    snapshot_release(dash);
    stats_sample(&f->model, (int64_t)START + 1, 7);
    dash = snapshots_take(&f->pub);
    assert_int_equal(dash->generation, 3);
    assert_int_equal(dash->stats.nseries, 1);
    assert_int_equal(dash->stats.series[0].users, 7);
    snapshot_release(dash);
    stats_entry_id(&f->model, "POST", "/c");
    dash = snapshots_take(&f->pub);
    assert_int_equal(dash->generation, 4);
    assert_int_equal(dash->stats.nentries, 3);
    snapshot_release(dash);
    stats_reset(&f->model, START + 10);
    dash = snapshots_take(&f->pub);
    assert_int_equal(dash->generation, 5);
    assert_int_equal(dash->stats.total.num_requests, 0);
    assert_int_equal(f->pub.copies, 5);
    snapshot_release(dash);

    /* an empty merge (a worker with nothing new) changes nothing */
    stats_merge(&f->model, &f->delta);
    dash = snapshots_take(&f->pub);
    assert_int_equal(dash->generation, 5);
    snapshot_release(dash);
}

/* A snapshot a reader holds is never written, whatever the later generations. */
static void
test_held_never_changes(void **state)
{
    struct fixture *f = *state;
    struct snapshot *held, *later;
    const struct stats_entry *entries;

    merge(f, 0, 4);
    held = snapshots_take(&f->pub);
    entries = held->stats.entries;
    for (unsigned k = 1; k <= 5; k++) {
        merge(f, 1, k);
        later = snapshots_take(&f->pub);
        assert_ptr_not_equal(later, held);
        assert_int_equal(later->generation, held->generation + k);
        snapshot_release(later);
    }
    /* still generation 1 in full: same arrays, same counts */
    assert_int_equal(held->generation, 1);
    assert_ptr_equal(held->stats.entries, entries);
    assert_int_equal(held->stats.total.num_requests, 4);
    assert_int_equal(held->stats.entries[0].num_requests, 4);
    assert_int_equal(held->stats.entries[1].num_requests, 0);
    assert_int_equal(held->stats.total.hist.total, 4);

    /* released and not the latest: its memory serves a later copy */
    snapshot_release(held);
    merge(f, 0, 1);
    later = snapshots_take(&f->pub);
    assert_int_equal(later->generation, 7);
    assert_int_equal(later->stats.total.num_requests, 4 + 15 + 1);
    snapshot_release(later);

    /* two places holding one snapshot: it stays until both let go */
    held = snapshot_hold(snapshots_take(&f->pub));
    snapshot_release(held);
    merge(f, 0, 1);
    later = snapshots_take(&f->pub);
    assert_ptr_not_equal(later, held);
    assert_int_equal(held->stats.total.num_requests, 20);
    assert_int_equal(later->stats.total.num_requests, 21);
    snapshot_release(later);
    snapshot_release(held);
}

/*
 * The series is copied from each snapshot's own last point on: whatever the
 * buffer reused, the samples replaced for the same second and the resets,
 * every snapshot's series is the model's.
 */
static void
test_series_follows(void **state)
{
    struct fixture *f = *state;
    struct snapshot *held = NULL, *s;
    int64_t sec = (int64_t)START;

    for (unsigned i = 0; i < 300; i++) {
        if (i % 3 != 1)
            sec++;           /* one in three samples the same second again */
        if (i % 97 == 96)
            stats_reset(&f->model, (double)sec);
        stats_sample(&f->model, sec, i);
        s = snapshots_take(&f->pub);
        assert_int_equal(s->stats.nseries, f->model.nseries);
        assert_memory_equal(s->stats.series, f->model.series,
                            f->model.nseries * sizeof(*f->model.series));
        assert_int_equal(s->stats.series[s->stats.nseries - 1].users, i);
        if (i % 7 == 0) {    /* a reader keeps one for a while: another buffer serves */
            snapshot_release(held);
            held = s;
        } else {
            snapshot_release(s);
        }
    }
    snapshot_release(held);
}

#define THREADS 4
#define PER_THREAD 20000

struct worker_arg {
    struct stats *model;
    int entry;
    int done;
};

/* One worker thread: record and merge every 500 requests, as worker.c does each second. */
static void *
worker_thread(void *p)
{
    struct worker_arg *arg = p;
    struct stats_delta d;

    stats_delta_init(&d);
    stats_delta_bind(&d, arg->model);
    stats_delta_reserve(&d, 2);
    for (int i = 0; i < PER_THREAD; i++) {
        stats_delta_record(&d, arg->entry, (uint64_t)(i % 3000) + 1, 0, 1, i % 10 == 0,
                           START + i / 1000);
        if (i % 500 == 499)
            stats_merge(arg->model, &d);
    }
    stats_merge(arg->model, &d);
    stats_delta_free(&d);
    __atomic_store_n(&arg->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Sum of the entries' counts, and the total, of one snapshot. */
static void
assert_whole(const struct stats *s)
{
    uint64_t requests = 0, failures = 0, timed = 0;

    for (size_t i = 0; i < s->nentries; i++) {
        requests += s->entries[i].num_requests;
        failures += s->entries[i].num_failures;
        timed += s->entries[i].hist.total;
    }
    /* a copy taken half-way through a merge would have entries and total apart */
    assert_int_equal(s->total.num_requests, requests);
    assert_int_equal(s->total.num_failures, failures);
    assert_int_equal(s->total.hist.total, timed);
    /* every worker merges 500 requests at a time */
    assert_int_equal(requests % 500, 0);
}

/* Snapshots taken while workers merge: each whole, generations in order, nothing lost. */
static void
test_concurrent_workers(void **state)
{
    struct fixture *f = *state;
    pthread_t th[THREADS];
    struct worker_arg args[THREADS];
    struct snapshot *s, *prev = NULL;
    unsigned running = THREADS, takes = 0;

    for (int i = 0; i < THREADS; i++) {
        args[i].model = &f->model;
        args[i].entry = i % 2;
        args[i].done = 0;
        assert_int_equal(pthread_create(&th[i], NULL, worker_thread, &args[i]), 0);
    }
    while (running > 0) {
        s = snapshots_take(&f->pub);
        takes++;
        assert_whole(&s->stats);
        if (prev != NULL) {
            assert_true(s->generation >= prev->generation);
            assert_true(s->stats.total.num_requests >= prev->stats.total.num_requests);
            if (s->generation == prev->generation)
                assert_ptr_equal(s, prev);
            /* the one held over the take is still what it was */
            assert_whole(&prev->stats);
        }
        snapshot_release(prev);
        prev = s;
        running = 0;
        for (int i = 0; i < THREADS; i++)
            running += !__atomic_load_n(&args[i].done, __ATOMIC_ACQUIRE);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    snapshot_release(prev);
    s = snapshots_take(&f->pub);
    assert_whole(&s->stats);
    /* the workers' counts, each once */
    assert_int_equal(s->stats.total.num_requests, THREADS * PER_THREAD);
    assert_int_equal(s->stats.total.num_failures, THREADS * PER_THREAD / 10);
    assert_int_equal(s->stats.entries[0].num_requests, THREADS / 2 * PER_THREAD);
    assert_int_equal(s->stats.entries[1].total_bytes, THREADS / 2 * PER_THREAD);
    /* never more copies than takes, nor than changes of the model */
    assert_true(f->pub.copies <= takes + 1);
    assert_true(s->generation == f->pub.copies);
    snapshot_release(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_copy_per_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_held_never_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_series_follows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_workers, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
