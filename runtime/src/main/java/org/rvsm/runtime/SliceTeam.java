package org.rvsm.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs the slices of a batch on the calling thread and a few helper threads that stay awake between
 * calls.
 *
 * <p>Why not a thread pool: on this project's 2-core virtual machine a pool's parked worker was often
 * woken on the caller's own core, where it waited until the caller blocked, so the batch ran one slice
 * after the other: timed inside the runtime, the pool's worker started its half of a 256-image batch
 * about 500 us late, just when the caller had done its own half. (A likely cause: a halted idle
 * virtual core looks busy to the guest's scheduler.) So the helpers here keep running, yielding, for
 * {@link #SPIN_NANOS} after each job before they park, and back-to-back calls find them awake on their
 * own cores. In {@code bench-infer} this made batch 256 about 20% faster than the pool (four runs each,
 * alternating). The price is up to 2 ms of a busy core per helper after each batch.
 *
 * <p>The caller and the helpers claim slices from one counter; the caller runs whatever nobody else has
 * claimed, then parks in short naps until the slices claimed by helpers are done, which frees its core
 * for a helper that shares it. One job at a time uses the helpers: a second caller meanwhile runs its
 * slices alone. What a slice computes must not depend on the thread that runs it.
 */
final class SliceTeam {

    /** How long an idle helper keeps running (yielding its core) before it parks. */
    static final long SPIN_NANOS = 2_000_000;

    /** The caller's nap while it waits for the helpers' last slices. */
    private static final long WAIT_NAP_NANOS = 10_000;

    /** The shared team: one helper per core but one, at most seven. */
    static final SliceTeam SHARED = new SliceTeam(Math.min(7, Runtime.getRuntime().availableProcessors() - 1));

    private static final class Job {
        final IntConsumer task;
        final int slices;
        final int helpers;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(IntConsumer task, int slices, int helpers) {
            this.task = task;
            this.slices = slices;
            this.helpers = helpers;
        }

        void work() {
            for (int c = next.getAndIncrement(); c < slices; c = next.getAndIncrement()) {
                try {
                    task.accept(c);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private final Thread[] helpers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job current;
    private volatile long asleep; // bit i: helper i is parked, or about to park

    SliceTeam(int helpers) {
        this.helpers = new Thread[Math.max(0, Math.min(63, helpers))];
        for (int i = 0; i < this.helpers.length; i++) {
            int index = i;
            Thread t = new Thread(() -> help(index), "rvsm-sparse-" + i);
            t.setDaemon(true);
            this.helpers[i] = t;
            t.start();
        }
    }

    /**
     * Runs task(0), ..., task(slices - 1), each exactly once, on the calling thread and at most
     * maxHelpers helpers; returns when all have finished. A slice's exception is rethrown here.
     */
    void run(int slices, int maxHelpers, IntConsumer task) {
        int use = Math.min(maxHelpers, helpers.length);
        if (slices <= 1 || use <= 0 || !busy.compareAndSet(false, true)) {
            for (int c = 0; c < slices; c++) {
                task.accept(c);
            }
            return;
        }
        Job job = new Job(task, slices, use);
        try {
            current = job;
            long parked = asleep; // read after the write of current: see help()
            for (int i = 0; i < use; i++) {
                if ((parked & (1L << i)) != 0) {
                    LockSupport.unpark(helpers[i]);
                }
            }
            job.work();
            while (job.done.get() < slices) {
                LockSupport.parkNanos(WAIT_NAP_NANOS);
            }
        } finally {
            current = null;
            busy.set(false);
        }
        Throwable failure = job.failure;
        if (failure instanceof RuntimeException e) {
            throw e;
        } else if (failure instanceof Error e) {
            throw e;
        } else if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    private void help(int index) {
        Job last = null;
        long idleSince = System.nanoTime();
        while (true) {
            Job job = current;
            if (job != null && job != last) {
                last = job;
                if (index < job.helpers) {
                    job.work();
                }
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                // yield, not a pure spin: a helper woken on the caller's core then gives it back at once
                Thread.yield();
            } else {
                // Announce the park, then look once more: run() writes current before it reads asleep,
                // this writes asleep before it reads current, so one of the two sees the other.
                setAsleep(index, true);
                Job now = current;
                if (now == null || now == last) {
                    LockSupport.park(this);
                }
                setAsleep(index, false);
                idleSince = System.nanoTime();
            }
        }
    }

    private synchronized void setAsleep(int index, boolean on) {
        asleep = on ? asleep | (1L << index) : asleep & ~(1L << index);
    }
}
