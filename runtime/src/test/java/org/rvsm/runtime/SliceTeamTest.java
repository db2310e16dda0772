package org.rvsm.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class SliceTeamTest {

    /** Every slice runs exactly once per job, whoever runs it, over many jobs and two callers at once. */
    @Test
    void everySliceRunsExactlyOnceWithHelpersAndConcurrentCallers() throws InterruptedException {
        SliceTeam team = new SliceTeam(2);
        int jobs = 2000;
        int slices = 7;
        AtomicIntegerArray counts = new AtomicIntegerArray(2 * jobs * slices);
        Thread other = new Thread(() -> {
            for (int j = 0; j < jobs; j++) {
                int base = (jobs + j) * slices;
                team.run(slices, 2, c -> counts.incrementAndGet(base + c));
            }
        });
        other.start();
        for (int j = 0; j < jobs; j++) {
            int base = j * slices;
            team.run(slices, 2, c -> counts.incrementAndGet(base + c));
            if (j % 500 == 0) {
                Thread.sleep(5); // past SPIN_NANOS now and then, so that helpers park and are woken
            }
        }
        other.join();
        for (int i = 0; i < counts.length(); i++) {
            assertEquals(1, counts.get(i), "slice " + i % slices + " of job " + i / slices);
        }
    }

    @Test
    void aSlicesExceptionReachesTheCallerAndTheTeamKeepsWorking() {
        SliceTeam team = new SliceTeam(1);
        IllegalStateException boom = new IllegalStateException("slice 3");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> team.run(6, 1, c -> {
            if (c == 3) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        AtomicIntegerArray counts = new AtomicIntegerArray(6);
        team.run(6, 1, counts::incrementAndGet);
        for (int c = 0; c < 6; c++) {
            assertEquals(1, counts.get(c));
        }
    }

    @Test
    void withoutHelpersTheCallerRunsEverySliceInOrder() {
        SliceTeam team = new SliceTeam(0);
        StringBuilder order = new StringBuilder();
        team.run(4, 3, order::append);
        assertEquals("0123", order.toString());
    }
}
